package specwatch

import (
	"slices"
	"strconv"
	"strings"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/specdiff"
)

// Reality says which document the sampled live responses follow at a
// change's pointer.
type Reality string

// The verdicts.
const (
	// RealityPinned: every sampled value conforms to the old document there
	// and at least one does not conform to the published one.
	RealityPinned Reality = "pinned"
	// RealityPublished: the other way round.
	RealityPublished Reality = "published"
	// RealityBoth: every sampled value conforms to both.
	RealityBoth Reality = "both"
	// RealityNeither: some value departs from each document.
	RealityNeither Reality = "neither"
	// RealityNotExercised: no sampled response holds a value there (or the
	// change is to List Calls, which the sample does not read).
	RealityNotExercised Reality = "not-exercised"
)

// sample is one live Retrieve a Call exchange, decoded.
type sample struct {
	status int
	body   any
}

// side is what one document allows at a pointer, compiled for the
// contract core's evaluator; nil schema when the document does not declare
// the pointer, which a reader of that document takes as anything.
type side struct {
	schema contract.Schema
	shape  specdiff.Shape
}

func newSide(d *specdiff.Document, op specdiff.Operation, pointer string) side {
	if d == nil {
		return side{}
	}
	sh, ok := d.ShapeAt(op, pointer)
	if !ok {
		return side{}
	}
	s, err := contract.CompileSchema(sh.Schema)
	if err != nil {
		// The render keeps only what the evaluator reads; a schema it
		// still refuses is judged by its closed-object rule alone.
		return side{shape: sh}
	}
	return side{schema: s, shape: sh}
}

// accepts reports whether v conforms to the side.
func (s side) accepts(v any) bool {
	if s.schema != nil && s.schema.Evaluate(v) != nil {
		return false
	}
	if obj, ok := v.(map[string]any); ok && s.shape.Closed {
		for name := range obj {
			if !slices.Contains(s.shape.Declared, name) {
				return false
			}
		}
	}
	return true
}

// judge returns which document the samples follow at the change's pointer.
func judge(ch specdiff.Change, old, published side, samples []sample) Reality {
	status, ptr, _ := strings.Cut(ch.Pointer, " ")
	if status == "" {
		return RealityNotExercised
	}
	oldOK, newOK, seen := true, true, false
	for _, s := range samples {
		if strconv.Itoa(s.status) != status {
			continue
		}
		for _, v := range valuesAt(s.body, ptr) {
			seen = true
			oldOK = oldOK && old.accepts(v)
			newOK = newOK && published.accepts(v)
		}
	}
	switch {
	case !seen:
		return RealityNotExercised
	case oldOK && newOK:
		return RealityBoth
	case oldOK:
		return RealityPinned
	case newOK:
		return RealityPublished
	default:
		return RealityNeither
	}
}

// valuesAt returns the values at an RFC 6901 pointer in v, "*" standing for
// every array item or member; none when the pointer is absent.
func valuesAt(v any, ptr string) []any {
	if ptr == "" {
		return []any{v}
	}
	tok, rest, _ := strings.Cut(strings.TrimPrefix(ptr, "/"), "/")
	if rest != "" {
		rest = "/" + rest
	}
	tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
	var out []any
	switch x := v.(type) {
	case map[string]any:
		if tok == "*" {
			for _, m := range x {
				out = append(out, valuesAt(m, rest)...)
			}
		} else if m, ok := x[tok]; ok {
			out = append(out, valuesAt(m, rest)...)
		}
	case []any:
		if tok == "*" {
			for _, m := range x {
				out = append(out, valuesAt(m, rest)...)
			}
		}
	}
	return out
}
