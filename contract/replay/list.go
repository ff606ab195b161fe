package replay

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/callwire/callwire/contract"
)

// List Calls paging limits, as in the Compatibility API.
const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// SetCallList sets the calls listed by GET .../Accounts/{account}/Calls, in
// order. Only SIDs with a loaded 200 recording whose body is a JSON object are
// listed; others are skipped when the page is served. Until SetCallList is
// called, the list is every such recording's SID in sorted order.
func (s *Server) SetCallList(sids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callList = slices.Clone(sids)
	s.listSet = true
}

// listPage is the List Calls response.
type listPage struct {
	URI             string            `json:"uri"`
	FirstPageURI    string            `json:"first_page_uri"`
	NextPageURI     *string           `json:"next_page_uri"`
	PreviousPageURI *string           `json:"previous_page_uri"`
	Page            int               `json:"page"`
	PageSize        int               `json:"page_size"`
	Calls           []json.RawMessage `json:"calls"`
}

// listQuery is what a List Calls request selects.
type listQuery struct {
	size, page  int
	status      string
	after, upTo time.Time // EndTime> and EndTime<; zero when unset
}

// parseListQuery reads PageSize (default 50, capped at 1000), Page, Status,
// EndTime> and EndTime< (RFC 2822). ok is false for a value SignalWire would
// refuse.
func parseListQuery(q url.Values) (lq listQuery, ok bool) {
	lq.size = defaultPageSize
	if v := q.Get("PageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return lq, false
		}
		lq.size = min(n, maxPageSize)
	}
	if v := q.Get("Page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return lq, false
		}
		lq.page = n
	}
	lq.status = q.Get("Status")
	for _, f := range []struct {
		key string
		dst *time.Time
	}{{"EndTime>", &lq.after}, {"EndTime<", &lq.upTo}} {
		if v := q.Get(f.key); v != "" {
			t, err := contract.ParseDate(v)
			if err != nil {
				return lq, false
			}
			*f.dst = t
		}
	}
	return lq, true
}

// serveList serves one page of the call list: PageSize calls from Page on,
// filtered by Status and the EndTime bounds, with a next_page_uri (carrying a
// PageToken, as SignalWire's do) while more remain. A parameter SignalWire
// would refuse gets 400.
func (s *Server) serveList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lq, ok := parseListQuery(q)
	if !ok {
		writeResponse(w, r, invalidParameterResponse())
		return
	}
	calls, more := s.listed(lq)
	pageURI := func(page int) string {
		v := url.Values{}
		for _, k := range []string{"Status", "EndTime>", "EndTime<"} {
			if x := q.Get(k); x != "" {
				v.Set(k, x)
			}
		}
		v.Set("PageSize", strconv.Itoa(lq.size))
		v.Set("Page", strconv.Itoa(page))
		if page > 0 {
			v.Set("PageToken", "PA"+strconv.Itoa(page))
		}
		return r.URL.EscapedPath() + "?" + v.Encode()
	}
	page := listPage{URI: pageURI(lq.page), FirstPageURI: pageURI(0), Page: lq.page, PageSize: lq.size, Calls: calls}
	if more {
		next := pageURI(lq.page + 1)
		page.NextPageURI = &next
	}
	if lq.page > 0 {
		prev := pageURI(lq.page - 1)
		page.PreviousPageURI = &prev
	}
	// An Encoder without HTML escaping keeps the recorded bodies' "&", "<" and ">".
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(page); err != nil {
		http.Error(w, "replay: cannot encode the call list", http.StatusInternalServerError)
		return
	}
	writeResponse(w, r, response{
		status: http.StatusOK,
		header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		body:   bytes.TrimSuffix(buf.Bytes(), []byte("\n")),
	})
}

// listed returns the bodies of the calls on lq's page, and whether more
// calls match after it.
func (s *Server) listed(lq listQuery) ([]json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sids := s.callList
	if !s.listSet {
		sids = make([]string, 0, len(s.calls))
		for sid, c := range s.calls {
			if c.listed != nil {
				sids = append(sids, sid)
			}
		}
		slices.Sort(sids)
	}
	skip := lq.page * lq.size
	out := make([]json.RawMessage, 0, min(lq.size, len(sids)))
	for _, sid := range sids {
		c := s.calls[sid]
		if c == nil || c.listed == nil || !lq.matches(c) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if len(out) == lq.size {
			return out, true
		}
		out = append(out, c.listed)
	}
	return out, false
}

// matches reports whether c passes lq's filters.
func (lq listQuery) matches(c *call) bool {
	if lq.status == "" && lq.after.IsZero() && lq.upTo.IsZero() {
		return true
	}
	if lq.status != "" && c.status != lq.status {
		return false
	}
	if lq.after.IsZero() && lq.upTo.IsZero() {
		return true
	}
	if c.ended.IsZero() {
		return false
	}
	return (lq.after.IsZero() || c.ended.After(lq.after)) && (lq.upTo.IsZero() || c.ended.Before(lq.upTo))
}
