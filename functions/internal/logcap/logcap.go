// Package logcap bounds the log lines a function writes. CloudWatch Logs
// cuts an event at 256 KiB, and a line anyone can inflate (a callback's
// findings, an upstream error) must not cost more than a known amount: every
// line callwire writes through a Handler is at most MaxLine bytes.
//
// A record that would be longer keeps its level, message and time; its
// string values are cut, then its largest attributes are dropped, largest
// first, until it fits, and it gains log_truncated=true and
// log_dropped=<names> so that a reader knows. Records that fit are passed on
// unchanged.
package logcap

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxLine is the longest line, in bytes, a Handler lets through.
const MaxLine = 16 << 10

// reserve is room for what the wrapped handler adds around the attributes:
// the time, the level, the message's key, requestId and the newline.
const reserve = 512

// maxValue is how long a string value is kept in a record that is too long.
const maxValue = 1 << 10

// markers is room for log_truncated and log_dropped, which names at most
// maxDropped attributes.
const (
	maxDropped = 20
	markers    = 64 + maxDropped*8
)

// Handler wraps a slog.Handler and cuts records that would make a line over
// its limit. It is safe for concurrent use when the wrapped handler is.
type Handler struct {
	next  slog.Handler
	limit int
	// pre are the attributes added with WithAttrs, already measured: their
	// size counts against every record.
	preSize int
	groups  int
}

// New returns a Handler that passes records to next, each at most MaxLine
// bytes once written.
func New(next slog.Handler) *Handler { return NewWithLimit(next, MaxLine) }

// NewWithLimit is New with another limit, for tests.
func NewWithLimit(next slog.Handler, limit int) *Handler {
	return &Handler{next: next, limit: limit}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// WithAttrs implements slog.Handler. Attributes fixed on a logger are cut as
// a record's are, once.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	attrs = clipAll(attrs, maxValue)
	c := *h
	c.next = h.next.WithAttrs(attrs)
	c.preSize += size(attrs)
	return &c
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	c := *h
	c.next = h.next.WithGroup(name)
	c.preSize += len(name) + 8
	c.groups++
	return &c
}

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	budget := h.limit - reserve - h.preSize - jsonLen(r.Message)
	attrs := make([]slog.Attr, 0, r.NumAttrs())
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, a)
		return true
	})
	if size(attrs) <= budget {
		return h.next.Handle(ctx, r)
	}
	msg := r.Message
	if len(msg) > maxValue {
		msg = clip(msg, maxValue)
		budget = h.limit - reserve - h.preSize - jsonLen(msg)
	}
	attrs = clipAll(attrs, maxValue)
	// Each attribute's share of the line, measured once: its JSON member
	// and a comma. Drop the largest until the rest fits, with room for the
	// two markers.
	type sized struct {
		i, n int
	}
	sizes := make([]sized, len(attrs))
	total := 0
	for i, a := range attrs {
		n := size([]slog.Attr{a}) - 2 // without "{", "}\n", with a comma
		sizes[i] = sized{i, n}
		total += n
	}
	slices.SortStableFunc(sizes, func(a, b sized) int { return b.n - a.n })
	drop := make([]bool, len(attrs))
	var dropped []string
	for _, sz := range sizes {
		if total <= budget-markers {
			break
		}
		drop[sz.i] = true
		total -= sz.n
		if len(dropped) < maxDropped {
			dropped = append(dropped, clip(attrs[sz.i].Key, 64))
		}
	}
	out := slog.NewRecord(r.Time, r.Level, msg, r.PC)
	for i, a := range attrs {
		if !drop[i] {
			out.AddAttrs(a)
		}
	}
	out.AddAttrs(slog.Bool("log_truncated", true))
	if len(dropped) > 0 {
		names := strings.Join(dropped, ",")
		out.AddAttrs(slog.String("log_dropped", clip(names, maxDropped*8)))
	}
	return h.next.Handle(ctx, out)
}

// size is the length of attrs written as JSON members, measured by
// encoding them: exact for the JSON handler, an upper bound near enough for
// the text one.
func size(attrs []slog.Attr) int {
	if len(attrs) == 0 {
		return 0
	}
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: dropBuiltins}))
	l.LogAttrs(context.Background(), slog.LevelInfo, "", attrs...)
	return buf.Len()
}

// dropBuiltins leaves the time, level and message out of a measurement.
func dropBuiltins(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey) {
		return slog.Attr{}
	}
	return a
}

func jsonLen(s string) int { return size([]slog.Attr{slog.String("m", s)}) }

// clipAll cuts every string value (in groups too) to n bytes.
func clipAll(attrs []slog.Attr, n int) []slog.Attr {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		v := a.Value.Resolve()
		switch v.Kind() {
		case slog.KindString:
			v = slog.StringValue(clip(v.String(), n))
		case slog.KindGroup:
			v = slog.GroupValue(clipAll(v.Group(), n)...)
		}
		out[i] = slog.Attr{Key: clip(a.Key, n), Value: v}
	}
	return out
}

// clip cuts s to at most n bytes on a UTF-8 boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
