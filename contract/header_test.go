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

// TestMediaTypeRFC9110 reads Content-Type by RFC 9110's grammar (sections
// 5.5, 5.6.2, 5.6.4, 5.6.6 and 8.3.1) on the octets of the field value:
// OWS is SP and HTAB only, no whitespace around "=", tokens are tchar,
// quoted strings hold no control character but may hold obs-text.
func TestMediaTypeRFC9110(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	for _, tt := range []struct {
		name  string
		value string
		valid bool
	}{
		{"plain", "application/json", true},
		{"leading and trailing OWS of the field value", " \tapplication/json; charset=utf-8\t ", true},
		{"quoted value", `application/json; charset="utf-8"`, true},
		{"empty quoted value", `application/json; x=""`, true},
		{"quoted-pair", `application/json; x="a\"b\\c"`, true},
		{"obs-text in a quoted string", "application/json; x=\"caf\xc3\xa9\xff\"", true},
		{"obs-text after a backslash", "application/json; x=\"\\\xe9\"", true},
		{"HTAB and SP in a quoted string", "application/json; x=\"a\tb c\"", true},
		{"every tchar", "application/json; !#$%&'*+-.^_`|~09AZaz=!#$%&'*+-.^_`|~09AZaz", true},
		{"space before =", "application/json; charset =utf-8", false},
		{"space after =", "application/json; charset= utf-8", false},
		{"tab around =", "application/json; charset\t=\tutf-8", false},
		{"space in the type", "application /json", false},
		{"space after the slash", "application/ json", false},
		{"no-break space as OWS", "application/json;\u00a0charset=utf-8", false},
		{"no-break space at the end", "application/json\u00a0", false},
		{"NEL at the end", "application/json\u0085", false},
		{"em space before ;", "application/json\u2003; charset=utf-8", false},
		{"vertical tab", "application/json;\vcharset=utf-8", false},
		{"form feed", "\fapplication/json", false},
		{"CR", "application/json;\rcharset=utf-8", false},
		{"LF", "application/json\n", false},
		{"CRLF fold", "application/json;\r\n charset=utf-8", false},
		{"{ in a token", "application/json; x={a}", false},
		{"} in the subtype", "application/json}", false},
		{"{ in a name", "application/json; {x=1", false},
		{"NUL in a quoted string", "application/json; x=\"a\x00b\"", false},
		{"ESC in a quoted string", "application/json; x=\"a\x1bb\"", false},
		{"DEL in a quoted string", "application/json; x=\"a\x7fb\"", false},
		{"LF in a quoted string", "application/json; x=\"a\nb\"", false},
		{"DEL after a backslash", "application/json; x=\"\\\x7f\"", false},
		{"non-ASCII in a token", "application/json; charset=utf\xc3\xa98", false},
		{"empty value", "application/json; charset=", false},
		{"no ; between parameters", "application/json; a=b c=d", false},
		{"text after a quoted value", `application/json; a="b"c`, false},
		{"empty type", "/json", false},
		{"empty subtype", "application/", false},
		{"two slashes", "application/json/x", false},
	} {
		ex := conformantExchange(t)
		ex.Header = http.Header{"Content-Type": {tt.value}}
		got := headerFindings(v.Check(ex))
		if valid := len(got) == 0; valid != tt.valid {
			t.Errorf("%s: Content-Type %q: findings %q, want valid %t", tt.name, tt.value, got, tt.valid)
		}
	}
}

// TestMalformedContentTypeOnAnyStatus: a Content-Type that is not a media
// type is reported on every status, documented or not, and a body that is
// not JSON is not reported again as a JSON body when the response does not
// declare it JSON.
func TestMalformedContentTypeOnAnyStatus(t *testing.T) {
	t.Parallel()
	v := newValidator(t)
	for _, status := range []int{200, 404, 500, 502} {
		for _, ct := range []string{"application/json; charset = utf-8", "application/json;\u00a0charset=utf-8", "application/json\r", "text/html"} {
			ex := conformantExchange(t)
			ex.Status = status
			ex.Header = http.Header{"Content-Type": {ct}}
			ex.Body = []byte("<html>Bad Gateway</html>")
			res := v.Check(ex)
			if got := headerFindings(res); !slices.Equal(got, []string{"error content-type header:Content-Type"}) {
				t.Errorf("status %d, Content-Type %q: header findings %q, want a content-type error", status, ct, got)
			}
			for _, body := range []string{"", " "} {
				ex.Body = []byte(body)
				if got := ruleFindings(v.Check(ex), "body.empty"); len(got) != 0 {
					t.Errorf("status %d, Content-Type %q, body %q: %v", status, ct, body, summarize(got))
				}
			}
			for _, f := range res.Findings {
				if strings.HasPrefix(f.Rule, "body.") {
					t.Errorf("status %d, Content-Type %q: %s: a body not declared JSON was read as JSON", status, ct, f.Rule)
				}
			}
		}
	}
}
