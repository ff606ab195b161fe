package openapi_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/openapi"
	"github.com/callwire/callwire/contract/recording"
)

// testdataDir is the project's testdata, seen from this package.
const testdataDir = "../../testdata"

// TestCompiledFresh fails when contract/compiled.json is not what the
// generator renders from the pinned spec today.
func TestCompiledFresh(t *testing.T) {
	t.Parallel()
	want, err := openapi.Render(contract.Spec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", contract.CompiledName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("contract/%s is stale; run go generate ./contract\n%s", contract.CompiledName, cmp.Diff(string(want), string(got)))
	}
}

// TestCompiledEquivalent checks that the precompiled validator (contract.New)
// and one on libopenapi-validator's own compiled schemas give identical
// results for every recording and for mutations of a conformant one.
func TestCompiledEquivalent(t *testing.T) {
	t.Parallel()
	compiled, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	reference, err := openapi.NewValidator(contract.Spec)
	if err != nil {
		t.Fatal(err)
	}
	names, exchanges := recordings(t)
	base := exchanges[0]
	for i, f := range names {
		if strings.HasSuffix(f, "200-completed-inbound-human.json") {
			base = exchanges[i]
		}
	}
	mutations := map[string]func(b []byte) []byte{
		"answered_by robot": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"answered_by": "human"`), []byte(`"answered_by": "robot"`), 1)
		},
		"duration string": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"duration": 282`), []byte(`"duration": "282"`), 1)
		},
		"missing duration": func(b []byte) []byte { return bytes.Replace(b, []byte(`"duration"`), []byte(`"duration_x"`), 1) },
		"array":            func([]byte) []byte { return []byte(`[1,2]`) },
		"not json":         func([]byte) []byte { return []byte(`{"a":`) },
		"nested required": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"recordings"`), []byte(`"recordingz"`), 1)
		},
	}
	for name, m := range mutations {
		ex := base
		ex.Body = m(bytes.Clone(base.Body))
		ex.Header = http.Header{"Content-Type": {"application/json"}}
		exchanges = append(exchanges, ex)
		names = append(names, "mutation "+name)
	}
	for i, ex := range exchanges {
		t.Run(filepath.Base(names[i]), func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(reference.Check(ex), compiled.Check(ex)); diff != "" {
				t.Errorf("findings differ (-libopenapi +compiled):\n%s", diff)
			}
		})
	}
}

// BenchmarkNew compares building the validator from compiled.json (what a
// cold start pays) with building it through libopenapi.
func BenchmarkNew(b *testing.B) {
	b.Run("compiled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := contract.New(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("libopenapi", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := openapi.NewValidator(contract.Spec); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// recordings reads every recording under testdata/recordings.
func recordings(tb testing.TB) (names []string, exchanges []contract.Exchange) {
	tb.Helper()
	files, err := recording.FindFiles(filepath.Join(testdataDir, "recordings"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".json") {
			continue
		}
		rec, err := recording.ReadRecording(f)
		if err != nil {
			tb.Fatal(err)
		}
		exchanges = append(exchanges, rec.Exchange())
		names = append(names, f)
	}
	if len(exchanges) < 10 {
		tb.Fatalf("found %d recordings, want at least 10", len(exchanges))
	}
	return names, exchanges
}
