package lambdatest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseReport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		line   string
		want   Report
		wantOK bool
	}{
		{
			name: "first invoke with init duration",
			line: "REPORT RequestId: 1c5048ae-db0f-4446-891f-1c3a1f57b6aa\tInit Duration: 0.39 ms\tDuration: 15.17 ms\tBilled Duration: 16 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t\n",
			want: Report{
				RequestID:       "1c5048ae-db0f-4446-891f-1c3a1f57b6aa",
				InitDuration:    390 * time.Microsecond,
				HasInitDuration: true,
				Duration:        15170 * time.Microsecond,
				BilledDuration:  16 * time.Millisecond,
				MemorySizeMB:    128,
			},
			wantOK: true,
		},
		{
			name: "warm invoke",
			line: "REPORT RequestId: r-2\tDuration: 1.20 ms\tBilled Duration: 2 ms\tMemory Size: 3008 MB\tMax Memory Used: 3008 MB\t",
			want: Report{
				RequestID:      "r-2",
				Duration:       1200 * time.Microsecond,
				BilledDuration: 2 * time.Millisecond,
				MemorySizeMB:   3008,
			},
			wantOK: true,
		},
		{
			name:   "timed out",
			line:   "REPORT RequestId: r-3\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t",
			want:   Report{RequestID: "r-3", Duration: 3 * time.Second, BilledDuration: 3 * time.Second, MemorySizeMB: 128},
			wantOK: true,
		},
		{name: "end line", line: "END RequestId: r-3"},
		{name: "function log line", line: `{"level":"INFO","msg":"REPORT RequestId: fake"}`},
		{name: "no request id", line: "REPORT RequestId: \tDuration: 1.00 ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseReport(tt.line)
			if ok != tt.wantOK {
				t.Fatalf("ParseReport ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseReport mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseInitReport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		line   string
		want   time.Duration
		wantOK bool
	}{
		{"init report", "27 Nov 2026 06:24:02,590 [INFO] (rapid) INIT REPORT(durationMs: 13.842000)\n", 13842 * time.Microsecond, true},
		{"init start", "27 Nov 2026 06:24:02,576 [INFO] (rapid) INIT START(type: on-demand, phase: init)", 0, false},
		{"unterminated", "(rapid) INIT REPORT(durationMs: 13.8", 0, false},
		{"not a number", "(rapid) INIT REPORT(durationMs: soon)", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseInitReport(tt.line)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseInitReport = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestParseInvokeFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		line   string
		want   string
		wantOK bool
	}{
		{"exit error", "27 Nov 2026 06:25:22,113 [ERROR] (rapid) Invoke DONE failed: Runtime.ExitError\n", "Runtime.ExitError", true},
		{"sandbox failure", "[ERROR] (rapid) Invoke DONE failed: Sandbox.Failure", "Sandbox.Failure", true},
		{"invoke failed", "[ERROR] (rapid) Invoke failed error=Runtime exited with error: exit status 1 InvokeID=x", "", false},
		{"empty type", "[ERROR] (rapid) Invoke DONE failed: ", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseInvokeFailure(tt.line)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseInvokeFailure = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
