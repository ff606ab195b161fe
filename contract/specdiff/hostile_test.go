package specdiff_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/specdiff"
)

// TestLoadHostile checks that documents built to hurt are refused with a
// *DocumentError that says why, without reading anything else. The whole
// test runs in well under a second; go test's timeout bounds a regression.
func TestLoadHostile(t *testing.T) {
	t.Parallel()
	pinned := string(contract.Spec)
	replace := func(old, new string) string {
		if strings.Count(pinned, old) < 1 {
			t.Fatalf("%q not in the pinned document", old)
		}
		return strings.Replace(pinned, old, new, 1)
	}
	var bomb strings.Builder
	bomb.WriteString("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\nx0: &x0 [a,a,a,a,a,a,a,a,a,a]\n")
	for i := 1; i < 12; i++ {
		ref := fmt.Sprintf("*x%d", i-1)
		fmt.Fprintf(&bomb, "x%d: &x%d [%s]\n", i, i, strings.Repeat(ref+",", 9)+ref)
	}
	statusRef := "          $ref: '#/components/schemas/CallStatus'\n"
	loop := strings.Replace(replace(statusRef, "          $ref: '#/components/schemas/Loop'\n"),
		"    CallStatus:\n", "    Loop:\n      $ref: '#/components/schemas/Loop2'\n    Loop2:\n      $ref: '#/components/schemas/Loop'\n    CallStatus:\n", 1)
	tests := []struct {
		name, doc, want string
	}{
		{"huge", "openapi: 3.1.0\n#" + strings.Repeat("x", specdiff.MaxSpecSize), "is larger than"},
		{"deep nesting", "openapi: 3.1.0\nx: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n", "exceeded max depth"},
		{"alias bomb", bomb.String(), "excessive aliasing"},
		{"$ref loop", loop, "loop of references"},
		{"external URL", replace(statusRef, "          $ref: 'https://example.com/x.yaml#/CallStatus'\n"), "disallowed external reference"},
		{"other file", replace(statusRef, "          $ref: '/etc/passwd'\n"), "disallowed external reference"},
		{"Swagger 2", "swagger: '2.0'\ninfo: {title: x, version: '1'}\n", "Swagger 2.0"},
		{"OpenAPI 4", "openapi: 4.0.0\n", "declares OpenAPI 4.0.0"},
		{"not OpenAPI", `{"type": "FeatureCollection"}`, "no openapi version field"},
		{"HTML", "<html><body>moved</body></html>", "not an OpenAPI document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := specdiff.Load("published", []byte(tt.doc))
			var de *specdiff.DocumentError
			if !errors.As(err, &de) {
				t.Fatalf("Load: %v, want a *DocumentError", err)
			}
			if !strings.Contains(de.Error(), tt.want) || !strings.HasPrefix(de.Error(), "published ") {
				t.Errorf("Load: %q, want it to name the document and say %q", de.Error(), tt.want)
			}
		})
	}
	t.Run("a schema that refers to itself is fine", func(t *testing.T) {
		t.Parallel()
		doc := strings.Replace(replace("          $ref: '#/components/schemas/CallSubresourceUris'\n", "          $ref: '#/components/schemas/Node'\n"),
			"    CallStatus:\n", "    Node:\n      type: object\n      properties:\n        next:\n          $ref: '#/components/schemas/Node'\n    CallStatus:\n", 1)
		d, err := specdiff.Load("published", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		sh, ok := d.ShapeAt(specdiff.RetrieveCall, "200 /subresource_uris")
		if !ok || !strings.Contains(string(sh.Schema), `"next":{"properties":{"next":{}}`) {
			t.Errorf("ShapeAt = %s, %v; want the loop cut one level down", sh.Schema, ok)
		}
	})
}

// TestShapeAt checks the shapes the spec watch judges live values with.
func TestShapeAt(t *testing.T) {
	t.Parallel()
	d, err := specdiff.Load("pinned", contract.Spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		pointer, want string
		ok            bool
	}{
		{"200 /direction", `{"enum":["inbound","outbound"],"type":["string"]}`, true},
		{"200 /answered_by", `{"enum":["human","machine",null],"type":["string","null"]}`, true},
		{"200 /nosuch", "", false},
		{"500", "", false},
	} {
		sh, ok := d.ShapeAt(specdiff.RetrieveCall, tt.pointer)
		if ok != tt.ok || string(sh.Schema) != tt.want {
			t.Errorf("ShapeAt(%q) = %s, %v; want %s, %v", tt.pointer, sh.Schema, ok, tt.want, tt.ok)
		}
		if ok {
			if _, err := contract.CompileSchema(sh.Schema); err != nil {
				t.Errorf("ShapeAt(%q): the contract core refuses it: %v", tt.pointer, err)
			}
		}
	}
	if !d.Has(specdiff.RetrieveCall) || d.Has(specdiff.ListCalls) {
		t.Errorf("Has: the pinned document documents Retrieve a Call only")
	}
}
