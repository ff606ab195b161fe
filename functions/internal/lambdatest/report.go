package lambdatest

import (
	"strconv"
	"strings"
	"time"
)

// Report is the emulator's REPORT line for one invoke, as Lambda writes it to
// CloudWatch Logs:
//
//	REPORT RequestId: <id>	Init Duration: 0.39 ms	Duration: 15.17 ms	Billed Duration: 16 ms	Memory Size: 128 MB	Max Memory Used: 128 MB
//
// The emulator's Init Duration is not the function's init time: it measures
// only the emulator handing the init to its sandbox, and it appears only on
// the first invoke. The time the runtime took to start and reach its first
// /next call is in the INIT REPORT line, see Result.Init.
type Report struct {
	RequestID string
	// InitDuration is the emulator's Init Duration; HasInitDuration reports
	// whether the line had one.
	InitDuration    time.Duration
	HasInitDuration bool
	Duration        time.Duration
	BilledDuration  time.Duration
	MemorySizeMB    int
}

// ParseReport parses a REPORT line. It reports false for any other line.
func ParseReport(line string) (Report, bool) {
	rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "REPORT RequestId: ")
	if !ok {
		return Report{}, false
	}
	fields := strings.Split(rest, "\t")
	r := Report{RequestID: strings.TrimSpace(fields[0])}
	if r.RequestID == "" {
		return Report{}, false
	}
	for _, f := range fields[1:] {
		key, val, ok := strings.Cut(f, ": ")
		if !ok {
			continue
		}
		switch key {
		case "Init Duration":
			if d, ok := parseMillis(val); ok {
				r.InitDuration, r.HasInitDuration = d, true
			}
		case "Duration":
			r.Duration, _ = parseMillis(val)
		case "Billed Duration":
			r.BilledDuration, _ = parseMillis(val)
		case "Memory Size":
			r.MemorySizeMB, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(val), " MB"))
		}
	}
	return r, true
}

// parseInitReport parses the emulator's log line
// "... (rapid) INIT REPORT(durationMs: 13.842000)".
func parseInitReport(line string) (time.Duration, bool) {
	_, rest, ok := strings.Cut(line, "INIT REPORT(durationMs: ")
	if !ok {
		return 0, false
	}
	num, _, ok := strings.Cut(rest, ")")
	if !ok {
		return 0, false
	}
	return parseMillis(num + " ms")
}

// parseInvokeFailure parses the emulator's log line
// "... (rapid) Invoke DONE failed: Runtime.ExitError" and returns the error
// type, which the emulator does not send in the response when the runtime
// died before it could report an error.
func parseInvokeFailure(line string) (string, bool) {
	_, typ, ok := strings.Cut(line, "Invoke DONE failed: ")
	typ = strings.TrimSpace(typ)
	return typ, ok && typ != ""
}

// parseMillis parses "15.17 ms".
func parseMillis(s string) (time.Duration, bool) {
	num, ok := strings.CutSuffix(strings.TrimSpace(s), " ms")
	if !ok {
		return 0, false
	}
	ms, err := strconv.ParseFloat(num, 64)
	if err != nil || ms < 0 {
		return 0, false
	}
	return time.Duration(ms * float64(time.Millisecond)), true
}
