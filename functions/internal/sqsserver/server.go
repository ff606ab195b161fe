// Package sqsserver is a loopback HTTP endpoint that speaks enough of the
// Amazon SQS AWS JSON 1.0 protocol (CreateQueue, GetQueueUrl, SendMessage,
// SendMessageBatch, ReceiveMessage, DeleteMessage) for the real AWS SDK
// client to talk to it through AWS_ENDPOINT_URL_SQS. Tests and the local
// runner use it in place of a queue in AWS, and read back what was queued.
//
// It checks only that each request carries a SigV4 Authorization header
// scoped to sqs, not the signature itself. Message bodies live only in
// memory and are never logged.
package sqsserver

import (
	"crypto/md5" //nolint:gosec // SQS's own body checksum
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callwire/callwire/functions/internal/fake"
)

const (
	// MaxMessageSize is the largest message body the server accepts: SQS's
	// long-standing 256 KiB limit.
	MaxMessageSize = 256 << 10
	// defaultVisibility is SQS's default visibility timeout.
	defaultVisibility = 30 * time.Second
	maxBatch          = 10
)

// The operations the server implements, as X-Amz-Target names them after
// "AmazonSQS.".
const (
	OpCreateQueue      = "CreateQueue"
	OpGetQueueURL      = "GetQueueUrl"
	OpSendMessage      = "SendMessage"
	OpSendMessageBatch = "SendMessageBatch"
	OpReceiveMessage   = "ReceiveMessage"
	OpDeleteMessage    = "DeleteMessage"
)

// Option configures a Server built by New.
type Option = fake.Option

// WithAccountID sets the account ID in queue URLs and ARNs; the default is
// 123456789012.
var WithAccountID = fake.WithAccountID

// WithRegion sets the region in queue ARNs; the default is us-east-1.
var WithRegion = fake.WithRegion

// WithLogger logs one line per request: operation, queue, status and error
// type, never a message body. The default discards logs.
var WithLogger = fake.WithLogger

// WithClock replaces time.Now, for tests of delays and visibility timeouts.
var WithClock = fake.WithClock

// MessageAttribute is one message attribute, as SendMessage carries it.
type MessageAttribute struct {
	DataType    string  `json:"DataType"`
	StringValue *string `json:"StringValue,omitempty"`
	BinaryValue []byte  `json:"BinaryValue,omitempty"`
}

// Message is one message as it was queued.
type Message struct {
	MessageID              string
	Queue                  string // the queue's name
	Body                   string
	MD5OfBody              string
	Attributes             map[string]MessageAttribute
	MD5OfMessageAttributes string
	SentAt                 time.Time
	Delay                  time.Duration
	// ReceiveCount is how often ReceiveMessage returned it so far.
	ReceiveCount int
	// Deleted reports whether DeleteMessage removed it.
	Deleted bool
}

type queue struct {
	name       string
	url        string
	arn        string
	created    time.Time
	attributes map[string]string
	delay      time.Duration
	visibility time.Duration
	messages   []*stored
}

type stored struct {
	Message
	visibleAt    time.Time
	receipt      string
	firstReceive time.Time
}

// Server is an in-memory SQS. The zero value is not usable; call New.
type Server struct {
	*fake.Server

	mu     sync.Mutex
	queues map[string]*queue // by name
}

// New returns a Server with no queues.
func New(opts ...Option) *Server {
	s := &Server{queues: make(map[string]*queue)}
	s.Server = fake.New(protocol, s.handle, opts...)
	return s
}

// CreateQueue creates the standard queue name (or returns the one that
// exists) with the given attributes (DelaySeconds and VisibilityTimeout are
// honoured) and returns its URL. The server must have been started.
func (s *Server) CreateQueue(name string, attributes map[string]string) (string, error) {
	base := s.URL()
	if base == "" {
		return "", errors.New("sqsserver: create queue: server not started")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, e := s.createLocked(base, name, attributes)
	if e != nil {
		return "", fmt.Errorf("sqsserver: create queue %s: %s", name, e.Message)
	}
	return q.url, nil
}

// Messages returns a copy of every message sent to the queue named name, in
// the order they arrived, deleted ones included.
func (s *Server) Messages(name string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[name]
	if q == nil {
		return nil
	}
	out := make([]Message, len(q.messages))
	for i, m := range q.messages {
		out[i] = m.Message
		out[i].Attributes = cloneAttributes(m.Attributes)
	}
	return out
}

func (s *Server) handle(r *http.Request, op string, body []byte) (any, string, *fake.Error) {
	base := "http://" + r.Host
	switch op {
	case OpCreateQueue:
		return s.createQueue(base, body)
	case OpGetQueueURL:
		return s.getQueueURL(body)
	case OpSendMessage:
		return s.sendMessage(body)
	case OpSendMessageBatch:
		return s.sendMessageBatch(body)
	case OpReceiveMessage:
		return s.receiveMessage(r, body)
	case OpDeleteMessage:
		return s.deleteMessage(body)
	}
	return nil, "", protocol.UnknownOperation
}

func (s *Server) createQueue(base string, body []byte) (any, string, *fake.Error) {
	var in struct {
		QueueName  string            `json:"QueueName"`
		Attributes map[string]string `json:"Attributes"`
	}
	if e := fake.Decode(body, &in); e != nil {
		return nil, "", e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, e := s.createLocked(base, in.QueueName, in.Attributes)
	if e != nil {
		return nil, in.QueueName, e
	}
	return map[string]string{"QueueUrl": q.url}, q.name, nil
}

func (s *Server) createLocked(base, name string, attrs map[string]string) (*queue, *fake.Error) {
	if !validQueueName(name) {
		return nil, invalidParameter("QueueName must be 1 to 80 letters, digits, hyphens and underscores.")
	}
	if q, ok := s.queues[name]; ok {
		return q, nil
	}
	q := &queue{
		name:       name,
		url:        base + "/" + s.AccountID + "/" + name,
		arn:        "arn:aws:sqs:" + s.Region + ":" + s.AccountID + ":" + name,
		created:    s.Now(),
		attributes: map[string]string{},
		visibility: defaultVisibility,
	}
	for k, v := range attrs {
		q.attributes[k] = v
		switch k {
		case "DelaySeconds":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 900 {
				return nil, invalidParameter("DelaySeconds must be 0 to 900.")
			}
			q.delay = time.Duration(n) * time.Second
		case "VisibilityTimeout":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 43200 {
				return nil, invalidParameter("VisibilityTimeout must be 0 to 43200.")
			}
			q.visibility = time.Duration(n) * time.Second
		}
	}
	s.queues[name] = q
	return q, nil
}

func validQueueName(name string) bool {
	if name == "" || len(name) > 80 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (s *Server) getQueueURL(body []byte) (any, string, *fake.Error) {
	var in struct {
		QueueName string `json:"QueueName"`
	}
	if e := fake.Decode(body, &in); e != nil {
		return nil, "", e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queues[in.QueueName]
	if !ok {
		return nil, in.QueueName, errNoQueue
	}
	return map[string]string{"QueueUrl": q.url}, q.name, nil
}

// lookupLocked resolves a QueueUrl (its last path segment is the name) and
// applies the queue's fault.
func (s *Server) lookupLocked(queueURL string) (*queue, string, *fake.Error) {
	name := queueURL[strings.LastIndexByte(queueURL, '/')+1:]
	if e := s.FaultFor(name); e != nil {
		return nil, name, e
	}
	q, ok := s.queues[name]
	if !ok || queueURL == "" {
		return nil, name, errNoQueue
	}
	return q, name, nil
}

type sendEntry struct {
	ID                string                      `json:"Id"`
	MessageBody       *string                     `json:"MessageBody"`
	DelaySeconds      *int                        `json:"DelaySeconds"`
	MessageAttributes map[string]MessageAttribute `json:"MessageAttributes"`
}

type sendResult struct {
	ID                     string `json:"Id,omitempty"`
	MessageID              string `json:"MessageId"`
	MD5OfMessageBody       string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes string `json:"MD5OfMessageAttributes,omitempty"`
}

func (s *Server) sendMessage(body []byte) (any, string, *fake.Error) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		sendEntry
	}
	if e := fake.Decode(body, &in); e != nil {
		return nil, "", e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, name, e := s.lookupLocked(in.QueueURL)
	if e != nil {
		return nil, name, e
	}
	res, e := s.enqueueLocked(q, in.sendEntry)
	if e != nil {
		return nil, name, e
	}
	return res, name, nil
}

func (s *Server) sendMessageBatch(body []byte) (any, string, *fake.Error) {
	var in struct {
		QueueURL string      `json:"QueueUrl"`
		Entries  []sendEntry `json:"Entries"`
	}
	if e := fake.Decode(body, &in); e != nil {
		return nil, "", e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, name, e := s.lookupLocked(in.QueueURL)
	if e != nil {
		return nil, name, e
	}
	switch {
	case len(in.Entries) == 0:
		return nil, name, sqsError(http.StatusBadRequest, "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.")
	case len(in.Entries) > maxBatch:
		return nil, name, sqsError(http.StatusBadRequest, "TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10.")
	}
	ids := map[string]bool{}
	for _, en := range in.Entries {
		if ids[en.ID] {
			return nil, name, sqsError(http.StatusBadRequest, "BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.")
		}
		ids[en.ID] = true
	}
	type failed struct {
		ID          string `json:"Id"`
		SenderFault bool   `json:"SenderFault"`
		Code        string `json:"Code"`
		Message     string `json:"Message"`
	}
	out := struct {
		Successful []sendResult `json:"Successful"`
		Failed     []failed     `json:"Failed"`
	}{Successful: []sendResult{}, Failed: []failed{}}
	for _, en := range in.Entries {
		res, e := s.enqueueLocked(q, en)
		if e != nil {
			out.Failed = append(out.Failed, failed{ID: en.ID, SenderFault: true, Code: e.Type, Message: e.Message})
			continue
		}
		res.ID = en.ID
		out.Successful = append(out.Successful, res)
	}
	return out, name, nil
}

func (s *Server) enqueueLocked(q *queue, in sendEntry) (sendResult, *fake.Error) {
	if in.MessageBody == nil || *in.MessageBody == "" {
		return sendResult{}, sqsError(http.StatusBadRequest, "MissingParameter", "MissingParameter", "The request must contain the parameter MessageBody.")
	}
	if len(*in.MessageBody) > MaxMessageSize {
		return sendResult{}, invalidParameter("One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.")
	}
	delay := q.delay
	if in.DelaySeconds != nil {
		if *in.DelaySeconds < 0 || *in.DelaySeconds > 900 {
			return sendResult{}, invalidParameter("DelaySeconds must be 0 to 900.")
		}
		delay = time.Duration(*in.DelaySeconds) * time.Second
	}
	now := s.Now()
	m := &stored{
		Message: Message{
			MessageID:              fake.NewID(),
			Queue:                  q.name,
			Body:                   *in.MessageBody,
			MD5OfBody:              md5Hex([]byte(*in.MessageBody)),
			Attributes:             cloneAttributes(in.MessageAttributes),
			MD5OfMessageAttributes: AttributesMD5(in.MessageAttributes),
			SentAt:                 now,
			Delay:                  delay,
		},
		visibleAt: now.Add(delay),
	}
	q.messages = append(q.messages, m)
	return sendResult{MessageID: m.MessageID, MD5OfMessageBody: m.MD5OfBody, MD5OfMessageAttributes: m.MD5OfMessageAttributes}, nil
}

func (s *Server) receiveMessage(r *http.Request, body []byte) (any, string, *fake.Error) {
	var in struct {
		QueueURL                    string   `json:"QueueUrl"`
		MaxNumberOfMessages         *int     `json:"MaxNumberOfMessages"`
		VisibilityTimeout           *int     `json:"VisibilityTimeout"`
		WaitTimeSeconds             *int     `json:"WaitTimeSeconds"`
		AttributeNames              []string `json:"AttributeNames"`
		MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames"`
		MessageAttributeNames       []string `json:"MessageAttributeNames"`
	}
	if e := fake.Decode(body, &in); e != nil {
		return nil, "", e
	}
	limit := 1
	if in.MaxNumberOfMessages != nil {
		limit = *in.MaxNumberOfMessages
		if limit < 1 || limit > maxBatch {
			return nil, "", invalidParameter("MaxNumberOfMessages must be 1 to 10.")
		}
	}
	var wait time.Duration
	if in.WaitTimeSeconds != nil {
		if *in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > 20 {
			return nil, "", invalidParameter("WaitTimeSeconds must be 0 to 20.")
		}
		wait = time.Duration(*in.WaitTimeSeconds) * time.Second
	}
	deadline := time.Now().Add(wait)
	for {
		msgs, name, e := s.take(in.QueueURL, limit, in.VisibilityTimeout,
			append(in.AttributeNames, in.MessageSystemAttributeNames...), in.MessageAttributeNames)
		if e != nil || len(msgs) > 0 || !time.Now().Before(deadline) {
			return map[string]any{"Messages": msgs}, name, e
		}
		select {
		case <-r.Context().Done():
			return map[string]any{"Messages": msgs}, name, nil
		case <-time.After(20 * time.Millisecond):
		}
	}
}

type receivedMessage struct {
	MessageID              string                      `json:"MessageId"`
	ReceiptHandle          string                      `json:"ReceiptHandle"`
	MD5OfBody              string                      `json:"MD5OfBody"`
	Body                   string                      `json:"Body"`
	Attributes             map[string]string           `json:"Attributes,omitempty"`
	MD5OfMessageAttributes string                      `json:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]MessageAttribute `json:"MessageAttributes,omitempty"`
}

// take hands out up to limit visible messages and hides them for the
// visibility timeout.
func (s *Server) take(queueURL string, limit int, visibility *int, attrNames, msgAttrNames []string) ([]receivedMessage, string, *fake.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, name, e := s.lookupLocked(queueURL)
	if e != nil {
		return nil, name, e
	}
	hide := q.visibility
	if visibility != nil {
		if *visibility < 0 || *visibility > 43200 {
			return nil, name, invalidParameter("VisibilityTimeout must be 0 to 43200.")
		}
		hide = time.Duration(*visibility) * time.Second
	}
	now := s.Now()
	out := []receivedMessage{}
	for _, m := range q.messages {
		if len(out) == limit {
			break
		}
		if m.Deleted || now.Before(m.visibleAt) {
			continue
		}
		m.ReceiveCount++
		if m.firstReceive.IsZero() {
			m.firstReceive = now
		}
		m.visibleAt = now.Add(hide)
		m.receipt = fake.NewID() + "#" + m.MessageID
		rm := receivedMessage{MessageID: m.MessageID, ReceiptHandle: m.receipt, MD5OfBody: m.MD5OfBody, Body: m.Body}
		system := map[string]string{
			"SentTimestamp":                    strconv.FormatInt(m.SentAt.UnixMilli(), 10),
			"ApproximateReceiveCount":          strconv.Itoa(m.ReceiveCount),
			"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstReceive.UnixMilli(), 10),
			"SenderId":                         "AIDACALLWIRELOCAL",
		}
		for k, v := range system {
			if slices.Contains(attrNames, "All") || slices.Contains(attrNames, k) {
				if rm.Attributes == nil {
					rm.Attributes = map[string]string{}
				}
				rm.Attributes[k] = v
			}
		}
		if len(msgAttrNames) > 0 && len(m.Attributes) > 0 {
			picked := map[string]MessageAttribute{}
			for k, v := range m.Attributes {
				if slices.Contains(msgAttrNames, "All") || slices.Contains(msgAttrNames, ".*") || slices.Contains(msgAttrNames, k) {
					picked[k] = v
				}
			}
			if len(picked) > 0 {
				rm.MessageAttributes = picked
				rm.MD5OfMessageAttributes = AttributesMD5(picked)
			}
		}
		out = append(out, rm)
	}
	return out, name, nil
}

func (s *Server) deleteMessage(body []byte) (any, string, *fake.Error) {
	var in struct {
		QueueURL      string `json:"QueueUrl"`
		ReceiptHandle string `json:"ReceiptHandle"`
	}
	if e := fake.Decode(body, &in); e != nil {
		return nil, "", e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, name, e := s.lookupLocked(in.QueueURL)
	if e != nil {
		return nil, name, e
	}
	for _, m := range q.messages {
		if m.receipt != "" && m.receipt == in.ReceiptHandle {
			m.Deleted = true
			return struct{}{}, name, nil
		}
	}
	return nil, name, sqsError(http.StatusBadRequest, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle is invalid.")
}

// AttributesMD5 is SQS's MD5OfMessageAttributes: the MD5 of each attribute,
// sorted by name, encoded as length-prefixed name, data type, a transport
// byte (1 string, 2 binary) and length-prefixed value. It is "" without
// attributes.
func AttributesMD5(attrs map[string]MessageAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	slices.Sort(names)
	var b []byte
	field := func(v []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
		b = append(b, v...)
	}
	for _, k := range names {
		a := attrs[k]
		field([]byte(k))
		field([]byte(a.DataType))
		if a.StringValue != nil {
			b = append(b, 1)
			field([]byte(*a.StringValue))
		} else {
			b = append(b, 2)
			field(a.BinaryValue)
		}
	}
	return md5Hex(b)
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b) //nolint:gosec // SQS's checksum, not a security measure
	return hex.EncodeToString(sum[:])
}

func cloneAttributes(a map[string]MessageAttribute) map[string]MessageAttribute {
	if a == nil {
		return nil
	}
	out := make(map[string]MessageAttribute, len(a))
	for k, v := range a {
		if v.StringValue != nil {
			s := *v.StringValue
			v.StringValue = &s
		}
		v.BinaryValue = slices.Clone(v.BinaryValue)
		out[k] = v
	}
	return out
}
