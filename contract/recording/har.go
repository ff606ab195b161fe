package recording

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/callwire/callwire/contract"
)

// MaxHARSize bounds a HAR file. Browser exports of a long session reach a few
// megabytes; anything past this is not worth holding in memory.
const MaxHARSize = 64 << 20

// operations resolves requests to the contract's operations: a HAR entry is
// taken by the rule the contract checks recordings with (Validator.Match).
var operations = sync.OnceValues(contract.New)

// droppedRequestHeaders and droppedResponseHeaders carry credentials or
// session state; they are discarded as a HAR is read, so nothing downstream
// can print or store them.
var (
	droppedRequestHeaders  = []string{"Authorization", "Proxy-Authorization", "Cookie"}
	droppedResponseHeaders = []string{"Set-Cookie"}
)

// HAREntry is one "Retrieve a Call" exchange taken from a HAR file.
type HAREntry struct {
	// Index is the entry's position in log.entries, from 0.
	Index int
	// RequestHeader holds the request headers without Authorization,
	// Proxy-Authorization and Cookie.
	RequestHeader http.Header
	// Exchange is the request and response to check. Its Header holds the
	// response headers without Set-Cookie; Content-Type falls back to
	// response.content.mimeType when the header list lacks it.
	Exchange contract.Exchange
}

// HARError reports a HAR file that cannot be read or parsed. Reason never
// quotes the file's content.
type HARError struct {
	Path   string
	Reason string
	Err    error
}

func (e *HARError) Error() string {
	return fmt.Sprintf("har %s: %s", e.Path, e.Reason)
}

func (e *HARError) Unwrap() error { return e.Err }

// harFile is the subset of HAR 1.2 that is read; other fields are ignored.
type harFile struct {
	Log *struct {
		Entries *[]harEntry `json:"entries"`
	} `json:"log"`
}

type harEntry struct {
	Request struct {
		Method  string      `json:"method"`
		URL     string      `json:"url"`
		Headers []harHeader `json:"headers"`
	} `json:"request"`
	Response struct {
		Status  int         `json:"status"`
		Headers []harHeader `json:"headers"`
		Content struct {
			MimeType string  `json:"mimeType"`
			Text     harText `json:"text"`
			Encoding string  `json:"encoding"`
		} `json:"content"`
	} `json:"response"`
}

type harHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ReadHAR reads the HAR file at path and returns its "Retrieve a Call"
// exchanges, in file order, with the number of other entries it skipped.
func ReadHAR(path string) (entries []HAREntry, skipped int, err error) {
	data, err := readBounded(path, MaxHARSize)
	if err != nil {
		return nil, 0, &HARError{Path: path, Reason: "cannot read: " + errReason(err), Err: err}
	}
	return ParseHAR(path, data)
}

// ParseHAR decodes a HAR 1.2 document; name is used in errors. An entry is
// taken when its request is one the contract documents, by the rule the
// contract checks recordings with (contract.Validator.Match: the method
// exactly, "GET"; the path exactly, /api/laml/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}),
// and its response has an HTTP status; every other entry is skipped and
// counted, as a HAR holds other traffic.
func ParseHAR(name string, data []byte) (entries []HAREntry, skipped int, err error) {
	if len(data) > MaxHARSize {
		return nil, 0, &HARError{Path: name, Reason: fmt.Sprintf("larger than %d bytes", MaxHARSize)}
	}
	v, err := operations()
	if err != nil {
		return nil, 0, &HARError{Path: name, Reason: err.Error(), Err: err}
	}
	// json.Unmarshal reads data in place (a json.Decoder would copy it
	// into a buffer of its own first, the size of the file again).
	var h harFile
	if err := json.Unmarshal(data, &h); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) && strings.HasSuffix(syn.Error(), "after top-level value") {
			return nil, 0, &HARError{Path: name, Reason: "trailing data after the HAR document", Err: err}
		}
		// Describe the error as a json.Decoder does (an empty file, a
		// truncated one), as the recording reader does.
		if derr := json.NewDecoder(bytes.NewReader(data)).Decode(&harFile{}); derr != nil {
			err = derr
		}
		return nil, 0, &HARError{Path: name, Reason: "invalid JSON: " + contract.DescribeJSONError(err), Err: err}
	}
	switch {
	case h.Log == nil:
		return nil, 0, &HARError{Path: name, Reason: "not a HAR: log is missing"}
	case h.Log.Entries == nil:
		return nil, 0, &HARError{Path: name, Reason: "not a HAR: log.entries is missing"}
	}
	for i, e := range *h.Log.Entries {
		u, ok := callURL(v, e.Request.Method, e.Request.URL)
		if !ok || e.Response.Status < 100 || e.Response.Status > 599 {
			skipped++
			continue
		}
		body, err := harBody(e.Response.Content.Text, e.Response.Content.Encoding)
		if err != nil {
			return nil, 0, &HARError{Path: name, Reason: fmt.Sprintf("log.entries[%d].response.content: %v", i, err), Err: err}
		}
		header := harHeaders(e.Response.Headers, droppedResponseHeaders)
		if header.Get("Content-Type") == "" && e.Response.Content.MimeType != "" {
			header.Set("Content-Type", e.Response.Content.MimeType)
		}
		entries = append(entries, HAREntry{
			Index:         i,
			RequestHeader: harHeaders(e.Request.Headers, droppedRequestHeaders),
			Exchange: contract.Exchange{
				Method: e.Request.Method,
				URL:    u,
				Status: e.Response.Status,
				Header: header,
				Body:   body,
			},
		})
	}
	return entries, skipped, nil
}

// callURL reports whether method and rawURL are a request for a documented
// operation, and returns the URL without any user information.
func callURL(v *contract.Validator, method, rawURL string) (string, bool) {
	if _, _, ok := v.Match(method, rawURL); !ok {
		return "", false
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", false
	}
	u.User = nil
	return u.String(), true
}

// harBody returns the response body that text holds in the given encoding.
func harBody(text harText, encoding string) ([]byte, error) {
	switch encoding {
	case "":
		if len(text) == 0 {
			return nil, nil
		}
		return text, nil
	case "base64":
		b := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
		n, err := base64.StdEncoding.Decode(b, text)
		if err != nil {
			return nil, errors.New("text is not valid base64")
		}
		return b[:n], nil
	}
	if len(encoding) > 32 {
		encoding = encoding[:32] + "..."
	}
	return nil, fmt.Errorf("encoding %q is not supported", encoding)
}

// harHeaders turns a HAR header list into an http.Header, leaving out the
// named headers and HTTP/2 pseudo-headers such as ":status".
func harHeaders(list []harHeader, drop []string) http.Header {
	h := make(http.Header, len(list))
	for _, kv := range list {
		if kv.Name == "" || strings.HasPrefix(kv.Name, ":") {
			continue
		}
		h.Add(kv.Name, kv.Value)
	}
	for _, name := range drop {
		h.Del(name)
	}
	return h
}
