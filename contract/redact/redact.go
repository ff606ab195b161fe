// Package redact turns a live exchange into a recording that is safe to
// commit (swcontract record) while keeping everything the contract checks
// look at. Every replacement keeps the shape of what it replaces (a UUID
// stays a UUID of the same case, an E.164 number keeps its country code and
// length, a formatted number keeps its punctuation), so a redacted recording
// produces the same findings, with the same fingerprints, as the original.
// Replacements are an HMAC under the caller's key, so with one key a value
// redacts the same way across recordings. It is tooling, never linked into
// a Lambda.
package redact

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
)

// phoneFields are the body properties that hold a phone number, in E.164 or
// formatted for people. Their whole value is treated as one number.
var phoneFields = map[string]bool{
	"to": true, "from": true,
	"formatted_to": true, "to_formatted": true,
	"formatted_from": true, "from_formatted": true,
	"forwarded_from": true,
}

// sidFields are the body properties whose values are account or phone-number
// SIDs. Call SIDs (sid, parent_call_sid) stay: they are the replay key.
var sidFields = map[string]bool{"account_sid": true, "phone_number_sid": true}

var (
	// e164 finds E.164 candidates; matches with more than 15 digits are skipped.
	e164 = regexp.MustCompile(`\+[0-9]{8,}`)
	// nanpFormatted finds North American numbers written for people:
	// (415) 555-0123, 415-555-0123 and 415.555.0123.
	nanpFormatted = regexp.MustCompile(`\([0-9]{3}\) ?[0-9]{3}-[0-9]{4}\b|\b[0-9]{3}[-.][0-9]{3}[-.][0-9]{4}\b`)
	// sidInPath finds the account and phone-number SIDs that URIs carry.
	sidInPath = regexp.MustCompile(`/(?:Accounts|IncomingPhoneNumbers)/([0-9A-Za-z-]{8,64})`)
	// twilioSID is a two-letter prefix and 32 hex digits (AC…, PN…).
	twilioSID = regexp.MustCompile(`^[A-Za-z]{2}[0-9a-fA-F]{32}$`)
)

// Redact returns a copy of rec that is safe to commit; rec is not modified.
//
// It drops the Authorization, Cookie and Set-Cookie headers and every header
// whose name contains "token", "secret" or "auth". Phone numbers (the to,
// from and formatted fields, and any E.164 or formatted North American number
// in any string, header, URL or body_text) become fakes in the 555-01xx range:
// the country and area codes stay, so +14155550123 becomes +141555501xx and
// "(415) 555-0123" becomes "(415) 555-01xx" with the same xx. A number
// outside North America keeps its country code and length; its other digits
// are replaced. Account and phone-number SIDs become fake SIDs of the same
// shape (a version 4 UUID for a UUID) wherever they occur: body fields, uri,
// subresource_uris, the request URL, headers. Call SIDs are kept.
//
// Fakes are chosen by HMAC-SHA256 under key, so the same number or SID maps
// to the same fake under the same key in every recording. The one exception:
// a fake never equals another number of the same recording nor the fake of
// one, so when two numbers would share a fake the later one in digit order
// takes the next free slot. key should be at least 32 random bytes kept out
// of the repository; without it, fakes of numbers outside North America could
// be reversed by trying every number.
//
// A JSON body keeps its bytes, its key order and its number literals; only
// the string literals that change are rewritten, and the digits of a number
// sent as a JSON number in a phone field. body_text is rewritten by pattern:
// there, a number is recognised only in E.164 or formatted North American
// form. Redact fails on an empty key or a body that is not valid JSON.
func Redact(rec *recording.Recording, key []byte) (*recording.Recording, error) {
	if rec == nil {
		return nil, errors.New("redact: nil recording")
	}
	if len(key) == 0 {
		return nil, errors.New("redact: empty key")
	}
	var spans []jsonString
	if rec.Response.Body != nil {
		var err error
		if spans, err = scanStrings(rec.Response.Body); err != nil {
			return nil, fmt.Errorf("redact: response body is not valid JSON: %s", contract.DescribeJSONError(err))
		}
	}
	r := &redactor{
		key:    key,
		phones: map[string]string{},
		sids:   map[string]string{},
	}

	// Pass 1: find every number and SID, so that fakes are assigned in an
	// order that does not depend on where they occur.
	var found []phoneSpan
	visit := func(field, s string) {
		found = append(found, findPhones(field, s)...)
		r.collectSIDs(field, s)
	}
	visitHeader := func(h http.Header) {
		for name, vs := range h {
			if dropHeader(name) {
				continue
			}
			for _, v := range vs {
				visit("", v)
			}
		}
	}
	visit("", rec.Request.URL)
	visitHeader(rec.Request.Headers)
	visitHeader(rec.Response.Headers)
	visit("", rec.Source)
	if rec.Response.BodyText != nil {
		visit("", *rec.Response.BodyText)
	}
	for _, sp := range spans {
		visit(sp.field, sp.value)
	}
	r.assignPhones(found)
	r.buildSIDPattern()

	// Pass 2: rewrite.
	out := &recording.Recording{
		Request: recording.RecordedRequest{
			Method:  rec.Request.Method,
			URL:     r.text("", rec.Request.URL),
			Headers: r.headers(rec.Request.Headers),
		},
		Response: recording.RecordedResponse{
			Status:  rec.Response.Status,
			Headers: r.headers(rec.Response.Headers),
		},
		RecordedAt: rec.RecordedAt,
		Source:     r.text("", rec.Source),
	}
	if rec.Expect != nil {
		exp := *rec.Expect
		exp.Findings = slices.Clone(rec.Expect.Findings)
		out.Expect = &exp
	}
	if rec.Response.BodyText != nil {
		s := r.text("", *rec.Response.BodyText)
		out.Response.BodyText = &s
	}
	if rec.Response.Body != nil {
		body, err := r.body(rec.Response.Body, spans)
		if err != nil {
			return nil, err
		}
		out.Response.Body = body
	}
	return out, nil
}

// dropHeader reports whether a header carries credentials or session state.
func dropHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "cookie", "set-cookie":
		return true
	}
	return strings.Contains(n, "token") || strings.Contains(n, "secret") || strings.Contains(n, "auth")
}

type redactor struct {
	key []byte
	// phones maps canonical digits (country code first; "?" then the digits
	// for a national number of unknown country) to their fake.
	phones map[string]string
	// known lists the E.164 numbers of the recording, sorted, to tell the
	// country of a number written nationally.
	known []string
	// sids maps a lower-case SID to its lower-case fake.
	sids    map[string]string
	sidExpr *regexp.Regexp
}

func (r *redactor) headers(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for name, vs := range h {
		if dropHeader(name) {
			continue
		}
		cp := make([]string, len(vs))
		for i, v := range vs {
			cp[i] = r.text("", v)
		}
		out[name] = cp
	}
	return out
}

// text rewrites one string; field names the JSON property it is the value of.
func (r *redactor) text(field, s string) string {
	if s == "" {
		return s
	}
	if spans := findPhones(field, s); len(spans) > 0 {
		b := []byte(s)
		for _, sp := range spans {
			c, n := r.canonical(sp)
			fake := strings.TrimPrefix(r.phones[c], "?")
			if fake == "" {
				continue
			}
			replaceDigits(b[sp.start:sp.end], fake[len(fake)-min(n, len(fake)):])
		}
		s = string(b)
	}
	if r.sidExpr != nil {
		s = r.sidExpr.ReplaceAllStringFunc(s, func(m string) string {
			return matchCase(m, r.sids[strings.ToLower(m)])
		})
	}
	return s
}

// body rewrites the string literals of a JSON document whose value changes,
// copying every other byte.
func (r *redactor) body(data []byte, spans []jsonString) (json.RawMessage, error) {
	var out bytes.Buffer
	out.Grow(len(data))
	last := 0
	for _, sp := range spans {
		repl := r.text(sp.field, sp.value)
		if repl == sp.value {
			continue
		}
		if sp.literal {
			out.Write(data[last:sp.start])
			out.WriteString(repl)
			last = sp.end
			continue
		}
		var enc bytes.Buffer
		e := json.NewEncoder(&enc)
		e.SetEscapeHTML(false)
		if err := e.Encode(repl); err != nil {
			return nil, fmt.Errorf("redact: encode string: %w", err)
		}
		out.Write(data[last:sp.start])
		out.Write(bytes.TrimSuffix(enc.Bytes(), []byte("\n")))
		last = sp.end
	}
	out.Write(data[last:])
	return json.RawMessage(out.Bytes()), nil
}

// Phone numbers.

// phoneSpan is one phone number inside a string: its byte range, its digits
// and whether it is written with a leading "+".
type phoneSpan struct {
	start, end int
	digits     string
	plus       bool
}

// findPhones returns the numbers in s. In a phone field, a value made only of
// digits and phone punctuation is one number; elsewhere only E.164 and
// formatted North American numbers are recognised, so that dates, SIDs and
// prices are left alone.
func findPhones(field, s string) []phoneSpan {
	if phoneFields[field] {
		if sp, ok := wholeNumber(s); ok {
			return []phoneSpan{sp}
		}
	}
	var spans []phoneSpan
	for _, m := range e164.FindAllStringIndex(s, -1) {
		if m[1]-m[0]-1 > 15 {
			continue
		}
		spans = append(spans, phoneSpan{start: m[0], end: m[1], digits: s[m[0]+1 : m[1]], plus: true})
	}
	for _, m := range nanpFormatted.FindAllStringIndex(s, -1) {
		spans = append(spans, phoneSpan{start: m[0], end: m[1], digits: digitsOf(s[m[0]:m[1]])})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	return spans
}

// wholeNumber reports whether s is a phone number and nothing else:
// "+14155550123", "(415) 555-0123", "4155550123", "+44 7700 900123".
func wholeNumber(s string) (phoneSpan, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return phoneSpan{}, false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= '0' && c <= '9' || strings.IndexByte(" ()-.", c) >= 0 || c == '+' && i == 0) {
			return phoneSpan{}, false
		}
	}
	d := digitsOf(t)
	if len(d) < 7 || len(d) > 15 {
		return phoneSpan{}, false
	}
	start := strings.Index(s, t)
	return phoneSpan{start: start, end: start + len(t), digits: d, plus: t[0] == '+'}, true
}

func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// canonical returns the number's digits with its country code, and how many
// of its last digits the number writes (the rest of what it writes, such as a
// trunk 0, stays). An E.164 number is taken as written. A national number is
// the E.164 number of the recording it is the end of, after a trunk 0; else
// North American for ten digits or eleven starting with 1; else "?" and the
// digits (country unknown).
func (r *redactor) canonical(sp phoneSpan) (string, int) {
	d := sp.digits
	if sp.plus {
		return d, len(d)
	}
	for _, k := range r.known {
		if len(k) > len(d) && strings.HasSuffix(k, d) {
			return k, len(d)
		}
	}
	if d[0] == '0' {
		for _, k := range r.known {
			if len(k) > len(d)-1 && strings.HasSuffix(k, d[1:]) {
				return k, len(d) - 1
			}
		}
	}
	switch {
	case len(d) == 10:
		return "1" + d, len(d)
	case len(d) == 11 && d[0] == '1':
		return d, len(d)
	}
	return "?" + d, len(d)
}

// assignPhones chooses a fake for every number found, in digit order, so the
// choice depends only on the set of numbers in the recording.
func (r *redactor) assignPhones(found []phoneSpan) {
	known := map[string]bool{}
	for _, sp := range found {
		if sp.plus {
			known[sp.digits] = true
		}
	}
	for k := range known {
		r.known = append(r.known, k)
	}
	sort.Strings(r.known)

	originals := map[string]bool{}
	for _, sp := range found {
		c, _ := r.canonical(sp)
		originals[c] = true
	}
	sorted := make([]string, 0, len(originals))
	for c := range originals {
		sorted = append(sorted, c)
	}
	sort.Strings(sorted)
	taken := map[string]bool{}
	for c := range originals {
		taken[c] = true
	}
	for _, c := range sorted {
		fake := r.fakeNumber(c, 0)
		for attempt := 1; taken[fake] && attempt < 100; attempt++ {
			fake = r.fakeNumber(c, attempt)
		}
		taken[fake] = true
		r.phones[c] = fake
	}
}

// fakeNumber returns the fake for canonical digits c; attempt > 0 asks for
// another one after a collision.
func (r *redactor) fakeNumber(c string, attempt int) string {
	if len(c) == 11 && c[0] == '1' {
		// North America: keep the area code, use 555-0100 to 555-0199.
		h := r.mac("phone", c)
		xx := (int(binary.BigEndian.Uint16(h)) + attempt) % 100
		return fmt.Sprintf("1%s55501%02d", c[1:4], xx)
	}
	keep := 0
	if strings.HasPrefix(c, "?") {
		// Country unknown: keep the prefix and a trunk 0 only.
		keep = 1
		for keep < len(c) && c[keep] == '0' {
			keep++
		}
	} else {
		keep = countryCodeLen(c)
	}
	h := r.stream("phone", fmt.Sprintf("%s\x00%d", c, attempt), len(c)-keep)
	b := []byte(c)
	for i := keep; i < len(b); i++ {
		b[i] = '0' + h[i-keep]%10
	}
	return string(b)
}

// replaceDigits overwrites the digits of b, from the right, with the last
// digits of fake; punctuation, a leading "+" and a trunk 0 beyond the length
// of fake stay.
func replaceDigits(b []byte, fake string) {
	j := len(fake) - 1
	for i := len(b) - 1; i >= 0 && j >= 0; i-- {
		if b[i] >= '0' && b[i] <= '9' {
			b[i] = fake[j]
			j--
		}
	}
}

// countryCodeLen returns the length of the E.164 country code that starts
// digits: 1 and 7 are one digit, the two-digit codes are listed, every other
// code has three digits (ITU-T E.164 assignments).
func countryCodeLen(digits string) int {
	if digits[0] == '1' || digits[0] == '7' {
		return 1
	}
	if len(digits) < 2 {
		return len(digits)
	}
	switch digits[:2] {
	case "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
		"51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
		"81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98":
		return 2
	}
	return min(3, len(digits))
}

// SIDs.

// collectSIDs records the account and phone-number SIDs in one string.
func (r *redactor) collectSIDs(field, s string) {
	if sidFields[field] && len(s) >= 8 {
		r.addSID(s)
	}
	for _, m := range sidInPath.FindAllStringSubmatch(s, -1) {
		r.addSID(m[1])
	}
}

func (r *redactor) addSID(sid string) {
	k := strings.ToLower(sid)
	if _, ok := r.sids[k]; ok {
		return
	}
	r.sids[k] = r.fakeSID(sid)
}

// buildSIDPattern compiles the SIDs found into one case-insensitive pattern,
// longest first so that no SID is replaced inside a longer one.
func (r *redactor) buildSIDPattern() {
	if len(r.sids) == 0 {
		return
	}
	list := make([]string, 0, len(r.sids))
	for k := range r.sids {
		list = append(list, k)
	}
	sort.Slice(list, func(i, j int) bool {
		if len(list[i]) != len(list[j]) {
			return len(list[i]) > len(list[j])
		}
		return list[i] < list[j]
	})
	for i, k := range list {
		list[i] = regexp.QuoteMeta(k)
	}
	r.sidExpr = regexp.MustCompile(`(?i)` + strings.Join(list, "|"))
}

// fakeSID returns a lower-case fake of the same shape as sid: a version 4
// UUID for a UUID, the same two-letter prefix and 32 hex digits for a
// Twilio-style SID, and otherwise every hex digit replaced.
func (r *redactor) fakeSID(sid string) string {
	k := strings.ToLower(sid)
	if contract.IsUUID(sid) {
		h := r.mac("sid", k)
		h[6] = h[6]&0x0f | 0x40
		h[8] = h[8]&0x3f | 0x80
		x := hex.EncodeToString(h[:16])
		return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
	}
	keep := 0
	if twilioSID.MatchString(sid) {
		keep = 2
	}
	h := r.stream("sid", k, len(k))
	b := []byte(k)
	for i := keep; i < len(b); i++ {
		if c := b[i]; c >= '0' && c <= '9' || c >= 'a' && c <= 'f' {
			b[i] = "0123456789abcdef"[h[i]%16]
		}
	}
	return string(b)
}

// matchCase gives fake the letter case of orig: a Twilio-style prefix is
// copied as written, and an all upper-case SID gets an upper-case fake.
func matchCase(orig, fake string) string {
	if len(orig) != len(fake) {
		return fake
	}
	if twilioSID.MatchString(orig) {
		return orig[:2] + matchCase(orig[2:], fake[2:])
	}
	if orig == strings.ToUpper(orig) && orig != strings.ToLower(orig) {
		return strings.ToUpper(fake)
	}
	return fake
}

// mac returns HMAC-SHA256(key, label 0x00 msg).
func (r *redactor) mac(label, msg string) []byte {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(label))
	m.Write([]byte{0})
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// stream returns n pseudo-random bytes derived from label and msg.
func (r *redactor) stream(label, msg string, n int) []byte {
	var out []byte
	for i := 0; len(out) < n; i++ {
		out = append(out, r.mac(label, fmt.Sprintf("%s\x00%d", msg, i))...)
	}
	return out[:n]
}

// JSON scanning.

// jsonString is one string literal of a JSON document: its byte range, its
// decoded value and the property it is the value of ("" for keys and for
// strings outside an object; array elements inherit their array's property).
// A number in a phone field is listed too, as a literal: a phone number sent
// as a JSON number is still a phone number.
type jsonString struct {
	start, end int
	value      string
	field      string
	literal    bool
}

// scanStrings lists the string literals of a JSON document in order, with
// the numbers of phone fields, using the contract's own scanner (so a body is
// JSON here exactly when the contract check reads it as JSON).
func scanStrings(data []byte) ([]jsonString, error) {
	var out []jsonString
	err := contract.ScanJSON(data, func(l contract.Literal) {
		if !l.Number {
			// Member is "" for a member name, as jsonString.field wants.
			out = append(out, jsonString{start: l.Start, end: l.End, value: l.Value, field: l.Member})
		} else if phoneFields[l.Member] && strings.Trim(l.Value, "0123456789") == "" {
			out = append(out, jsonString{start: l.Start, end: l.End, value: l.Value, field: l.Member, literal: true})
		}
	})
	return out, err
}
