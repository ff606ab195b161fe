package openapi_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/openapi"
	"github.com/callwire/callwire/contract/recording"
)

// palette is the values every property is set to in turn: each JSON type,
// whole numbers written as floats, numbers out of the integer formats'
// ranges, every enum value of the document and near misses, UUIDs and near
// misses, and shapes for the nested object.
var palette = []string{
	`null`, `true`, `false`, `0`, `-1`, `282`, `282.0`, `2.82e2`, `1.5`, `1e400`, `-0`,
	`9223372036854775808`, `2147483648`, `""`, `"x"`, `"282"`, `"null"`,
	`"human"`, `"machine"`, `"Human"`, `"inbound"`, `"outbound"`, `"outbound-api"`,
	`"completed"`, `"in-progress"`, `"initiated"`, `"no-answer"`,
	`"b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"`, `"B3F1C2D4-5E6F-4A7B-8C9D-0E1F2A3B4C5D"`,
	`"b3f1c2d45e6f4a7b8c9d0e1f2a3b4c5d"`, `"g3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"`,
	`{}`, `[]`, `[1]`, `{"recordings":"/r","notifications":null}`, `{"recordings":1}`,
	`{"notifications":"/n"}`, `{"recordings":null,"notifications":2}`,
}

// TestEvaluatorMatchesReference sets every property of a conformant call and
// of each documented error body to every palette value (and deletes it), and
// requires the embedded evaluator (contract.New) to report exactly what
// libopenapi-validator's own compiled schemas report.
func TestEvaluatorMatchesReference(t *testing.T) {
	t.Parallel()
	compiled, reference := validators(t)
	for _, name := range []string{
		"conformant/200-completed-inbound-human.json",
		"conformant/404-not-found.json",
		"conformant/401-unauthorized.json",
		"conformant/400-invalid.json",
	} {
		rec, err := recording.ReadRecording(filepath.Join(testdataDir, "recordings", name))
		if err != nil {
			t.Fatal(err)
		}
		base := rec.Exchange()
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(base.Body, &doc); err != nil {
			t.Fatal(err)
		}
		keys := make([]string, 0, len(doc)+1)
		for k := range doc {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		keys = append(keys, "undeclared_extra")
		failing := 0
		for _, key := range keys {
			for _, value := range append(slices.Clone(palette), "") {
				mutated := make(map[string]json.RawMessage, len(doc))
				for k, v := range doc {
					mutated[k] = v
				}
				if value == "" {
					delete(mutated, key)
				} else {
					mutated[key] = json.RawMessage(value)
				}
				body, err := json.Marshal(mutated)
				if err != nil {
					t.Fatal(err)
				}
				ex := base
				ex.Body = body
				want := reference.Check(ex)
				if diff := cmp.Diff(want, compiled.Check(ex)); diff != "" {
					t.Errorf("%s with %s = %s: findings differ (-libopenapi +embedded):\n%s", name, key, value, diff)
				}
				if full, _ := reference.CheckDecoded(ex); !cmp.Equal(want, full) {
					t.Errorf("%s with %s = %s: the library reports otherwise on the whole document:\n%s", name, key, value, cmp.Diff(want, full))
				}
				if want.Errors() > 0 {
					failing++
				}
			}
		}
		// Most mutations must break the schema, or the comparison proves little.
		if failing < len(keys)*len(palette)/2 {
			t.Errorf("%s: %d mutations break the schema, want at least half", name, failing)
		}
	}
}

// FuzzEvaluatorMatchesReference compares the two evaluators on arbitrary
// bodies, as a 200 and as a 404.
func FuzzEvaluatorMatchesReference(f *testing.F) {
	_, exchanges := recordings(f)
	for _, ex := range exchanges {
		f.Add(ex.Body)
	}
	f.Add([]byte(`{"answered_by":1.0,"subresource_uris":{"recordings":[]}}`))
	f.Add([]byte(`{"duration":1e1000001,"answered_by":2e-1000001}`))
	compiled, reference := validators(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		if refusedByMathBig(body) {
			return
		}
		for _, status := range []int{200, 404} {
			ex := exchange(status, body)
			want := reference.Check(ex)
			if diff := cmp.Diff(want, compiled.Check(ex)); diff != "" {
				t.Errorf("status %d: findings differ (-libopenapi +embedded):\n%s", status, diff)
			}
			// Check leaves out what the schema does not declare; the
			// library, given the whole document, must agree.
			if full, _ := reference.CheckDecoded(ex); !cmp.Equal(want, full) {
				t.Errorf("status %d: the library reports otherwise on the whole document (-pruned +whole):\n%s", status, cmp.Diff(want, full))
			}
		}
	})
}

// refusedByMathBig reports whether body holds a number that math/big
// refuses (an exponent beyond 10^6 once its fraction digits are counted):
// the reference validator then takes the number for no integer and equal to
// nothing, where the embedded evaluator reads its value (1e1000001 is as
// whole as 10e1000000). These bodies, and no others, are left out of the
// comparison.
func refusedByMathBig(body []byte) bool {
	doc, err := contract.DecodeJSON(body)
	if err != nil {
		return false
	}
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case json.Number:
			_, ok := new(big.Rat).SetString(string(v))
			return !ok
		case map[string]any:
			for _, x := range v {
				if walk(x) {
					return true
				}
			}
		case []any:
			for _, x := range v {
				if walk(x) {
					return true
				}
			}
		}
		return false
	}
	return walk(doc)
}

// TestEvaluatorDisagreesOnlyWhereMathBigRefuses shows the one place the
// embedded evaluator and the reference part, on purpose: numbers whose
// exponent math/big refuses.
func TestEvaluatorDisagreesOnlyWhereMathBigRefuses(t *testing.T) {
	t.Parallel()
	compiled, reference := validators(t)
	base := exchange(200, nil)
	rec, err := recording.ReadRecording(filepath.Join(testdataDir, "recordings", "conformant", "200-completed-inbound-human.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		duration string
		refused  bool
	}{
		{"1e1000001", true},
		{"0.1e1000002", true},
		{"282e0", false},
		{"2820e-1", false},
		{"1e1000", false},
		{"1.5", false},
	} {
		ex := base
		ex.Body = bytes.Replace(rec.Exchange().Body, []byte(`"duration": 282`), []byte(`"duration": `+tt.duration), 1)
		if got := refusedByMathBig(ex.Body); got != tt.refused {
			t.Fatalf("%s: refusedByMathBig = %t", tt.duration, got)
		}
		same := cmp.Equal(reference.Check(ex), compiled.Check(ex))
		if same == tt.refused {
			t.Errorf("duration %s: results equal %t, want %t", tt.duration, same, !tt.refused)
		}
	}
}

// TestEvaluatorRefusesWhatItCannotCheck: a rendered schema using a keyword
// or format the embedded evaluator does not implement is refused when the
// validator is built, never checked less strictly.
func TestEvaluatorRefusesWhatItCannotCheck(t *testing.T) {
	t.Parallel()
	for _, schema := range []string{
		`{"type":"object","additionalProperties":false}`,
		`{"type":"string","pattern":"^a"}`,
		`{"type":"integer","minimum":0}`,
		`{"properties":{"at":{"type":"string","format":"date-time"}}}`,
		`{"oneOf":[{"enum":[{"a":1}]}]}`,
		`{"items":{"type":"string"}}`,
		`{"$ref":"#/definitions/x"}`,
		`{"type":"text"}`,
		`[]`,
	} {
		if _, err := contract.CompileSchema([]byte(schema)); err == nil {
			t.Errorf("CompileSchema(%s) = nil error, want a refusal", schema)
		}
	}
	for _, schema := range []string{
		`{"type":["number","null"],"format":"double","description":"d","title":"t"}`,
		`{"allOf":[{"description":"x"},{"enum":["a","b"],"type":"string"}]}`,
		`{"type":"integer","format":"int32","example":1,"deprecated":true}`,
	} {
		if _, err := contract.CompileSchema([]byte(schema)); err != nil {
			t.Errorf("CompileSchema(%s) = %v, want it accepted", schema, err)
		}
	}
}

func validators(tb testing.TB) (compiled, reference *contract.Validator) {
	tb.Helper()
	compiled, err := contract.New()
	if err != nil {
		tb.Fatal(err)
	}
	reference, err = openapi.NewValidator(contract.Spec)
	if err != nil {
		tb.Fatal(err)
	}
	return compiled, reference
}

// TestEvaluatorMatchesReferenceOnRealData compares the two evaluators on the
// real responses beside the checkout (see contract's TestRealData); it skips
// when they are absent.
func TestEvaluatorMatchesReferenceOnRealData(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("CALLWIRE_REALDATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "realdata")
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.md")); err != nil {
		t.Skipf("no real-world responses at %s (set CALLWIRE_REALDATA to run this): %v", dir, err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no responses under %s: %v", dir, err)
	}
	compiled, reference := validators(t)
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, status := range []int{200, 404} {
			ex := exchange(status, body)
			if diff := cmp.Diff(reference.Check(ex), compiled.Check(ex)); diff != "" {
				t.Errorf("%s as %d: findings differ (-libopenapi +embedded):\n%s", filepath.Base(f), status, diff)
			}
		}
	}
}

func exchange(status int, body []byte) contract.Exchange {
	return contract.Exchange{
		Method: "GET",
		URL:    "https://example.signalwire.com/api/laml/2010-04-01/Accounts/b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/Calls/c0c0ca11-0008-4b05-a486-000000000008",
		Status: status,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   body,
	}
}

// keywordSpec uses every keyword and format the embedded evaluator
// implements, in the combinations the pinned document does not have:
// overlapping oneOf branches (an integer matches both), anyOf, const,
// mixed-type enums, the OpenAPI integer formats, nested required, and
// required without properties.
const keywordSpec = `openapi: 3.1.0
info: {title: keywords, version: "1"}
servers: [{url: "https://example.com/v1"}]
paths:
  /things/{Id}:
    get:
      operationId: get-thing
      parameters: [{name: Id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: a thing
          content:
            application/json:
              schema:
                type: object
                required: [a, b]
                properties:
                  a: {type: integer, format: int32}
                  b: {type: [integer, "null"], format: int64}
                  c: {const: fixed}
                  d: {anyOf: [{type: string, format: uuid}, {type: integer}]}
                  e: {oneOf: [{type: number}, {type: integer}]}
                  f: {enum: [1, 2.5, x, true, null]}
                  g: {type: object, required: [h], properties: {h: {type: [string, "null"]}}}
                  i: {allOf: [{type: number}, {enum: [1, 2]}]}
                  j: {type: object, required: [k]}
`

// TestEvaluatorMatchesReferenceOnKeywords compares the two evaluators on a
// document of its own, built both ways from the same YAML: every property
// set to every palette value, and a few shapes of the whole body.
func TestEvaluatorMatchesReferenceOnKeywords(t *testing.T) {
	t.Parallel()
	reference, err := openapi.NewValidator([]byte(keywordSpec))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := openapi.Compile([]byte(keywordSpec))
	if err != nil {
		t.Fatal(err)
	}
	compiled, err := contract.NewFromCompiled(cs)
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]json.RawMessage{
		"a": json.RawMessage(`7`), "b": json.RawMessage(`null`), "c": json.RawMessage(`"fixed"`),
		"d": json.RawMessage(`3`), "e": json.RawMessage(`1.5`), "f": json.RawMessage(`2.5`),
		"g": json.RawMessage(`{"h":"x"}`), "i": json.RawMessage(`2`), "j": json.RawMessage(`{"k":{"deep":[1]},"l":2}`),
	}
	bodies := []string{`{}`, `[]`, `null`, `{"g":{}}`, `{"g":{"h":1}}`, `{"g":{"h":"x","z":{"y":1}},"z":[{}]}`}
	for key := range base {
		for _, value := range append(slices.Clone(palette), "", `"fixed"`, `2.50`, `1.0`, `x`) {
			m := maps.Clone(base)
			if value == "" {
				delete(m, key)
			} else {
				m[key] = json.RawMessage(value)
			}
			b, err := json.Marshal(m)
			if err != nil {
				continue // not JSON (the bare x): skip
			}
			bodies = append(bodies, string(b))
		}
	}
	thing := func(body []byte) contract.Exchange {
		ex := exchange(200, body)
		ex.URL = "https://example.com/v1/things/1"
		return ex
	}
	failing := 0
	for _, body := range bodies {
		ex := thing([]byte(body))
		want := reference.Check(ex)
		if diff := cmp.Diff(want, compiled.Check(ex)); diff != "" {
			t.Errorf("%s: findings differ (-libopenapi +embedded):\n%s", body, diff)
		}
		if full, _ := reference.CheckDecoded(ex); !cmp.Equal(want, full) {
			t.Errorf("%s: the library reports otherwise on the whole document:\n%s", body, cmp.Diff(want, full))
		}
		if want.Errors() > 0 {
			failing++
		}
	}
	if conformant := reference.Check(thing(mustJSON(t, base))); !conformant.Conformant {
		t.Fatalf("the base body is not conformant: %+v", conformant.Findings)
	}
	if failing < len(bodies)/2 {
		t.Errorf("%d of %d bodies break the schema, want at least half", failing, len(bodies))
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
