package lambdatest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		failType string
		want     *FunctionError
		wantErr  bool
	}{
		{name: "success", status: 200, body: `{"schema":"callwire.call.v1"}`},
		{name: "success with errorType among other members", status: 200, body: `{"errorType":"x","statusCode":404}`},
		{name: "success not an object", status: 200, body: `"ok"`},
		{
			name: "returned error", status: 200,
			body: `{"errorMessage":"boom","errorType":"fixtureError"}`,
			want: &FunctionError{Type: "fixtureError", Message: "boom"},
		},
		{
			name: "panic", status: 502,
			body: `{"errorMessage":"oh no","errorType":"string","stackTrace":[{"path":"main.go","line":3,"label":"main"}]}`,
			want: &FunctionError{Type: "string", Message: "oh no"},
		},
		{
			name: "exit", status: 502,
			body: `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: r-1 Error: Runtime exited with error: exit status 3"}`,
			want: &FunctionError{Type: "Runtime.ExitError", Message: "RequestId: r-1 Error: Runtime exited with error: exit status 3"},
		},
		{
			name: "timeout", status: 200, body: "Task timed out after 3.00 seconds",
			want: &FunctionError{Type: "Sandbox.Timedout", Message: "Task timed out after 3.00 seconds"},
		},
		{
			name: "init failure without body", status: 502, failType: "Runtime.ExitError",
			want: &FunctionError{Type: "Runtime.ExitError", Message: "RequestId: r-1 Error: the runtime failed without a response; see the function's logs"},
		},
		{
			name: "init failure without logged type", status: 502,
			want: &FunctionError{Type: "Runtime.Unknown", Message: "RequestId: r-1 Error: the runtime failed without a response; see the function's logs"},
		},
		{name: "emulator busy", status: 400, wantErr: true},
		{name: "emulator internal error", status: 500, body: `{"errorType":"x"}`, wantErr: true},
		{name: "emulator reservation timeout", status: 504, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := classify(tt.status, []byte(tt.body), "r-1", tt.failType)
			if (err != nil) != tt.wantErr {
				t.Fatalf("classify error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("classify mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
