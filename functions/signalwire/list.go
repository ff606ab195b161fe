package signalwire

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/functions/voice"
)

// rfc2822GMT is how List Calls date filters are written ("in RFC 2822 GMT
// format", as the reference says).
const rfc2822GMT = "Mon, 02 Jan 2006 15:04:05 GMT"

// CallsQuery selects the calls List Calls returns, newest first.
type CallsQuery struct {
	// PageSize is the number of calls per page, 1 to 1000.
	PageSize int
	// Status, when set, keeps only the calls in that status.
	Status voice.Status
	// EndedAfter and EndedBefore, when set, keep only the calls that ended
	// after (EndTime>) or before (EndTime<) that instant.
	EndedAfter, EndedBefore time.Time
}

// values returns the query string of q.
func (q CallsQuery) values() url.Values {
	v := url.Values{"PageSize": {strconv.Itoa(q.PageSize)}}
	if q.Status != "" {
		v.Set("Status", string(q.Status))
	}
	if !q.EndedAfter.IsZero() {
		v.Set("EndTime>", q.EndedAfter.UTC().Format(rfc2822GMT))
	}
	if !q.EndedBefore.IsZero() {
		v.Set("EndTime<", q.EndedBefore.UTC().Format(rfc2822GMT))
	}
	return v
}

// CallsPage is one page of List Calls.
type CallsPage struct {
	// Response is the exchange as received, for contract checks.
	Response *Response
	// Calls are the page's call objects as decoded (contract.DecodeJSON),
	// in the order SignalWire sent them. An element may be anything the page
	// held: callers check each against the call schema.
	Calls []any
	// NextPageURI is the page's next_page_uri, "" on the last page.
	NextPageURI string
	// Key is the page's own address (path and query), normalised as
	// PageKey does, so a caller can tell a page it has read already.
	Key string
	// PageSize is the page size the list was asked with: a page holding
	// more calls than that is not what was asked for.
	PageSize int
}

// NextKey returns the page's NextPageURI normalised as PageKey does, or ""
// on the last page. Two next_page_uri values that name the same page
// (query members in another order, other percent-encoding, a dot segment)
// have the same key.
func (p *CallsPage) NextKey() string {
	if p == nil || p.NextPageURI == "" {
		return ""
	}
	return PageKey(p.NextPageURI)
}

// PageKey normalises a List Calls page address: the path percent-decoded
// and cleaned, the query members decoded and sorted by name and then by
// value. An address that does not parse is its own key.
func PageKey(uri string) string {
	u, err := url.Parse(strings.TrimSpace(uri))
	if err != nil {
		return uri
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return uri
	}
	for _, vs := range q {
		slices.Sort(vs)
	}
	p := u.Path
	if p != "" {
		p = path.Clean(p)
	}
	return p + "?" + q.Encode()
}

// ListCalls returns the first page of the calls q selects, from
// GET {base}/api/laml/2010-04-01/Accounts/{project_id}/Calls. A non-2xx
// final response is returned as an *APIError; a page that is not a JSON
// object with a calls array is an error wrapping voice.ErrUpstream.
//
// SignalWire API docs: https://developer.signalwire.com/compatibility-api/rest/list-all-calls
func (c *Client) ListCalls(ctx context.Context, q CallsQuery) (*CallsPage, error) {
	if q.PageSize < 1 || q.PageSize > maxPageSize {
		return nil, fmt.Errorf("signalwire: list calls: page size %d outside 1..%d", q.PageSize, maxPageSize)
	}
	return c.listPage(ctx, q.values().Encode(), q.PageSize)
}

// callsPath is the path of List Calls for a project.
func callsPath(projectID string) string { return apiPrefix + url.PathEscape(projectID) + "/Calls" }

// NextCalls returns the page after p, or nil at the end of the list. The next
// page is read from p.NextPageURI only when that names the same list on the
// same space: a page cannot send the credentials anywhere else.
func (c *Client) NextCalls(ctx context.Context, p *CallsPage) (*CallsPage, error) {
	if p == nil || p.NextPageURI == "" {
		return nil, nil
	}
	u, err := url.Parse(p.NextPageURI)
	want := callsPath(p.Response.ProjectID)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Fragment != "" || u.EscapedPath() != want {
		return nil, fmt.Errorf("signalwire: list calls: %w: next_page_uri is not a page of this list", voice.ErrUpstream)
	}
	return c.listPage(ctx, u.RawQuery, p.PageSize)
}

func (c *Client) listPage(ctx context.Context, rawQuery string, pageSize int) (*CallsPage, error) {
	limit := c.maxBody + int64(pageSize)*pageBodyPerCall
	resp, err := c.do(ctx, callsPath, rawQuery, limit)
	if err != nil {
		return nil, fmt.Errorf("signalwire: list calls: %w", err)
	}
	if err := resp.Err(); err != nil {
		return nil, err // *APIError as is, so errors.As and Lambda's errorType see it
	}
	doc, err := contract.DecodeJSON(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("signalwire: list calls: %w: malformed page: %s", voice.ErrUpstream, contract.DescribeJSONError(err))
	}
	obj, _ := doc.(map[string]any)
	calls, ok := obj["calls"].([]any)
	if !ok {
		return nil, fmt.Errorf("signalwire: list calls: %w: malformed page: no calls array", voice.ErrUpstream)
	}
	page := &CallsPage{Response: resp, Calls: calls, PageSize: pageSize, Key: PageKey(callsPath(resp.ProjectID) + "?" + rawQuery)}
	switch next := obj["next_page_uri"].(type) {
	case nil:
	case string:
		page.NextPageURI = strings.TrimSpace(next)
	default:
		return nil, fmt.Errorf("signalwire: list calls: %w: malformed page: next_page_uri is not a string", voice.ErrUpstream)
	}
	return page, nil
}

// ListCallSIDs returns up to n (1 to 1000) recent call SIDs, from one
// List Calls page of size n. A non-2xx final response is returned as an
// *APIError; a page that does not decode, or holds an invalid SID, is an
// error wrapping voice.ErrUpstream.
//
// SignalWire API docs: https://developer.signalwire.com/compatibility-api/rest/list-all-calls
func (c *Client) ListCallSIDs(ctx context.Context, n int) ([]string, error) {
	page, err := c.ListCalls(ctx, CallsQuery{PageSize: n})
	if err != nil {
		return nil, err
	}
	calls := page.Calls[:min(len(page.Calls), n)]
	sids := make([]string, 0, len(calls))
	for i, call := range calls {
		obj, _ := call.(map[string]any)
		raw, _ := obj["sid"].(string)
		sid, err := voice.ParseSID(raw)
		if err != nil {
			return nil, fmt.Errorf("signalwire: list calls: %w: malformed page: calls[%d].sid: %w", voice.ErrUpstream, i, err)
		}
		sids = append(sids, sid)
	}
	return sids, nil
}
