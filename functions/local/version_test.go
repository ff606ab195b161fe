package main

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
)

func TestVersionText(t *testing.T) {
	t.Parallel()
	spec := "spec        " + contract.SpecName + "\n" + "spec sha256 " + contract.SpecSHA256 + "\n"
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{name: "stamped build", bi: &debug.BuildInfo{
			GoVersion: "go1.26.8",
			Main:      debug.Module{Path: "github.com/callwire/callwire", Version: "v1.4.0"},
			Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
				{Key: "vcs.time", Value: "2026-03-02T14:07:41Z"},
				{Key: "vcs.modified", Value: "true"},
			},
		}, want: "local       v1.4.0\n" +
			"module      github.com/callwire/callwire v1.4.0\n" +
			"revision    0123456789abcdef0123456789abcdef01234567 (2026-03-02T14:07:41Z, modified)\n" +
			"go          go1.26.8 linux/amd64\n" + spec},
		{name: "go run", bi: &debug.BuildInfo{
			GoVersion: "go1.26.8",
			Main:      debug.Module{Path: "github.com/callwire/callwire", Version: "(devel)"},
		}, want: "local       (devel)\n" +
			"module      github.com/callwire/callwire (devel)\n" +
			"go          go1.26.8 linux/amd64\n" + spec},
		{name: "no build information", want: "local       (unknown)\n" +
			"go          " + runtime.Version() + " linux/amd64\n" + spec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, versionText(tt.bi, "linux/amd64")); diff != "" {
				t.Errorf("versionText mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRunVersion checks that -version and --version print the build and
// the spec's SHA-256 and run nothing.
func TestRunVersion(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"-version", "--version"} {
		t.Run(arg, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), []string{arg}, &stdout, &stderr); code != exitOK {
				t.Fatalf("run %s = %d, want 0; stderr:\n%s", arg, code, stderr.String())
			}
			if !bytes.Contains(stdout.Bytes(), []byte("spec sha256 "+contract.SpecSHA256+"\n")) ||
				!bytes.HasPrefix(stdout.Bytes(), []byte("local ")) {
				t.Errorf("stdout:\n%s\nwant the version lines with the spec's SHA-256", stdout.String())
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", stderr.String())
			}
		})
	}
}
