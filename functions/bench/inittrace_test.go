package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseInitTrace(t *testing.T) {
	t.Parallel()
	const trace = `init runtime @0.087 ms, 0.061 ms clock, 0 bytes, 0 allocs
init github.com/aws/aws-sdk-go-v2/service/secretsmanager/schemas @3.4 ms, 0.47 ms clock, 132168 bytes, 731 allocs
init github.com/callwire/callwire/contract @5.0 ms, 0.026 ms clock, 1616 bytes, 10 allocs
init github.com/callwire/callwire/functions/signalwire @5.1 ms, 0.1 ms clock, 16 bytes, 1 allocs
init main @5.8 ms, 0.004 ms clock, 0 bytes, 2 allocs
2026/11/30 04:58:00 getcall: init: getcall: config: SIGNALWIRE_SECRET_ID is required
`
	tests := []struct {
		name    string
		in      string
		want    initTrace
		wantErr bool
	}{
		{name: "own packages", in: trace, want: initTrace{clock: 130 * time.Microsecond, allocs: 13, pkgs: 3, lines: 5, byPkg: map[string]time.Duration{
			"github.com/callwire/callwire/contract":             26 * time.Microsecond,
			"github.com/callwire/callwire/functions/signalwire": 100 * time.Microsecond,
			"main": 4 * time.Microsecond,
		}}},
		{name: "none of ours", in: "init runtime @0.087 ms, 0.061 ms clock, 0 bytes, 0 allocs\n", want: initTrace{lines: 1}},
		{name: "no trace", in: "getcall: init: failed\n", wantErr: true},
		{name: "bad number", in: "init main @5.8 ms, x ms clock, 0 bytes, 2 allocs\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseInitTrace([]byte(tt.in), ownPackage)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %t", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(initTrace{})); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
