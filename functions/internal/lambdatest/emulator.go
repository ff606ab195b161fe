package lambdatest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Config describes one emulator process.
type Config struct {
	// RIE is the path of the aws-lambda-rie executable (see RIEPath).
	RIE string
	// Bootstrap is the path of the Lambda binary (see BuildBootstrap).
	Bootstrap string
	// Addr is the loopback host:port the emulator accepts invokes on. Empty
	// picks a free port on 127.0.0.1.
	Addr string
	// Env is the environment of the emulator, which passes it on to the
	// function. Config's own settings are added after it.
	Env []string
	// FunctionName is AWS_LAMBDA_FUNCTION_NAME; the default is "function".
	FunctionName string
	// Timeout is the function timeout, rounded up to whole seconds
	// (AWS_LAMBDA_FUNCTION_TIMEOUT); the default is 10s.
	Timeout time.Duration
	// MemoryMB is AWS_LAMBDA_FUNCTION_MEMORY_SIZE; the default is 128.
	MemoryMB int
	// LogLevel is the emulator's --log-level; the default is "info", the
	// lowest level that still logs INIT REPORT.
	LogLevel string
	// LogFormat is AWS_LAMBDA_LOG_FORMAT, which Lambda sets from the
	// function's LoggingConfig: "JSON" or "Text". Empty leaves it unset.
	LogFormat string
	// Logs receives the emulator's output line by line: the function's
	// stdout and stderr, START/END/REPORT lines and the emulator's own log.
	// Nil discards them.
	Logs io.Writer
	// StartTimeout bounds how long Start waits for the emulator to listen;
	// the default is 10s.
	StartTimeout time.Duration
}

// Emulator is a running aws-lambda-rie process with one Lambda binary. Its
// methods are safe for concurrent use; invokes run one at a time, as in one
// Lambda execution environment.
type Emulator struct {
	cfg    Config
	url    string
	cmd    *exec.Cmd
	client *http.Client
	logs   *logState

	exited  chan struct{} // closed when the process has been waited for
	waitErr error         // set before exited is closed
	readers sync.WaitGroup
	pipes   []*os.File // read ends, closed by Close

	invokeMu  sync.Mutex
	closeOnce sync.Once
	closeErr  error
}

// Start starts the emulator with cfg and waits until it accepts invokes. The
// emulator starts the function on the first invoke, as Lambda does on a cold
// start, so that invoke's Result carries the init. Start leaves nothing
// running when it fails. ctx bounds the start only; call Close to stop.
func Start(ctx context.Context, cfg Config) (*Emulator, error) {
	if err := supported(); err != nil {
		return nil, fmt.Errorf("lambdatest: start: %w", err)
	}
	cfg = withDefaults(cfg)
	addr, err := invokeAddr(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("lambdatest: start: %w", err)
	}
	apiAddr, err := freeAddr()
	if err != nil {
		return nil, fmt.Errorf("lambdatest: start: runtime API address: %w", err)
	}
	bootstrap, err := filepath.Abs(cfg.Bootstrap)
	if err != nil {
		return nil, fmt.Errorf("lambdatest: start: %w", err)
	}

	cmd := exec.Command(cfg.RIE,
		"--log-level", cfg.LogLevel,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", apiAddr,
		bootstrap)
	// The function's working directory, like /var/task in Lambda.
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = append(append([]string(nil), cfg.Env...),
		"AWS_LAMBDA_FUNCTION_NAME="+cfg.FunctionName,
		"AWS_LAMBDA_FUNCTION_TIMEOUT="+strconv.Itoa(timeoutSeconds(cfg.Timeout)),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(cfg.MemoryMB),
	)
	if cfg.LogFormat != "" {
		cmd.Env = append(cmd.Env, "AWS_LAMBDA_LOG_FORMAT="+cfg.LogFormat)
	}
	cmd.SysProcAttr = sysProcAttr()

	e := &Emulator{
		cfg:    cfg,
		url:    "http://" + addr + "/2015-03-31/functions/function/invocations",
		cmd:    cmd,
		logs:   newLogState(cfg.Logs),
		exited: make(chan struct{}),
		client: &http.Client{
			// The emulator answers a timed-out invoke itself; this only
			// guards against an emulator that never answers.
			Timeout:   cfg.Timeout + 30*time.Second,
			Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 1},
		},
	}
	// Plain pipes rather than StdoutPipe: the runtime inherits the write
	// ends, and the readers must keep reading until it exits too.
	var writers []*os.File
	for _, set := range []func(*os.File){func(f *os.File) { cmd.Stdout = f }, func(f *os.File) { cmd.Stderr = f }} {
		r, w, err := os.Pipe()
		if err != nil {
			closeAll(writers)
			closeAll(e.pipes)
			return nil, fmt.Errorf("lambdatest: start: %w", err)
		}
		set(w)
		writers = append(writers, w)
		e.pipes = append(e.pipes, r)
	}
	if err := cmd.Start(); err != nil {
		closeAll(writers)
		closeAll(e.pipes)
		return nil, fmt.Errorf("lambdatest: start aws-lambda-rie: %w", err)
	}
	closeAll(writers)
	for _, r := range e.pipes {
		e.readers.Add(1)
		go func() {
			defer e.readers.Done()
			e.logs.read(r)
		}()
	}
	go func() {
		e.waitErr = cmd.Wait()
		close(e.exited)
	}()

	if err := e.awaitListening(ctx, addr); err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("lambdatest: start: %w", err)
	}
	return e, nil
}

func withDefaults(cfg Config) Config {
	if cfg.FunctionName == "" {
		cfg.FunctionName = "function"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MemoryMB <= 0 {
		cfg.MemoryMB = 128
	}
	if cfg.LogLevel == "" {
		cfg.LogLevel = "info"
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 10 * time.Second
	}
	return cfg
}

// timeoutSeconds rounds d up to whole seconds, at least 1: the emulator
// accepts only an integer.
func timeoutSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// invokeAddr checks that addr is a loopback address whose port is free, or
// picks a free one when addr is empty.
func invokeAddr(addr string) (string, error) {
	if addr == "" {
		return freeAddr()
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("invoke address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("invoke address %s is not a loopback address", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("invoke address %s is not free: %w", addr, err)
	}
	_ = ln.Close()
	return addr, nil
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr, nil
}

// awaitListening polls addr until the emulator accepts connections, the
// process exits, ctx ends or the start timeout passes.
func (e *Emulator) awaitListening(ctx context.Context, addr string) error {
	deadline := time.NewTimer(e.cfg.StartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var d net.Dialer
	for {
		dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		conn, err := d.DialContext(dctx, "tcp", addr)
		cancel()
		if err == nil {
			_ = conn.Close()
			return nil
		}
		select {
		case <-e.exited:
			// Let the readers take in the emulator's last words.
			e.awaitReaders(time.Second)
			// Wrapped, so a caller can tell an emulator a signal ended.
			why := e.waitErr
			if why == nil {
				why = errors.New("exit status 0")
			}
			return fmt.Errorf("aws-lambda-rie exited at startup (%w): %s", why, e.logs.lastLine())
		case <-ctx.Done():
			return fmt.Errorf("waiting for aws-lambda-rie: %w", context.Cause(ctx))
		case <-deadline.C:
			return fmt.Errorf("aws-lambda-rie did not listen on %s within %v", addr, e.cfg.StartTimeout)
		case <-tick.C:
		}
	}
}

// URL returns the invoke URL.
func (e *Emulator) URL() string { return e.url }

// Invoke sends payload as one invoke and waits for its response and REPORT
// line. A function that fails is not an error here: its Result has Err set.
// The error is for an emulator that did not answer, answered something that
// is not an invoke result, or for ctx ending.
func (e *Emulator) Invoke(ctx context.Context, payload []byte) (*Result, error) {
	e.invokeMu.Lock()
	defer e.invokeMu.Unlock()
	select {
	case <-e.exited:
		return nil, fmt.Errorf("lambdatest: invoke: aws-lambda-rie has exited (%v)", e.waitErr)
	default:
	}
	id := newRequestID()
	mark := e.logs.mark()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("lambdatest: invoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amzn-RequestId", id)

	start := time.Now()
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("lambdatest: invoke %s: %w", id, err)
	}
	// Lambda's synchronous response payload limit is 6 MB.
	body, err := io.ReadAll(io.LimitReader(resp.Body, 6<<20+1))
	_ = resp.Body.Close()
	wall := time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("lambdatest: invoke %s: read response: %w", id, err)
	}

	res := &Result{RequestID: id, Status: resp.StatusCode, Payload: body, Wall: wall}
	// The emulator logs the REPORT line, or the failure, before it answers;
	// give the log readers a moment to catch up.
	const logWait = 2 * time.Second
	var failType string
	if resp.StatusCode == http.StatusBadGateway {
		failType = e.logs.awaitFailure(ctx, mark, logWait)
	}
	res.Report, res.HasReport = e.logs.awaitReport(ctx, id, logWait, resp.StatusCode == http.StatusOK)
	res.Init = e.logs.initsSince(mark)

	fe, err := classify(resp.StatusCode, body, id, failType)
	if err != nil {
		return nil, fmt.Errorf("lambdatest: invoke %s: %w", id, err)
	}
	res.Err = fe
	return res, nil
}

// newRequestID returns a random UUID (version 4), the format of Lambda's
// request IDs.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// PIDs returns the process IDs of the emulator and the processes it started
// (the function's runtime), for tests that check nothing is left running.
func (e *Emulator) PIDs() []int {
	return append([]int{e.cmd.Process.Pid}, children(e.cmd.Process.Pid)...)
}

// Close stops the emulator and the function: it asks the emulator to shut
// down (it kills the runtime itself), then kills whatever is left. It is safe
// to call more than once.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		e.closeErr = e.stop()
		e.client.CloseIdleConnections()
	})
	return e.closeErr
}

func (e *Emulator) stop() error {
	pid := e.cmd.Process.Pid
	// The runtime runs in its own process group; note it before the
	// emulator exits and it is orphaned.
	kids := children(pid)
	select {
	case <-e.exited:
	default:
		_ = terminate(pid)
		select {
		case <-e.exited:
		case <-time.After(3 * time.Second):
			_ = kill(pid)
			<-e.exited
		}
	}
	for _, k := range kids {
		_ = kill(k)
	}
	// The pipes reach EOF once every process holding them has exited. Do not
	// wait forever on a process that escaped.
	if !e.awaitReaders(2 * time.Second) {
		closeAll(e.pipes)
		e.readers.Wait()
		return errors.New("lambdatest: close: a process still holds the emulator's output")
	}
	closeAll(e.pipes)
	return nil
}

// awaitReaders waits up to d for the log readers to reach the end of the
// emulator's output and reports whether they did.
func (e *Emulator) awaitReaders(d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		e.readers.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

func closeAll(files []*os.File) {
	for _, f := range files {
		_ = f.Close()
	}
}

// logState passes the emulator's output through line by line and keeps what
// the harness reads from it: REPORT lines, INIT REPORT durations and invoke
// failure types.
type logState struct {
	out io.Writer // nil discards

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every recorded line
	reports  map[string]Report
	inits    []time.Duration
	failures []string
	last     string // last non-empty line, for startup errors
	outMu    sync.Mutex
}

type logMark struct{ inits, failures int }

func newLogState(out io.Writer) *logState {
	return &logState{out: out, changed: make(chan struct{}), reports: make(map[string]Report)}
}

func (s *logState) read(r io.Reader) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			s.line(line)
		}
		if err != nil {
			return
		}
	}
}

func (s *logState) line(line string) {
	if s.out != nil {
		s.outMu.Lock()
		_, _ = io.WriteString(s.out, line)
		if line[len(line)-1] != '\n' {
			_, _ = io.WriteString(s.out, "\n")
		}
		s.outMu.Unlock()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := bytes.TrimSpace([]byte(line)); len(t) > 0 {
		s.last = string(t)
	}
	if r, ok := ParseReport(line); ok {
		s.reports[r.RequestID] = r
	} else if d, ok := parseInitReport(line); ok {
		s.inits = append(s.inits, d)
	} else if typ, ok := parseInvokeFailure(line); ok {
		s.failures = append(s.failures, typ)
	} else {
		return
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *logState) mark() logMark {
	s.mu.Lock()
	defer s.mu.Unlock()
	return logMark{inits: len(s.inits), failures: len(s.failures)}
}

func (s *logState) lastLine() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == "" {
		return "no output"
	}
	return s.last
}

func (s *logState) initsSince(m logMark) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.inits[m.inits:]...)
}

// awaitReport waits up to d for the REPORT line of request id. With wait
// false it only looks.
func (s *logState) awaitReport(ctx context.Context, id string, d time.Duration, wait bool) (Report, bool) {
	var r Report
	ok := s.await(ctx, d, wait, func() bool {
		rep, found := s.reports[id]
		if found {
			r = rep
			delete(s.reports, id)
		}
		return found
	})
	return r, ok
}

// awaitFailure waits up to d for an invoke failure logged after m and returns
// its type.
func (s *logState) awaitFailure(ctx context.Context, m logMark, d time.Duration) string {
	var typ string
	s.await(ctx, d, true, func() bool {
		if len(s.failures) > m.failures {
			typ = s.failures[len(s.failures)-1]
			return true
		}
		return false
	})
	return typ
}

// await calls cond under s.mu until it returns true, d passes or ctx ends.
func (s *logState) await(ctx context.Context, d time.Duration, wait bool, cond func() bool) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		s.mu.Lock()
		ok := cond()
		changed := s.changed
		s.mu.Unlock()
		if ok || !wait {
			return ok
		}
		select {
		case <-changed:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}
