package idempotency

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSpecState(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(b.client, createTable(t, b.client))
			ctx := t.Context()
			if _, ok, err := s.LoadSpec(ctx); err != nil || ok {
				t.Fatalf("LoadSpec on an empty table = %v, %v; want none", ok, err)
			}
			first := SpecState{SHA256: "aaa", ETag: `"e1"`, Document: []byte("openapi: 3.1.0\n"), SeenAt: 100}
			if err := s.SaveSpec(ctx, first, ""); err != nil {
				t.Fatal(err)
			}
			if err := s.SaveSpec(ctx, first, ""); !errors.Is(err, ErrSpecStateConflict) {
				t.Fatalf("a second first save = %v, want ErrSpecStateConflict", err)
			}
			got, ok, err := s.LoadSpec(ctx)
			if err != nil || !ok {
				t.Fatalf("LoadSpec = %v, %v", ok, err)
			}
			if diff := cmp.Diff(first, got); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
			second := SpecState{SHA256: "bbb", LastModified: "Mon, 02 Mar 2026 14:07:45 GMT", Document: bytes.Repeat([]byte("x: y\n"), 10000), SeenAt: 200}
			if err := s.SaveSpec(ctx, second, "zzz"); !errors.Is(err, ErrSpecStateConflict) {
				t.Fatalf("a save over a state it did not read = %v, want ErrSpecStateConflict", err)
			}
			if err := s.SaveSpec(ctx, second, "aaa"); err != nil {
				t.Fatal(err)
			}
			got, _, err = s.LoadSpec(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(second, got); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
			noise := make([]byte, MaxSpecDocument+1)
			_, _ = rand.Read(noise)
			if err := s.SaveSpec(ctx, SpecState{SHA256: "ccc", Document: noise}, "bbb"); err == nil {
				t.Error("a document that does not compress under the cap was saved")
			}
		})
	}
}
