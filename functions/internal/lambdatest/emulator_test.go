package lambdatest

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/internal/testkit"
)

// syncBuffer is an io.Writer safe for the emulator's two log readers.
type syncBuffer = testkit.SyncBuffer

// startFixture starts the fixture function under the emulator and checks at
// cleanup that no process it started is left running.
func startFixture(t *testing.T, cfg Config) (*Emulator, *syncBuffer) {
	t.Helper()
	needEmulator(t)
	logs := &syncBuffer{}
	cfg.RIE, cfg.Bootstrap, cfg.Logs = fixture.RIE, fixture.Bootstrap, logs
	if cfg.FunctionName == "" {
		cfg.FunctionName = "fixturefn"
	}
	e, err := Start(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		pids := e.PIDs()
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		assertStopped(t, pids)
	})
	return e, logs
}

// assertStopped fails t if any of pids is still running.
func assertStopped(t *testing.T, pids []int) {
	t.Helper()
	for _, pid := range pids {
		if Running(pid) {
			t.Errorf("process %d is still running after Close", pid)
		}
	}
}

func TestInvoke(t *testing.T) {
	t.Parallel()
	e, logs := startFixture(t, Config{Timeout: 2 * time.Second})
	tests := []struct {
		name        string
		event       string
		wantPayload string
		wantErr     *FunctionError
		wantStatus  int
		wantReport  bool
	}{
		{name: "echo", event: `{"echo":"hi"}`, wantPayload: `{"echo":"hi"}`, wantStatus: 200, wantReport: true},
		{
			name: "returned error", event: `{"fail":"no such call"}`, wantStatus: 200, wantReport: true,
			wantPayload: `{"errorMessage":"no such call","errorType":"fixtureError"}`,
			wantErr:     &FunctionError{Type: "fixtureError", Message: "no such call"},
		},
		{
			name: "event not decodable", event: `[1]`, wantStatus: 200, wantReport: true,
			wantErr: &FunctionError{Type: "UnmarshalTypeError", Message: "json: cannot unmarshal array into Go value of type main.event"},
		},
		{
			name: "timeout", event: `{"sleep_ms":5000}`, wantStatus: 200, wantReport: true,
			wantPayload: "Task timed out after 2.00 seconds",
			wantErr:     &FunctionError{Type: "Sandbox.Timedout", Message: "Task timed out after 2.00 seconds"},
		},
		{
			name: "panic", event: `{"panic":true}`, wantStatus: 502,
			wantErr: &FunctionError{Type: "string", Message: "fixturefn: panic requested"},
		},
		{name: "runtime restarted after the panic", event: `{"echo":2}`, wantPayload: `{"echo":2}`, wantStatus: 200, wantReport: true},
		{
			name: "exit", event: `{"exit":3}`, wantStatus: 502,
			wantErr: &FunctionError{Type: "Runtime.ExitError"},
		},
	}
	// One execution environment: the cases run in order, as invokes do.
	for i, tt := range tests {
		res, err := e.Invoke(t.Context(), []byte(tt.event))
		if err != nil {
			t.Fatalf("%s: Invoke: %v", tt.name, err)
		}
		if res.Status != tt.wantStatus {
			t.Errorf("%s: status = %d, want %d", tt.name, res.Status, tt.wantStatus)
		}
		if tt.wantPayload != "" && string(res.Payload) != tt.wantPayload {
			t.Errorf("%s: payload = %s, want %s", tt.name, res.Payload, tt.wantPayload)
		}
		gotErr := res.Err
		if gotErr != nil && tt.wantErr != nil && tt.wantErr.Message == "" {
			gotErr = &FunctionError{Type: gotErr.Type}
		}
		if diff := cmp.Diff(tt.wantErr, gotErr); diff != "" {
			t.Errorf("%s: Err mismatch (-want +got):\n%s", tt.name, diff)
		}
		if res.HasReport != tt.wantReport {
			t.Errorf("%s: HasReport = %v, want %v", tt.name, res.HasReport, tt.wantReport)
		}
		if res.HasReport && res.Report.RequestID != res.RequestID {
			t.Errorf("%s: REPORT for %s, want %s", tt.name, res.Report.RequestID, res.RequestID)
		}
		if res.HasReport && res.Report.MemorySizeMB != 128 {
			t.Errorf("%s: Memory Size = %d, want the default 128", tt.name, res.Report.MemorySizeMB)
		}
		// The runtime starts on the first invoke and again after it died.
		wantInit := i == 0 || tests[i-1].wantStatus == 502 || tests[i-1].wantErr != nil && tests[i-1].wantErr.Type == "Sandbox.Timedout"
		if got := len(res.Init) > 0; got != wantInit {
			t.Errorf("%s: init ran = %v (%v), want %v", tt.name, got, res.Init, wantInit)
		}
		if gotInitDuration := res.Report.HasInitDuration; gotInitDuration != (i == 0) {
			t.Errorf("%s: REPORT has Init Duration = %v, want %v", tt.name, gotInitDuration, i == 0)
		}
	}
	if !strings.Contains(logs.String(), "fixturefn: invoke") {
		t.Errorf("the function's own log lines are missing from Logs:\n%s", logs)
	}
}

func TestInitFailure(t *testing.T) {
	t.Parallel()
	e, _ := startFixture(t, Config{Env: []string{"FIXTUREFN_FAIL_INIT=1"}})
	res, err := e.Invoke(t.Context(), []byte(`{}`))
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if res.Status != 502 || res.Err == nil || !strings.HasPrefix(res.Err.Type, "Sandbox.") && !strings.HasPrefix(res.Err.Type, "Runtime.") {
		t.Errorf("Invoke = status %d, Err %v; want 502 and a Runtime or Sandbox error", res.Status, res.Err)
	}
}

func TestEnvironmentReachesFunction(t *testing.T) {
	t.Parallel()
	// The fixture fails its init only when the variable arrives.
	e, _ := startFixture(t, Config{Env: []string{"FIXTUREFN_FAIL_INIT="}})
	res, err := e.Invoke(t.Context(), []byte(`{"echo":true}`))
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if res.Err != nil {
		t.Errorf("Invoke: function error %v, want success with an empty variable", res.Err)
	}
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	needEmulator(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = busy.Close() })
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{name: "port in use", cfg: Config{Addr: busy.Addr().String()}, wantErr: "is not free"},
		{name: "not loopback", cfg: Config{Addr: "0.0.0.0:0"}, wantErr: "not a loopback address"},
		{name: "emulator fails to start", cfg: Config{LogLevel: "chatty"}, wantErr: "Failed to set log level"},
		{name: "no such emulator", cfg: Config{RIE: "/nonexistent/aws-lambda-rie"}, wantErr: "start aws-lambda-rie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			if cfg.RIE == "" {
				cfg.RIE = fixture.RIE
			}
			cfg.Bootstrap = fixture.Bootstrap
			e, err := Start(t.Context(), cfg)
			if err == nil {
				_ = e.Close()
				t.Fatal("Start succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Start error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestCancelDuringInvoke(t *testing.T) {
	t.Parallel()
	e, _ := startFixture(t, Config{Timeout: 30 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.Invoke(ctx, []byte(`{"sleep_ms":20000}`))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Invoke error = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Invoke returned after %v, want soon after ctx ended", d)
	}
	// The runtime is still busy with the invoke; Close must stop it too
	// (checked by startFixture's cleanup).
	if len(e.PIDs()) < 2 {
		t.Errorf("PIDs = %v, want the emulator and the runtime", e.PIDs())
	}
}

func TestCloseTwice(t *testing.T) {
	t.Parallel()
	e, _ := startFixture(t, Config{})
	if _, err := e.Invoke(t.Context(), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	pids := e.PIDs()
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	assertStopped(t, pids)
	if _, err := e.Invoke(t.Context(), []byte(`{}`)); err == nil {
		t.Error("Invoke after Close succeeded, want an error")
	}
}
