// Package buildinfo describes a callwire command's own build and the
// contract it checks against, for the commands' --version (swcontract and the
// local runner).
package buildinfo

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/callwire/callwire/contract"
)

// Write writes Text for the running binary, named program.
func Write(w io.Writer, program string) {
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprint(w, Text(program, bi, runtime.GOOS+"/"+runtime.GOARCH))
}

// Text describes program's build from bi (nil when the binary carries no
// build information) and the pinned spec, one "key value" line each:
//
//	swcontract v1.2.3
//	module     github.com/callwire/callwire v1.2.3
//	revision   0123abcd… (2026-03-02T14:07:41Z, modified)
//	go         go1.26.8 linux/amd64
//	spec       retrieve-a-call.openapi.yaml
//	spec sha256 37c2…
//
// Lines the build does not know are left out. The Go version falls back to
// the running one; the spec lines always appear.
func Text(program string, bi *debug.BuildInfo, platform string) string {
	var b strings.Builder
	line := func(key, value string) { fmt.Fprintf(&b, "%-11s %s\n", key, value) }
	version := "(unknown)"
	if bi != nil && bi.Main.Version != "" {
		version = bi.Main.Version
	}
	line(program, version)
	if bi != nil {
		if bi.Main.Path != "" {
			line("module", strings.TrimSpace(bi.Main.Path+" "+bi.Main.Version))
		}
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			var notes []string
			if t := settings["vcs.time"]; t != "" {
				notes = append(notes, t)
			}
			if settings["vcs.modified"] == "true" {
				notes = append(notes, "modified")
			}
			if len(notes) > 0 {
				rev += " (" + strings.Join(notes, ", ") + ")"
			}
			line("revision", rev)
		}
	}
	goVersion := runtime.Version()
	if bi != nil && bi.GoVersion != "" {
		goVersion = bi.GoVersion
	}
	line("go", goVersion+" "+platform)
	line("spec", contract.SpecName)
	line("spec sha256", contract.SpecSHA256)
	return b.String()
}
