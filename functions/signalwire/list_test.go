package signalwire

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callwire/callwire/functions/voice"
)

func TestListCallsPages(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	after := time.Date(2026, 3, 2, 13, 0, 0, 0, time.FixedZone("+0100", 3600))
	var queries []string
	mux.HandleFunc("GET "+listPath, func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		switch r.URL.Query().Get("Page") {
		case "":
			serveJSON(http.StatusOK, `{"calls":[{"sid":"a"},{"sid":"b"}],"next_page_uri":"`+listPath+`?Page=1&PageSize=2&PageToken=PA42"}`)(w, r)
		case "1":
			serveJSON(http.StatusOK, `{"calls":[{"sid":"c"}],"next_page_uri":null}`)(w, r)
		}
	})
	page, err := client.ListCalls(t.Context(), CallsQuery{PageSize: 2, Status: voice.StatusCompleted, EndedAfter: after})
	if err != nil {
		t.Fatal(err)
	}
	var sids []string
	for page != nil {
		for _, c := range page.Calls {
			sids = append(sids, c.(map[string]any)["sid"].(string))
		}
		if page, err = client.NextCalls(t.Context(), page); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, sids); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	want := []string{
		"EndTime%3E=Mon%2C+02+Mar+2026+12%3A00%3A00+GMT&PageSize=2&Status=completed",
		"Page=1&PageSize=2&PageToken=PA42",
	}
	if diff := cmp.Diff(want, queries); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
}

// TestNextCallsStaysOnTheList checks that a next_page_uri cannot send the
// credentials to another host or another resource.
func TestNextCallsStaysOnTheList(t *testing.T) {
	t.Parallel()
	for _, next := range []string{
		"https://evil.example.com" + listPath + "?Page=1",
		"//evil.example.com" + listPath + "?Page=1",
		"/api/laml/2010-04-01/Accounts/" + testProjectID + "/Messages?Page=1",
		listPath + "/../Messages?Page=1",
		"/api/laml/2010-04-01/Accounts/00000000-0000-4000-8000-000000000000/Calls?Page=1",
	} {
		t.Run(next, func(t *testing.T) {
			t.Parallel()
			client, mux, ts := setup(t)
			mux.HandleFunc("GET "+listPath, serveJSON(http.StatusOK, fmt.Sprintf(`{"calls":[],"next_page_uri":%q}`, next)))
			page, err := client.ListCalls(t.Context(), CallsQuery{PageSize: 5})
			if err != nil {
				t.Fatal(err)
			}
			before := ts.requests.Load()
			if _, err := client.NextCalls(t.Context(), page); !errors.Is(err, voice.ErrUpstream) {
				t.Errorf("NextCalls error = %v, want ErrUpstream", err)
			}
			if n := ts.requests.Load() - before; n != 0 {
				t.Errorf("%d requests for a foreign next_page_uri", n)
			}
		})
	}
}

// TestPageKey checks that addresses naming the same page have one key and
// that the first page, as ListCalls asks for it, has the key a
// next_page_uri naming it again would have.
func TestPageKey(t *testing.T) {
	t.Parallel()
	const base = "/api/laml/2010-04-01/Accounts/p/Calls"
	same := [][]string{
		{base + "?Page=1&PageSize=2&PageToken=PA1", base + "?PageToken=PA1&Page=1&PageSize=2", " " + base + "?PageSize=2&Page=1&PageToken=PA1 "},
		{base + "?PageToken=PA%31&Page=1&PageSize=2", base + "?Page=1&PageSize=2&PageToken=PA1"},
		{base + "?EndTime%3E=Mon%2C+02+Mar+2026+11%3A30%3A00+GMT", base + "?EndTime>=Mon,%2002%20Mar%202026%2011:30:00%20GMT"},
		{base + "/./?Page=1", base + "?Page=1", "/api/laml/2010-04-01/Accounts/p/x/../Calls?Page=1", "/api/laml/2010-04-01/Accounts/%70/Calls?Page=1"},
		{base + "?a=2&a=1", base + "?a=1&a=2"},
	}
	for _, group := range same {
		for _, uri := range group[1:] {
			if got, want := PageKey(uri), PageKey(group[0]); got != want {
				t.Errorf("PageKey(%q) = %q, want %q as for %q", uri, got, want, group[0])
			}
		}
	}
	for _, pair := range [][2]string{
		{base + "?Page=1", base + "?Page=2"},
		{base + "?PageToken=PA1", base + "?PageToken=pa1"},
		{base + "?Page=1", base + "?Page=1&PageSize=2"},
	} {
		if PageKey(pair[0]) == PageKey(pair[1]) {
			t.Errorf("PageKey(%q) = PageKey(%q): two pages, one key", pair[0], pair[1])
		}
	}

	client, mux, _ := setup(t)
	mux.HandleFunc("GET "+listPath, serveJSON(http.StatusOK, `{"calls":[],"next_page_uri":"`+listPath+`?PageSize=2"}`))
	page, err := client.ListCalls(t.Context(), CallsQuery{PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if page.Key == "" || page.Key != page.NextKey() {
		t.Errorf("first page key %q, next_page_uri naming it again %q: want one key", page.Key, page.NextKey())
	}
	if page.PageSize != 2 {
		t.Errorf("PageSize = %d, want 2", page.PageSize)
	}
}
