package specdiff

import (
	"bytes"
	"strings"
	"testing"
)

// hostileText carries markup in every text a document can put in a
// change.
const hostileText = `<script>alert("x")</script>'"><img src=x onerror=alert(1)>|`

func renderSample() *Report {
	return &Report{Changes: []Change{
		{Kind: KindPropertyAdded, Pointer: "200 /info" + hostileText, Severity: SeverityInfo, Message: "added " + hostileText},
		{Kind: KindEnumValueAdded, Pointer: "200 /direction", Severity: SeverityBreaking, Message: "enum value outbound-api added " + hostileText, Rule: "response-property-enum-value-added"},
		{Kind: KindRequiredAdded, Pointer: "200 /x", Severity: SeverityNonBreaking, Message: "x became required"},
	}}
}

func TestWriteHTMLBreakingFirstEscaped(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := renderSample().WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if strings.Contains(s, "<script>") || strings.Contains(s, "<img") {
		t.Errorf("markup from a document reached the page unescaped:\n%s", s)
	}
	if !strings.Contains(s, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("the hostile text is not shown escaped:\n%s", s)
	}
	breaking, nonBreaking, info := strings.Index(s, "enum value outbound-api"), strings.Index(s, "x became required"), strings.Index(s, "<code>property-added</code>")
	if breaking < 0 || !(breaking < nonBreaking && nonBreaking < info) {
		t.Errorf("want breaking, non-breaking, info in that order (%d, %d, %d):\n%s", breaking, nonBreaking, info, s)
	}
}

func TestWriteMarkdownBreakingFirstEscaped(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := renderSample().WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		// Every row keeps its cells: pipes from a document are escaped,
		// and markup sits only inside code spans.
		if n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"); n != 5 && n != 4 {
			t.Errorf("row %q has %d unescaped pipes", line, n)
		}
	}
	if strings.Index(s, "enum value outbound-api") > strings.Index(s, "x became required") {
		t.Errorf("breaking change not first:\n%s", s)
	}
	if !strings.Contains(s, "`added <script>alert(\"x\")</script>'\"><img src=x onerror=alert(1)>\\|`") {
		t.Errorf("the hostile text is not in a code span:\n%s", s)
	}
}
