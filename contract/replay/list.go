package replay

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
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

// listPage is the List Calls response: a single page, so the next and previous
// page URIs are null.
type listPage struct {
	URI             string            `json:"uri"`
	FirstPageURI    string            `json:"first_page_uri"`
	NextPageURI     *string           `json:"next_page_uri"`
	PreviousPageURI *string           `json:"previous_page_uri"`
	Page            int               `json:"page"`
	PageSize        int               `json:"page_size"`
	Calls           []json.RawMessage `json:"calls"`
}

// serveList serves the first page of the call list. PageSize defaults to 50 and
// is capped at 1000; a PageSize that is not a positive integer gets 400.
func (s *Server) serveList(w http.ResponseWriter, r *http.Request) {
	size := defaultPageSize
	if v := r.URL.Query().Get("PageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeResponse(w, r, invalidParameterResponse())
			return
		}
		size = min(n, maxPageSize)
	}
	uri := r.URL.EscapedPath() + "?PageSize=" + strconv.Itoa(size) + "&Page=0"
	page := listPage{URI: uri, FirstPageURI: uri, PageSize: size, Calls: s.listed(size)}
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

// listed returns the bodies of the first n listed calls.
func (s *Server) listed(n int) []json.RawMessage {
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
	out := make([]json.RawMessage, 0, min(n, len(sids)))
	for _, sid := range sids {
		if len(out) == n {
			break
		}
		if c := s.calls[sid]; c != nil && c.listed != nil {
			out = append(out, c.listed)
		}
	}
	return out
}
