package lambdatest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// Concurrent go commands do not share work in progress: two cold builds of
// overlapping packages (the bootstraps of one test binary's parallel tests,
// of two test binaries go test runs at once, a test's bootstrap and the
// emulator) each compile every package they need, and with a cold build
// cache that is the standard library and the AWS SDK again for each of
// them. So the go commands lambdatest starts build in turn, holding a lock
// on the build cache's directory (an advisory lock that only lambdatest
// takes: the go command does not): the second finds what the first
// compiled in the cache and only compiles the rest and links.

// buildCache is the build cache's directory, as the go command reports it,
// read once per process; empty when there is none (GOCACHE=off) or the go
// command could not say.
var buildCache = sync.OnceValue(func() string {
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		return ""
	}
	dir := string(bytes.TrimSpace(out))
	if dir == "" || dir == "off" || !filepath.IsAbs(dir) {
		return ""
	}
	return dir
})

// lockPoll is how often a go command that waits for the build lock tries
// it again.
const lockPoll = 50 * time.Millisecond

// lockBuilds takes the build lock and returns its release. It waits until
// the lock is free or ctx is done. Where there is no build cache or no
// locking, it returns at once and locks nothing.
func lockBuilds(ctx context.Context) (release func(), err error) {
	dir := buildCache()
	if dir == "" {
		return func() {}, nil
	}
	// The go command creates the cache directory on first use.
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return func() {}, nil //nolint:nilerr // no lock: build as before
	}
	f, err := os.Open(dir)
	if err != nil {
		return func() {}, nil //nolint:nilerr // no lock: build as before
	}
	for {
		ok, err := tryLock(f)
		if err != nil {
			_ = f.Close()
			return func() {}, nil //nolint:nilerr // no lock: build as before
		}
		if ok {
			return func() {
				unlock(f)
				_ = f.Close()
			}, nil
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, ctx.Err()
		case <-time.After(lockPoll):
		}
	}
}
