// Package dynamoserver is a loopback HTTP endpoint that speaks enough of the
// Amazon DynamoDB AWS JSON 1.0 protocol (CreateTable, DescribeTable, PutItem,
// UpdateItem, GetItem, DeleteItem, BatchGetItem) for the real AWS SDK client
// to talk to it through AWS_ENDPOINT_URL_DYNAMODB. Tests and the local runner
// use it in place of a table in AWS.
//
// Tables have a simple primary key (a partition key, no sort key). Condition,
// update and projection expressions are evaluated for the subset documented
// in expr.go; an expression outside it is refused with a ValidationException.
// Time to live is not implemented: expired items stay until deleted.
//
// It checks only that each request carries a SigV4 Authorization header
// scoped to dynamodb, not the signature itself. Items live only in memory
// and are never logged.
package dynamoserver

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	targetPrefix = "DynamoDB_20120810."
	maxBodySize  = 16 << 20
	// maxItemSize is DynamoDB's item size limit.
	maxItemSize = 400 << 10
	// maxBatchGetKeys is the most keys one BatchGetItem may ask for.
	maxBatchGetKeys = 100
)

// The operations the server implements, as X-Amz-Target names them after
// "DynamoDB_20120810.".
const (
	OpCreateTable   = "CreateTable"
	OpDescribeTable = "DescribeTable"
	OpPutItem       = "PutItem"
	OpUpdateItem    = "UpdateItem"
	OpGetItem       = "GetItem"
	OpDeleteItem    = "DeleteItem"
	OpBatchGetItem  = "BatchGetItem"
)

// Option configures a Server built by New.
type Option func(*Server)

// WithAccountID sets the account ID in table ARNs; the default is 123456789012.
func WithAccountID(id string) Option { return func(s *Server) { s.accountID = id } }

// WithRegion sets the region in table ARNs; the default is us-east-1.
func WithRegion(region string) Option { return func(s *Server) { s.region = region } }

// WithLogger logs one line per request: operation, table, status and error
// type, never an item. The default discards logs.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

type table struct {
	name     string
	arn      string
	hashKey  string
	hashType string // S, N or B
	created  time.Time
	items    map[string]item // by the key attribute's JSON
}

// Server is an in-memory DynamoDB. The zero value is not usable; call New.
type Server struct {
	accountID string
	region    string
	log       *slog.Logger

	mu          sync.Mutex
	tables      map[string]*table
	faults      map[string]Fault // by table name
	unprocessed int              // BatchGetItem requests still to answer partly
	http        *http.Server

	requests sync.Map // op -> *atomic.Int64
	total    atomic.Int64
	rejected atomic.Int64
}

// New returns a Server with no tables.
func New(opts ...Option) *Server {
	s := &Server{
		accountID: "123456789012",
		region:    "us-east-1",
		log:       slog.New(slog.DiscardHandler),
		tables:    make(map[string]*table),
		faults:    make(map[string]Fault),
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Start listens on addr (such as "127.0.0.1:0") and serves in the
// background. It returns the base URL, the value for
// AWS_ENDPOINT_URL_DYNAMODB.
func (s *Server) Start(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.http != nil {
		return "", errors.New("dynamoserver: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("dynamoserver: listen %s: %w", addr, err)
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func(srv *http.Server) { _ = srv.Serve(ln) }(s.http)
	return "http://" + ln.Addr().String(), nil
}

// Close stops a server started with Start. It is safe to call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	srv := s.http
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// CreateTable creates a table whose partition key is the string attribute
// hashKey, as a deployed stack would have created it. Creating a table that
// exists is an error.
func (s *Server) CreateTable(name, hashKey string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, e := s.createLocked(name, hashKey, "S"); e != nil {
		return fmt.Errorf("dynamoserver: create table %s: %s", name, e.Message)
	}
	return nil
}

// Items returns a copy of every item in the table, each as a map from
// attribute name to the attribute value's JSON (such as {"S":"x"}).
func (s *Server) Items(tableName string) []map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[tableName]
	if t == nil {
		return nil
	}
	out := make([]map[string]json.RawMessage, 0, len(t.items))
	for _, it := range t.items {
		cp := make(map[string]json.RawMessage, len(it))
		for k, v := range it {
			cp[k] = append(json.RawMessage(nil), v...)
		}
		out = append(out, cp)
	}
	return out
}

// Requests reports how many requests for op (OpPutItem, ...) arrived, or,
// for op "", how many requests of any kind, rejected ones included.
func (s *Server) Requests(op string) int64 {
	if op == "" {
		return s.total.Load()
	}
	if c, ok := s.requests.Load(op); ok {
		return c.(*atomic.Int64).Load()
	}
	return 0
}

// Rejected reports how many requests were refused for lack of a SigV4
// Authorization header.
func (s *Server) Rejected() int64 { return s.rejected.Load() }

// SetFault makes every request on the table named name fail with f until it
// is reset with None.
func (s *Server) SetFault(name string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == None {
		delete(s.faults, name)
		return
	}
	s.faults[name] = f
}

// LeaveUnprocessed makes each of the next n BatchGetItem requests read only
// its first key and return the others in UnprocessedKeys, as DynamoDB does
// when a request exceeds the table's capacity or the 16 MB response size.
func (s *Server) LeaveUnprocessed(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unprocessed = n
}

func (s *Server) count(op string) {
	s.total.Add(1)
	c, _ := s.requests.LoadOrStore(op, new(atomic.Int64))
	c.(*atomic.Int64).Add(1)
}

// ServeHTTP handles one AWS JSON 1.0 request, so the server can also be
// mounted in an httptest.Server.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, _ := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	s.count(op)
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodySize+1))
	if err != nil || len(body) > maxBodySize {
		s.writeError(w, op, "", errSerialization)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		s.writeError(w, op, "", errUnknownOperation)
		return
	}
	if !signed(r, "dynamodb") {
		s.rejected.Add(1)
		s.writeError(w, op, "", errUnsigned)
		return
	}
	var (
		out       any
		tableName string
		e         *awsError
	)
	switch op {
	case OpCreateTable:
		out, tableName, e = s.createTable(body)
	case OpDescribeTable:
		out, tableName, e = s.describeTable(body)
	case OpPutItem:
		out, tableName, e = s.putItem(body)
	case OpUpdateItem:
		out, tableName, e = s.updateItem(body)
	case OpGetItem:
		out, tableName, e = s.getItem(body)
	case OpDeleteItem:
		out, tableName, e = s.deleteItem(body)
	case OpBatchGetItem:
		out, tableName, e = s.batchGetItem(body)
	default:
		e = errUnknownOperation
	}
	if e != nil {
		s.writeError(w, op, tableName, e)
		return
	}
	s.write(w, http.StatusOK, out)
	s.log.Info("dynamoserver: request", "op", op, "table", tableName, "status", http.StatusOK)
}

// signed reports whether r carries a SigV4 Authorization header scoped to
// service, with its date header. The signature itself is not checked.
func signed(r *http.Request, service string) bool {
	h := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok || r.Header.Get("X-Amz-Date") == "" {
		return false
	}
	for part := range strings.SplitSeq(rest, ",") {
		if cred, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential="); ok {
			scope := strings.Split(cred, "/")
			return len(scope) == 5 && scope[0] != "" && scope[3] == service && scope[4] == "aws4_request"
		}
	}
	return false
}

func (s *Server) write(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"encode"}`)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10))
	w.Header().Set("X-Amzn-Requestid", rand.Text())
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *Server) writeError(w http.ResponseWriter, op, tableName string, e *awsError) {
	doc := map[string]any{"__type": "com.amazonaws.dynamodb.v20120810#" + e.Type, "message": e.Message}
	if e.Item != nil {
		doc["Item"] = e.Item
	}
	s.write(w, e.Status, doc)
	s.log.Info("dynamoserver: request", "op", op, "table", tableName, "status", e.Status, "error_type", e.Type)
}

func decode(body []byte, v any) *awsError {
	if err := json.Unmarshal(body, v); err != nil {
		return errSerialization
	}
	return nil
}

type keySchemaElement struct {
	AttributeName string `json:"AttributeName"`
	KeyType       string `json:"KeyType"`
}

type attributeDefinition struct {
	AttributeName string `json:"AttributeName"`
	AttributeType string `json:"AttributeType"`
}

type tableDescription struct {
	TableName            string                `json:"TableName"`
	TableArn             string                `json:"TableArn"`
	TableStatus          string                `json:"TableStatus"`
	KeySchema            []keySchemaElement    `json:"KeySchema"`
	AttributeDefinitions []attributeDefinition `json:"AttributeDefinitions"`
	CreationDateTime     float64               `json:"CreationDateTime"`
	ItemCount            int                   `json:"ItemCount"`
	BillingModeSummary   map[string]string     `json:"BillingModeSummary"`
}

func (t *table) describe() tableDescription {
	return tableDescription{
		TableName:            t.name,
		TableArn:             t.arn,
		TableStatus:          "ACTIVE",
		KeySchema:            []keySchemaElement{{t.hashKey, "HASH"}},
		AttributeDefinitions: []attributeDefinition{{t.hashKey, t.hashType}},
		CreationDateTime:     float64(t.created.UnixMilli()) / 1000,
		ItemCount:            len(t.items),
		BillingModeSummary:   map[string]string{"BillingMode": "PAY_PER_REQUEST"},
	}
}

func (s *Server) createTable(body []byte) (any, string, *awsError) {
	var in struct {
		TableName            string                `json:"TableName"`
		KeySchema            []keySchemaElement    `json:"KeySchema"`
		AttributeDefinitions []attributeDefinition `json:"AttributeDefinitions"`
	}
	if e := decode(body, &in); e != nil {
		return nil, "", e
	}
	if len(in.KeySchema) != 1 || in.KeySchema[0].KeyType != "HASH" {
		return nil, in.TableName, validation("only a partition key (one HASH element, no RANGE) is supported")
	}
	key := in.KeySchema[0].AttributeName
	typ := ""
	for _, d := range in.AttributeDefinitions {
		if d.AttributeName == key {
			typ = d.AttributeType
		}
	}
	if len(in.AttributeDefinitions) != 1 || typ == "" {
		return nil, in.TableName, validation("AttributeDefinitions must define exactly the key attribute " + key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, e := s.createLocked(in.TableName, key, typ)
	if e != nil {
		return nil, in.TableName, e
	}
	desc := t.describe()
	desc.TableStatus = "CREATING"
	return map[string]any{"TableDescription": desc}, t.name, nil
}

func (s *Server) createLocked(name, hashKey, hashType string) (*table, *awsError) {
	if len(name) < 3 || len(name) > 255 || strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.')
	}) >= 0 {
		return nil, validation("TableName must be 3-255 characters of [a-zA-Z0-9_.-]")
	}
	if hashKey == "" || (hashType != "S" && hashType != "N" && hashType != "B") {
		return nil, validation("the key attribute needs a name and a type S, N or B")
	}
	if _, ok := s.tables[name]; ok {
		return nil, &awsError{http.StatusBadRequest, "ResourceInUseException", "Table already exists: " + name, nil}
	}
	t := &table{
		name:     name,
		arn:      fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", s.region, s.accountID, name),
		hashKey:  hashKey,
		hashType: hashType,
		created:  time.Now(),
		items:    make(map[string]item),
	}
	s.tables[name] = t
	return t, nil
}

func (s *Server) describeTable(body []byte) (any, string, *awsError) {
	var in struct {
		TableName string `json:"TableName"`
	}
	if e := decode(body, &in); e != nil {
		return nil, "", e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, e := s.tableLocked(in.TableName)
	if e != nil {
		return nil, in.TableName, e
	}
	return map[string]any{"Table": t.describe()}, t.name, nil
}

// tableLocked returns the table named name, or the fault set on it, or
// ResourceNotFoundException.
func (s *Server) tableLocked(name string) (*table, *awsError) {
	if f, ok := s.faults[name]; ok {
		return nil, f.awsError()
	}
	t := s.tables[name]
	if t == nil {
		return nil, &awsError{http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found", nil}
	}
	return t, nil
}

// keyOf checks that key is exactly the table's key attribute, of its type,
// and returns the map key it is stored under.
func (t *table) keyOf(key item) (string, *awsError) {
	v, ok := key[t.hashKey]
	if !ok || len(key) != 1 {
		return "", validation("The provided key element does not match the schema")
	}
	typ, value, ok := scalar(v)
	if !ok || typ != t.hashType || value == "" {
		return "", validation("The provided key element does not match the schema")
	}
	if keyBytes(typ, value) > maxPartitionKeySize {
		return "", errKeyTooLarge
	}
	return string(canonical(v)), nil
}

// maxPartitionKeySize is DynamoDB's limit on a partition key value: 2048
// bytes (the UTF-8 bytes of a string, the bytes of a binary value).
const maxPartitionKeySize = 2048

var errKeyTooLarge = validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes")

// keyBytes is the size DynamoDB counts for a key value of type typ.
func keyBytes(typ, value string) int {
	if typ == "B" {
		if b, err := base64.StdEncoding.DecodeString(value); err == nil {
			return len(b)
		}
	}
	return len(value)
}

// writeInput is what PutItem, UpdateItem and DeleteItem share.
type writeInput struct {
	TableName                           string            `json:"TableName"`
	Key                                 item              `json:"Key"`
	Item                                item              `json:"Item"`
	ConditionExpression                 *string           `json:"ConditionExpression"`
	UpdateExpression                    *string           `json:"UpdateExpression"`
	ExpressionAttributeNames            map[string]string `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues           map[string]attr   `json:"ExpressionAttributeValues"`
	ReturnValues                        string            `json:"ReturnValues"`
	ReturnValuesOnConditionCheckFailure string            `json:"ReturnValuesOnConditionCheckFailure"`
}

// condition parses the request's condition expression; with none, every
// item passes.
func (in *writeInput) condition(ctx *exprContext) (condition, *awsError) {
	if in.ConditionExpression == nil {
		return func(item) bool { return true }, nil
	}
	c, err := parseCondition(*in.ConditionExpression, ctx)
	if err != nil {
		return nil, validation("Invalid ConditionExpression: " + err.Error())
	}
	return c, nil
}

// conditionFailed is the error for a failed condition, carrying the old item
// when the request asked for it.
func (in *writeInput) conditionFailed(old item) *awsError {
	e := &awsError{http.StatusBadRequest, "ConditionalCheckFailedException", "The conditional request failed", nil}
	if in.ReturnValuesOnConditionCheckFailure == "ALL_OLD" && old != nil {
		e.Item = old
	}
	return e
}

func checkReturnValues(v string, allowed ...string) *awsError {
	if v == "" || v == "NONE" {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return validation("ReturnValues " + v + " is not supported for this operation")
}

func itemSize(it item) int {
	n := 0
	for k, v := range it {
		n += len(k) + len(v)
	}
	return n
}

func (s *Server) putItem(body []byte) (any, string, *awsError) {
	var in writeInput
	if e := decode(body, &in); e != nil {
		return nil, "", e
	}
	if e := checkReturnValues(in.ReturnValues, "ALL_OLD"); e != nil {
		return nil, in.TableName, e
	}
	ctx := newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	cond, e := in.condition(ctx)
	if e != nil {
		return nil, in.TableName, e
	}
	if e := ctx.unused(); e != nil {
		return nil, in.TableName, e
	}
	if itemSize(in.Item) > maxItemSize {
		return nil, in.TableName, validation("Item size has exceeded the maximum allowed size")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, e := s.tableLocked(in.TableName)
	if e != nil {
		return nil, in.TableName, e
	}
	k, e := t.keyOf(item{t.hashKey: in.Item[t.hashKey]})
	if e == errKeyTooLarge {
		return nil, t.name, e
	}
	if e != nil {
		return nil, t.name, validation("One or more parameter values were invalid: Missing the key " + t.hashKey + " in the item")
	}
	old := t.items[k]
	if !cond(orEmpty(old)) {
		return nil, t.name, in.conditionFailed(old)
	}
	t.items[k] = in.Item
	out := map[string]any{}
	if in.ReturnValues == "ALL_OLD" && old != nil {
		out["Attributes"] = old
	}
	return out, t.name, nil
}

func orEmpty(it item) item {
	if it == nil {
		return item{}
	}
	return it
}

func (s *Server) updateItem(body []byte) (any, string, *awsError) {
	var in writeInput
	if e := decode(body, &in); e != nil {
		return nil, "", e
	}
	if e := checkReturnValues(in.ReturnValues, "ALL_OLD", "ALL_NEW"); e != nil {
		return nil, in.TableName, e
	}
	if in.UpdateExpression == nil {
		return nil, in.TableName, validation("UpdateExpression is required")
	}
	ctx := newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	upd, err := parseUpdate(*in.UpdateExpression, ctx)
	if err != nil {
		return nil, in.TableName, validation("Invalid UpdateExpression: " + err.Error())
	}
	cond, e := in.condition(ctx)
	if e != nil {
		return nil, in.TableName, e
	}
	if e := ctx.unused(); e != nil {
		return nil, in.TableName, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, e := s.tableLocked(in.TableName)
	if e != nil {
		return nil, in.TableName, e
	}
	k, e := t.keyOf(in.Key)
	if e != nil {
		return nil, t.name, e
	}
	for _, a := range upd.set {
		if a.path == t.hashKey {
			return nil, t.name, validation("Cannot update attribute " + t.hashKey + ". This attribute is part of the key")
		}
	}
	old := t.items[k]
	if !cond(orEmpty(old)) {
		return nil, t.name, in.conditionFailed(old)
	}
	base := old
	if base == nil {
		base = item{t.hashKey: in.Key[t.hashKey]}
	}
	updated, err := upd.apply(base)
	if err != nil {
		return nil, t.name, validation(err.Error())
	}
	if itemSize(updated) > maxItemSize {
		return nil, t.name, validation("Item size to update has exceeded the maximum allowed size")
	}
	t.items[k] = updated
	out := map[string]any{}
	switch {
	case in.ReturnValues == "ALL_NEW":
		out["Attributes"] = updated
	case in.ReturnValues == "ALL_OLD" && old != nil:
		out["Attributes"] = old
	}
	return out, t.name, nil
}

func (s *Server) deleteItem(body []byte) (any, string, *awsError) {
	var in writeInput
	if e := decode(body, &in); e != nil {
		return nil, "", e
	}
	if e := checkReturnValues(in.ReturnValues, "ALL_OLD"); e != nil {
		return nil, in.TableName, e
	}
	ctx := newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	cond, e := in.condition(ctx)
	if e != nil {
		return nil, in.TableName, e
	}
	if e := ctx.unused(); e != nil {
		return nil, in.TableName, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, e := s.tableLocked(in.TableName)
	if e != nil {
		return nil, in.TableName, e
	}
	k, e := t.keyOf(in.Key)
	if e != nil {
		return nil, t.name, e
	}
	old := t.items[k]
	if !cond(orEmpty(old)) {
		return nil, t.name, in.conditionFailed(old)
	}
	delete(t.items, k)
	out := map[string]any{}
	if in.ReturnValues == "ALL_OLD" && old != nil {
		out["Attributes"] = old
	}
	return out, t.name, nil
}

// readSpec is what GetItem and each table of a BatchGetItem carry.
type readSpec struct {
	ProjectionExpression     *string           `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitempty"`
	ConsistentRead           *bool             `json:"ConsistentRead,omitempty"`
}

// projection returns the attributes to return (nil for all).
func (r readSpec) projection() ([]string, *awsError) {
	ctx := newExprContext(r.ExpressionAttributeNames, nil)
	if r.ProjectionExpression == nil {
		if len(r.ExpressionAttributeNames) > 0 {
			return nil, ctx.unused()
		}
		return nil, nil
	}
	names, err := parseProjection(*r.ProjectionExpression, ctx)
	if err != nil {
		return nil, validation("Invalid ProjectionExpression: " + err.Error())
	}
	if e := ctx.unused(); e != nil {
		return nil, e
	}
	return names, nil
}

func (s *Server) getItem(body []byte) (any, string, *awsError) {
	var in struct {
		readSpec
		TableName string `json:"TableName"`
		Key       item   `json:"Key"`
	}
	if e := decode(body, &in); e != nil {
		return nil, "", e
	}
	names, e := in.projection()
	if e != nil {
		return nil, in.TableName, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, e := s.tableLocked(in.TableName)
	if e != nil {
		return nil, in.TableName, e
	}
	k, e := t.keyOf(in.Key)
	if e != nil {
		return nil, t.name, e
	}
	out := map[string]any{}
	if it, ok := t.items[k]; ok {
		out["Item"] = project(it, names)
	}
	return out, t.name, nil
}

type batchGetTable struct {
	readSpec
	Keys []item `json:"Keys"`
}

func (s *Server) batchGetItem(body []byte) (any, string, *awsError) {
	var in struct {
		RequestItems map[string]batchGetTable `json:"RequestItems"`
	}
	if e := decode(body, &in); e != nil {
		return nil, "", e
	}
	total := 0
	for _, req := range in.RequestItems {
		total += len(req.Keys)
		if len(req.Keys) == 0 {
			return nil, "", validation("1 validation error detected: Value at 'requestItems.keys' failed to satisfy constraint: Member must have length greater than or equal to 1")
		}
	}
	if len(in.RequestItems) == 0 || total > maxBatchGetKeys {
		return nil, "", validation("Too many items requested for the BatchGetItem call")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	partial := s.unprocessed > 0
	if partial {
		s.unprocessed--
	}
	responses := map[string][]item{}
	unprocessed := map[string]batchGetTable{}
	names := ""
	first := true
	for name, req := range in.RequestItems {
		names = name
		t, e := s.tableLocked(name)
		if e != nil {
			return nil, name, e
		}
		proj, e := req.projection()
		if e != nil {
			return nil, name, e
		}
		seen := map[string]bool{}
		got := []item{}
		var left []item
		for _, key := range req.Keys {
			k, e := t.keyOf(key)
			if e != nil {
				return nil, name, e
			}
			if seen[k] {
				return nil, name, validation("Provided list of item keys contains duplicates")
			}
			seen[k] = true
			if partial && !first {
				left = append(left, key)
				continue
			}
			first = false
			if it, ok := t.items[k]; ok {
				got = append(got, project(it, proj))
			}
		}
		responses[name] = got
		if len(left) > 0 {
			rest := req
			rest.Keys = left
			unprocessed[name] = rest
		}
	}
	return map[string]any{"Responses": responses, "UnprocessedKeys": unprocessed}, names, nil
}
