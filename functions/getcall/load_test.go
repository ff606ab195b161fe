package getcall

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/callwire/callwire/contract/callv1"
	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/fail"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/signalwire"
)

// lineCounter counts the lines written to it and keeps none, so that logs
// and metrics do not grow the heap under load.
type lineCounter struct{ n atomic.Int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n.Add(int64(bytes.Count(p, []byte{'\n'})))
	return len(p), nil
}

// loadEnv is a handler on loopback servers whose HTTP clients the test
// holds, so it can close their idle connections before counting goroutines
// and file descriptors.
type loadEnv struct {
	*testEnv
	clients []*http.Client
	lines   *lineCounter
}

func setupLoad(t *testing.T) *loadEnv {
	t.Helper()
	env := setup(t, retrieve.ModeWarn)
	sm := secretsserver.New(secretsserver.WithAccessKeyID(testAccessKey))
	smURL, err := sm.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sm.Close)
	sm.Put(testSecretID, secretJSON(env.swURL))
	env.sm = sm

	awsHTTP := &http.Client{Timeout: 5 * time.Second, Transport: http.DefaultTransport.(*http.Transport).Clone()}
	awsCfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		BaseEndpoint:     aws.String(smURL),
		RetryMaxAttempts: 1,
		HTTPClient:       awsHTTP,
	}
	src := secrets.NewSource(secretsmanager.NewFromConfig(awsCfg), time.Minute)
	hc := signalwire.NewHTTPClient()
	client := signalwire.NewClient(signalwire.NewSecretCredentials(src, testSecretID), hc, signalwire.WithLoopback(),
		signalwire.WithRetry(3, time.Millisecond, 5*time.Millisecond), signalwire.WithDeadlineMargin(50*time.Millisecond))
	lines := &lineCounter{}
	env.h = newHandlerFrom(deps{
		cfg:     config{Settings: boot.Settings{SecretID: testSecretID, CacheTTL: time.Minute}, mode: retrieve.ModeWarn},
		calls:   retrieve.New(client, retrieve.ModeWarn, retrieve.WithClock(func() time.Time { return fixedNow })),
		secrets: src,
		log:     slog.New(slog.NewJSONHandler(lines, nil)),
		metrics: emf.NewWriter(lines, Metrics),
	})
	le := &loadEnv{testEnv: env, clients: []*http.Client{hc, awsHTTP}, lines: lines}
	t.Cleanup(le.closeIdle)
	return le
}

func (e *loadEnv) closeIdle() {
	for _, c := range e.clients {
		c.CloseIdleConnections()
	}
}

// loadCase is one request of the load mix and the answer it must get.
type loadCase struct {
	kind    string
	payload []byte
	script  func(*replay.Server) // queued just before the request
	check   func(out []byte, err error) error
}

// golden is the expected outcome of one recording, from testdata/golden/calls.
type golden struct {
	sid      string
	dir      string // conformant, drift or warning
	output   []byte // callwire.call.v1 document with sorted keys, when the call succeeds
	errType  string
	errPlain string
}

func loadGoldens(t *testing.T) (conformant, drifted []golden) {
	t.Helper()
	root := filepath.Join(testdataDir, "recordings")
	files, err := recording.FindFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		rec, err := recording.ReadRecording(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		b, err := os.ReadFile(filepath.Join(testdataDir, "golden", "calls", rel))
		if err != nil {
			t.Fatal(err)
		}
		g := golden{sid: rec.Request.URL[strings.LastIndex(rec.Request.URL, "/")+1:], dir: filepath.Dir(rel)}
		var e struct{ ErrorType, ErrorMessage string }
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		if e.ErrorType != "" {
			g.errType, g.errPlain = e.ErrorType, e.ErrorMessage
		} else {
			g.output = canonicalJSON(b)
			if g.output == nil {
				t.Fatalf("%s: golden output is not JSON", rel)
			}
		}
		if g.dir == "conformant" && g.output != nil {
			conformant = append(conformant, g)
		} else {
			drifted = append(drifted, g)
		}
	}
	if len(conformant) == 0 || len(drifted) == 0 {
		t.Fatalf("%d conformant and %d drifted recordings", len(conformant), len(drifted))
	}
	return conformant, drifted
}

func wantGolden(g golden) func([]byte, error) error {
	return func(out []byte, err error) error {
		if g.output != nil {
			if err != nil {
				return fmt.Errorf("%s: function error %v", g.sid, err)
			}
			if !bytes.Equal(canonicalJSON(out), g.output) {
				return fmt.Errorf("%s: output differs from its golden file:\n%s", g.sid, out)
			}
			return nil
		}
		return wantError(g.errType, g.errPlain)(out, err)
	}
}

// canonicalJSON re-encodes a JSON document with sorted keys, as the golden
// files are written; nil if b is not JSON.
func canonicalJSON(b []byte) []byte {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	out, _ := json.Marshal(v)
	return out
}

func wantError(typ, msg string) func([]byte, error) error {
	return func(out []byte, err error) error {
		var ie messages.InvokeResponse_Error
		if !errors.As(err, &ie) || ie.Type != typ || (msg != "" && ie.Message != msg) {
			return fmt.Errorf("got %s, %v; want errorType %s %q", out, err, typ, msg)
		}
		return nil
	}
}

func wantCall(sid string) func([]byte, error) error {
	return func(out []byte, err error) error {
		if err != nil {
			return fmt.Errorf("%s: function error %v", sid, err)
		}
		if err := callv1.Validate(out); err != nil {
			return fmt.Errorf("%s: %w", sid, err)
		}
		var c struct{ SID string }
		if json.Unmarshal(out, &c) != nil || c.SID != sid {
			return fmt.Errorf("%s: output for %q", sid, c.SID)
		}
		return nil
	}
}

// loadMix builds the i-th request of worker w: a conformant recording, a
// drifted one, an unknown SID, 503s throughout, a 503 then a good body, and
// a conformant call through an HTTP API event.
func loadMix(conformant, drifted []golden, goodBody []byte) func(w, i int) loadCase {
	const goodSID = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"
	return func(w, i int) loadCase {
		// Per-worker SIDs keep one worker's scripts away from another's.
		workerSID := fmt.Sprintf("c0c0ca11-5000-4000-8000-%012d", w)
		switch i % 6 {
		case 0:
			g := conformant[i/6%len(conformant)]
			return loadCase{kind: "conformant", payload: directEvent(g.sid), check: wantGolden(g)}
		case 1:
			g := drifted[i/6%len(drifted)]
			return loadCase{kind: "drifted", payload: directEvent(g.sid), check: wantGolden(g)}
		case 2:
			// The replay server counts requests per SID (RequestsFor), so an
			// endless supply of new SIDs would grow its heap, not the
			// handler's. These 160 are all seen within the first 1,000
			// sequential invocations, before the heap is first measured.
			sid := fmt.Sprintf("c0c0ca11-4040-4000-8000-%012d", i/6%160)
			return loadCase{kind: "404", payload: directEvent(sid), check: wantError(fail.CallNotFound, "call not found")}
		case 3:
			return loadCase{kind: "5xx", payload: directEvent(workerSID),
				script: func(s *replay.Server) {
					s.Script(workerSID, replay.Scripted{Status: 503}, replay.Scripted{Status: 503}, replay.Scripted{Status: 503})
				},
				check: wantError(fail.UpstreamUnavailable, "SignalWire unavailable")}
		case 4:
			body := bytes.ReplaceAll(goodBody, []byte(goodSID), []byte(workerSID))
			return loadCase{kind: "5xx then 200", payload: directEvent(workerSID),
				script: func(s *replay.Server) {
					s.Script(workerSID, replay.Scripted{Status: 503},
						replay.Scripted{Status: 200, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: body})
				},
				check: wantCall(workerSID)}
		default:
			ev, _ := json.Marshal(map[string]any{
				"version": "2.0", "rawPath": "/calls/" + goodSID,
				"requestContext": map[string]any{"stage": "$default", "http": map[string]string{"method": "GET", "path": "/calls/" + goodSID}},
			})
			return loadCase{kind: "http", payload: ev, check: func(out []byte, err error) error {
				var resp httpAnswer
				if err != nil || json.Unmarshal(out, &resp) != nil || resp.StatusCode != 200 {
					return fmt.Errorf("HTTP answer %s, %v", out, err)
				}
				return wantCall(goodSID)([]byte(resp.Body), nil)
			}}
		}
	}
}

// invoker is Handler.Invoke of a Handler of its own. Invoke returns a slice
// of a buffer it has already put back in the Handler's pool, so goroutines
// must not share one Handler (each invoker is used by one goroutine).
type invoker func(ctx context.Context, payload []byte) ([]byte, error)

func (e *loadEnv) invoker() invoker { return lambda.NewHandler(e.h).Invoke }

// run sends one case through invoke and reports a wrong answer.
func (e *loadEnv) run(ctx context.Context, invoke invoker, c loadCase) error {
	if c.script != nil {
		c.script(e.sw)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := invoke(ctx, c.payload)
	if err := c.check(out, err); err != nil {
		return fmt.Errorf("%s: %w", c.kind, err)
	}
	return nil
}

func openFDs() (int, bool) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, false
	}
	return len(entries), true
}

// settle closes idle connections and waits up to 2s for the goroutine
// count to fall to at most want.
func (e *loadEnv) settle(want int) int {
	e.closeIdle()
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(2 * time.Second); n > want && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
		e.closeIdle()
	}
	return n
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestLoad runs 2,000 sequential and 400 concurrent (64 at a time)
// invocations of the handler (1,000 and 200 with -short or under the race
// detector, which .ci/test runs it under before running it again at the
// default size without; 10,000 and 1,000 with CALLWIRE_LOAD=full) over the
// mix of loadMix, and checks every answer, then that goroutines, file
// descriptors and the heap are back where they were. The default size already passes the 1,000 invocations after which
// the heap must stop growing; the full size is for a release check.
//
// The concurrent invocations run in two halves, before and after the
// sequential ones. The runtime keeps the descriptor of every goroutine it
// ever ran at once (about 400 bytes each), so the heap is compared with its
// size after the first 1,000 invocations, when that peak is already reached.
//
// It does not run in parallel: it counts the process's goroutines and file
// descriptors, which other tests would change.
func TestLoad(t *testing.T) { //nolint:paralleltest // counts process-wide goroutines and descriptors
	sequential, concurrent, workers := 2_000, 400, 64
	switch {
	case os.Getenv("CALLWIRE_LOAD") == "full":
		sequential, concurrent = 10_000, 1_000
	case testing.Short() || raceDetector:
		sequential, concurrent = 1_000, 200
	}
	t.Logf("%d sequential and %d concurrent invocations (race detector: %v)", sequential, concurrent, raceDetector)
	conformant, drifted := loadGoldens(t)
	rec, err := recording.ReadRecording(filepath.Join(testdataDir, "recordings", "conformant", "200-completed-inbound-human.json"))
	if err != nil {
		t.Fatal(err)
	}
	mix := loadMix(conformant, drifted, rec.Exchange().Body)
	env := setupLoad(t)
	ctx := t.Context()
	invoke := env.invoker()

	// Warm up: the validator, the secret cache, one kept-alive connection.
	for i := range 6 {
		if err := env.run(ctx, invoke, mix(0, i)); err != nil {
			t.Fatalf("warm-up: %v", err)
		}
	}
	baseGoroutines := env.settle(0)
	baseFDs, haveFDs := openFDs()

	var failures atomic.Int64
	fail := func(format string, args ...any) {
		if failures.Add(1) <= 20 {
			t.Errorf(format, args...)
		}
	}
	// runConcurrent sends the concurrent cases from..to-1 over the workers.
	runConcurrent := func(from, to int) time.Duration {
		start := time.Now()
		var next atomic.Int64
		next.Store(int64(from))
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				invoke := env.invoker()
				for {
					i := int(next.Add(1)) - 1
					if i >= to {
						return
					}
					if err := env.run(ctx, invoke, mix(w, i)); err != nil {
						fail("concurrent %d (worker %d): %v", i, w, err)
					}
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}

	conTime := runConcurrent(0, concurrent/2)
	var heapAt1000 uint64
	start := time.Now()
	for i := range sequential {
		if err := env.run(ctx, invoke, mix(0, i)); err != nil {
			fail("sequential %d: %v", i, err)
		}
		if concurrent/2+i+1 == 1000 {
			// Measured like the end: idle connections closed, goroutines settled.
			env.closeIdle()
			env.settle(baseGoroutines + 2)
			heapAt1000 = heapInUse()
		}
	}
	seqTime := time.Since(start)
	conTime += runConcurrent(concurrent/2, concurrent)
	if n := failures.Load(); n > 0 {
		t.Errorf("%d wrong answers in all", n)
	}

	goroutines := env.settle(baseGoroutines + 2)
	if goroutines > baseGoroutines+2 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d after the load, %d before\n%s", goroutines, baseGoroutines, buf[:runtime.Stack(buf, true)])
	}
	if haveFDs {
		fds, _ := openFDs()
		for deadline := time.Now().Add(2 * time.Second); fds > baseFDs+2 && time.Now().Before(deadline); fds, _ = openFDs() {
			time.Sleep(10 * time.Millisecond)
			env.closeIdle()
		}
		if fds > baseFDs+2 {
			t.Errorf("open file descriptors: %d after the load, %d before", fds, baseFDs)
		}
	} else {
		t.Log("no /proc/self/fd: file descriptors not counted")
	}
	env.closeIdle()
	heapEnd := heapInUse()
	if heapEnd > heapAt1000+heapAt1000/10 {
		t.Errorf("heap in use: %d bytes at the end, %d after 1,000 invocations (more than 10%% growth)", heapEnd, heapAt1000)
	}
	t.Logf("sequential: %d in %v (%v each); concurrent: %d over %d workers in %v; goroutines %d -> %d; fds %d; heap %d KiB -> %d KiB; upstream requests %d, connections %d, secret fetches %d, log+metric lines %d",
		sequential, seqTime.Round(time.Millisecond), (seqTime / time.Duration(sequential)).Round(time.Microsecond),
		concurrent, workers, conTime.Round(time.Millisecond), baseGoroutines, goroutines, baseFDs,
		heapAt1000>>10, heapEnd>>10, env.sw.Requests(), env.sw.Connections(), env.sm.Requests(), env.lines.n.Load())
}
