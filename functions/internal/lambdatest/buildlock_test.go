package lambdatest

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// TestBuildsTakeTheBuildLock: while another holder has the build cache's
// lock, a bootstrap build and the emulator's build wait for it (here until
// their context ends), and once it is released the next holder gets it.
// Concurrent cold builds would otherwise compile the same packages each.
func TestBuildsTakeTheBuildLock(t *testing.T) { //nolint:paralleltest // holds the lock the other tests' builds take
	if runtime.GOOS != "linux" {
		t.Skip("the build lock is a flock, taken on Linux")
	}
	if buildCache() == "" {
		t.Skip("no build cache to lock (GOCACHE=off)")
	}
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	release, err := lockBuilds(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	held := true
	defer func() {
		if held {
			release()
		}
	}()
	wait := func(name string, build func(ctx context.Context) error) {
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		if err := build(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s while the build lock is held = %v, want it to wait until its context ends", name, err)
		}
	}
	wait("BuildBootstrap", func(ctx context.Context) error {
		_, err := BuildBootstrap(ctx, root, "./functions/internal/lambdatest/testdata/fixturefn", t.TempDir())
		return err
	})
	wait("RIEPath", func(ctx context.Context) error {
		_, err := RIEPath(ctx, root)
		return err
	})
	release()
	held = false
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	again, err := lockBuilds(ctx)
	if err != nil {
		t.Fatalf("lockBuilds after release = %v, want the lock", err)
	}
	again()
}
