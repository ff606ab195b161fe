package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
)

func TestText(t *testing.T) {
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
				{Key: "vcs", Value: "git"},
				{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
				{Key: "vcs.time", Value: "2026-03-02T14:07:41Z"},
				{Key: "vcs.modified", Value: "true"},
			},
		}, want: "swcontract  v1.4.0\n" +
			"module      github.com/callwire/callwire v1.4.0\n" +
			"revision    0123456789abcdef0123456789abcdef01234567 (2026-03-02T14:07:41Z, modified)\n" +
			"go          go1.26.8 linux/arm64\n" + spec},
		{name: "clean revision without a time", bi: &debug.BuildInfo{
			GoVersion: "go1.26.8",
			Main:      debug.Module{Path: "github.com/callwire/callwire", Version: "(devel)"},
			Settings:  []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "false"}},
		}, want: "swcontract  (devel)\n" +
			"module      github.com/callwire/callwire (devel)\n" +
			"revision    0123abcd\n" +
			"go          go1.26.8 linux/arm64\n" + spec},
		{name: "no build information", bi: nil, want: "swcontract  (unknown)\n" +
			"go          " + runtime.Version() + " linux/arm64\n" + spec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, Text("swcontract", tt.bi, "linux/arm64")); diff != "" {
				t.Errorf("Text mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
