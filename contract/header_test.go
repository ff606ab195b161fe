package contract_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/callwire/callwire/contract"
)

// headerFindings returns "severity rule pointer" of each finding about a
// header.
func headerFindings(res contract.Result) []string {
	var out []string
	for _, f := range res.Findings {
		if strings.HasPrefix(f.Pointer, "header:") {
			out = append(out, string(f.Severity)+" "+f.Rule+" "+f.Pointer)
		}
	}
	return out
}

// TestHeaderNamesCaseInsensitive: field names are case-insensitive (RFC 9110
// section 5.1), however the exchange's Header spells them.
func TestHeaderNamesCaseInsensitive(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	for _, name := range []string{"Content-Type", "content-type", "CONTENT-TYPE", "cOnTeNt-TyPe"} {
		ex := conformantExchange(t)
		ex.Header = http.Header{name: {"application/json; charset=utf-8"}}
		if got := headerFindings(v.Check(ex)); len(got) != 0 {
			t.Errorf("%s: %q, want no finding", name, got)
		}
		ex.Header = http.Header{name: {"text/html"}}
		if got := headerFindings(v.Check(ex)); !slices.Equal(got, []string{"error content-type header:Content-Type"}) {
			t.Errorf("%s: text/html: %q, want a content-type error", name, got)
		}
	}
}

// TestMediaTypeParameters: RFC 9110 allows empty elements among the
// parameters of a media type; a parameter that is there must be well formed.
func TestMediaTypeParameters(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	for _, tt := range []struct {
		value string
		valid bool
	}{
		{"application/json;  ; charset=utf-8", true},
		{"application/json;;charset=utf-8", true},
		{"application/json; charset=utf-8 ;", true},
		{"application/json ; ; ", true},
		{"application/json;", true},
		{";application/json", false},
		{"APPLICATION/JSON; CHARSET=\"utf-8\"", true},
		{`application/json; x="a;;b"; charset=utf-8`, true},
		{`application/json; x="a\";b" ;; y=1`, true},
		{"application/json\t;\t;\tcharset=utf-8", true},
		{"application/json; charset", false},
		{"application/json; =utf-8", false},
		{"application/json;; charset=utf-8; charset=latin1", false},
		{"application/json, text/html", false},
		{"application/json; x=\"unterminated", false},
		{"text/html;;", false},
		{"", false},
	} {
		ex := conformantExchange(t)
		ex.Header = http.Header{"Content-Type": {tt.value}}
		got := headerFindings(v.Check(ex))
		if valid := len(got) == 0; valid != tt.valid {
			t.Errorf("Content-Type %q: findings %q, want valid %t", tt.value, got, tt.valid)
		}
	}
}

// TestRepeatedSingletonHeader: a singleton field that appears twice is a
// finding, whatever the order of its values and however its name is spelled.
func TestRepeatedSingletonHeader(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	const json, html = "application/json", "text/html"
	repeated := []string{"error header.repeated header:Content-Type"}
	for _, tt := range []struct {
		name   string
		header http.Header
		want   []string
	}{
		{"json then html", http.Header{"Content-Type": {json, html}}, repeated},
		{"html then json", http.Header{"Content-Type": {html, json}}, repeated},
		{"json twice", http.Header{"Content-Type": {json, json + "; charset=utf-8"}}, repeated},
		{"html twice", http.Header{"Content-Type": {html, html}}, append(slices.Clone(repeated), "error content-type header:Content-Type")},
		{"two spellings", http.Header{"Content-Type": {json}, "content-type": {html}}, repeated},
		{"two spellings, other order", http.Header{"Content-Type": {html}, "content-type": {json}}, repeated},
		{"date twice", http.Header{"Content-Type": {json}, "Date": {"Mon, 02 Mar 2026 14:05:07 GMT", "Mon, 02 Mar 2026 14:05:08 GMT"}},
			[]string{"warning header.repeated header:Date"}},
		{"a list field repeated", http.Header{"Content-Type": {json}, "Vary": {"Accept", "Origin"}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ex := conformantExchange(t)
			ex.Header = tt.header
			got := headerFindings(v.Check(ex))
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("findings %q, want %q", got, want)
			}
		})
	}
}
