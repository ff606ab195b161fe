package specdiff

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	yaml "go.yaml.in/yaml/v4"
)

// MaxSpecSize bounds a document read by Run.
const MaxSpecSize = 8 << 20

// DocumentError reports a document that cannot be compared: unreadable,
// empty, not YAML or JSON, not OpenAPI 3, or without the operation.
type DocumentError struct {
	// Name is the file the document came from, or "old document" and
	// "new document" for bytes handed to Diff.
	Name string
	// Problem says what is wrong, as a sentence fragment that follows the
	// name: "is empty", "is not valid YAML or JSON (line 3, column 1: ...)".
	Problem string
	// Err is the underlying cause, when there is one.
	Err error
}

// Error returns the name and the problem, e.g. "old.yaml is empty".
func (e *DocumentError) Error() string {
	return e.Name + " " + e.Problem
}

// Unwrap returns the underlying cause, so errors.Is(err, fs.ErrNotExist)
// works for a missing file.
func (e *DocumentError) Unwrap() error { return e.Err }

// ReadFile reads the document at path as Run does: at most MaxSpecSize
// bytes, a *DocumentError naming the file otherwise.
func ReadFile(path string) ([]byte, error) { return readSpec(path) }

// readSpec reads the file at path, at most MaxSpecSize bytes.
func readSpec(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &DocumentError{Name: path, Problem: openProblem(err), Err: err}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, &DocumentError{Name: path, Problem: "is a directory, not an OpenAPI document"}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSpecSize+1))
	if err != nil {
		return nil, &DocumentError{Name: path, Problem: "cannot be read", Err: err}
	}
	if len(data) > MaxSpecSize {
		return nil, &DocumentError{Name: path, Problem: fmt.Sprintf("is larger than %d bytes", MaxSpecSize)}
	}
	return data, nil
}

func openProblem(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist"
	case errors.Is(err, fs.ErrPermission):
		return "cannot be read: permission denied"
	default:
		return "cannot be opened"
	}
}

// loadSpec parses an OpenAPI 3 document. Local references ("#/...") are
// resolved; references to other files or URLs are refused, so a document
// never makes the diff read anything else.
//
// The document is first read as plain YAML (JSON is YAML too) so that an
// empty file, a syntax error or a document that is not OpenAPI gets its own
// sentence instead of the loader's.
func loadSpec(name string, data []byte) (*openapi3.T, error) {
	if err := checkShape(name, data); err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromDataWithPath(data, &url.URL{Path: name})
	if err != nil {
		return nil, &DocumentError{Name: name, Problem: "is not a valid OpenAPI 3 document: " + loaderDetail(err), Err: err}
	}
	return doc, nil
}

// checkShape checks that data is a YAML or JSON mapping that declares
// OpenAPI 3.
func checkShape(name string, data []byte) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		if json.Valid(data) {
			// The YAML parser refuses some JSON the loader accepts
			// (duplicate keys); let the loader judge it.
			return nil
		}
		return &DocumentError{Name: name, Problem: "is not valid YAML or JSON (" + yamlDetail(err) + ")", Err: err}
	}
	if len(root.Content) == 0 {
		return &DocumentError{Name: name, Problem: "is empty"}
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return &DocumentError{Name: name, Problem: fmt.Sprintf("is not an OpenAPI document: its top level is %s, not a mapping", nodeKind(top))}
	}
	version, swagger := "", ""
	for i := 0; i+1 < len(top.Content); i += 2 {
		switch top.Content[i].Value {
		case "openapi":
			version = top.Content[i+1].Value
		case "swagger":
			swagger = top.Content[i+1].Value
		}
	}
	switch {
	case version == "" && swagger != "":
		return &DocumentError{Name: name, Problem: fmt.Sprintf("is a Swagger %s document; diff compares OpenAPI 3.0 and 3.1 documents", swagger)}
	case version == "":
		return &DocumentError{Name: name, Problem: "is not an OpenAPI document: it has no openapi version field"}
	case !strings.HasPrefix(version, "3."):
		return &DocumentError{Name: name, Problem: fmt.Sprintf("declares OpenAPI %s; diff compares OpenAPI 3.0 and 3.1 documents", version)}
	}
	return nil
}

// yamlDetail says where the YAML breaks: "line 3, column 1: did not find
// expected ',' or ']' in a flow sequence that starts at line 2, column 15".
func yamlDetail(err error) string {
	var le *yaml.LoadError
	if !errors.As(err, &le) || le.Message == "" {
		return strings.TrimPrefix(err.Error(), "yaml: ")
	}
	msg := le.Message
	if ctx := le.ContextMsg; ctx != "" && le.ContextMark.Line > 0 && le.ContextMark != le.Mark {
		ctx = strings.TrimPrefix(strings.TrimPrefix(ctx, "while parsing "), "while scanning ")
		msg += fmt.Sprintf(" in %s that starts at line %d, column %d", ctx, le.ContextMark.Line, le.ContextMark.Column)
	}
	switch {
	case le.Mark.Line > 0 && le.Mark.Column > 0:
		return fmt.Sprintf("line %d, column %d: %s", le.Mark.Line, le.Mark.Column, msg)
	case le.Mark.Line > 0:
		return fmt.Sprintf("line %d: %s", le.Mark.Line, msg)
	default:
		return msg
	}
}

// loaderDetail says what the loader found wrong. A value of the wrong
// shape ("cannot construct !!seq into map[string]*openapi3.PathItem in
// /paths") is told in plain words with its line and place; other loader
// errors (an unresolvable or external $ref) keep their text without the
// decoder's framing.
func loaderDetail(err error) string {
	var many *yaml.LoadErrors
	var one *yaml.LoadError
	var parts []string
	switch {
	case errors.As(err, &many):
		for _, e := range many.Errors {
			parts = append(parts, constructDetail(e))
		}
	case errors.As(err, &one):
		parts = append(parts, constructDetail(one))
	}
	if len(parts) > 0 {
		return strings.Join(parts, "; ")
	}
	msg := err.Error()
	for _, prefix := range []string{"failed to unmarshal data: ", "json error: ", "yaml error: "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	return msg
}

// constructPattern matches the decoder's message for a value of the wrong
// shape: its YAML tag, the value for a scalar, the Go type it was meant
// for, and the place the loader appends.
var constructPattern = regexp.MustCompile("^cannot construct !!(\\w+)(?: `([^`]*)`)? into (\\S+)(?: \\(TextUnmarshaler\\))?(?: in (\\S+))?$")

func constructDetail(e *yaml.LoadError) string {
	msg := e.Message
	if m := constructPattern.FindStringSubmatch(msg); m != nil {
		got := yamlKind(m[1])
		if m[2] != "" {
			got += " (" + m[2] + ")"
		}
		place := m[4]
		if place == "" {
			place = "a value"
		}
		msg = fmt.Sprintf("%s is %s where %s is expected", place, got, goKind(m[3]))
	}
	if e.Mark.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Mark.Line, msg)
	}
	return msg
}

func yamlKind(tag string) string {
	switch tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	case "str":
		return "a string"
	case "int", "float":
		return "a number"
	case "bool":
		return "true or false"
	case "null":
		return "null"
	default:
		return "a " + tag
	}
}

func goKind(typ string) string {
	typ = strings.TrimLeft(typ, "*")
	switch {
	case strings.HasPrefix(typ, "map["):
		return "a mapping"
	case strings.HasPrefix(typ, "[]"):
		return "a list"
	case typ == "string":
		return "a string"
	case typ == "bool":
		return "true or false"
	case strings.HasPrefix(typ, "int"), strings.HasPrefix(typ, "uint"), strings.HasPrefix(typ, "float"):
		return "a number"
	default:
		return "an object"
	}
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	default:
		return "an alias"
	}
}
