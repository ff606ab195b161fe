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
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/callwire/callwire/functions/internal/fake"
)

const (
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
type Option = fake.Option

// WithAccountID sets the account ID in table ARNs; the default is 123456789012.
var WithAccountID = fake.WithAccountID

// WithRegion sets the region in table ARNs; the default is us-east-1.
var WithRegion = fake.WithRegion

// WithLogger logs one line per request: operation, table, status and error
// type, never an item. The default discards logs.
var WithLogger = fake.WithLogger

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
	*fake.Server

	mu          sync.Mutex
	tables      map[string]*table
	unprocessed int // BatchGetItem requests still to answer partly
}

// New returns a Server with no tables.
func New(opts ...Option) *Server {
	s := &Server{tables: make(map[string]*table)}
	s.Server = fake.New(protocol, s.handle, opts...)
	return s
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

// LeaveUnprocessed makes each of the next n BatchGetItem requests read only
// its first key and return the others in UnprocessedKeys, as DynamoDB does
// when a request exceeds the table's capacity or the 16 MB response size.
func (s *Server) LeaveUnprocessed(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unprocessed = n
}

func (s *Server) handle(_ *http.Request, op string, body []byte) (any, string, *fake.Error) {
	switch op {
	case OpCreateTable:
		return s.createTable(body)
	case OpDescribeTable:
		return s.describeTable(body)
	case OpPutItem:
		return s.putItem(body)
	case OpUpdateItem:
		return s.updateItem(body)
	case OpGetItem:
		return s.getItem(body)
	case OpDeleteItem:
		return s.deleteItem(body)
	case OpBatchGetItem:
		return s.batchGetItem(body)
	}
	return nil, "", protocol.UnknownOperation
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

func (s *Server) createTable(body []byte) (any, string, *fake.Error) {
	var in struct {
		TableName            string                `json:"TableName"`
		KeySchema            []keySchemaElement    `json:"KeySchema"`
		AttributeDefinitions []attributeDefinition `json:"AttributeDefinitions"`
	}
	if e := fake.Decode(body, &in); e != nil {
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

func (s *Server) createLocked(name, hashKey, hashType string) (*table, *fake.Error) {
	if len(name) < 3 || len(name) > 255 || strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.')
	}) >= 0 {
		return nil, validation("TableName must be 3-255 characters of [a-zA-Z0-9_.-]")
	}
	if hashKey == "" || (hashType != "S" && hashType != "N" && hashType != "B") {
		return nil, validation("the key attribute needs a name and a type S, N or B")
	}
	if _, ok := s.tables[name]; ok {
		return nil, &fake.Error{Status: http.StatusBadRequest, Type: "ResourceInUseException", Message: "Table already exists: " + name}
	}
	t := &table{
		name:     name,
		arn:      fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", s.Region, s.AccountID, name),
		hashKey:  hashKey,
		hashType: hashType,
		created:  s.Now(),
		items:    make(map[string]item),
	}
	s.tables[name] = t
	return t, nil
}

func (s *Server) describeTable(body []byte) (any, string, *fake.Error) {
	var in struct {
		TableName string `json:"TableName"`
	}
	if e := fake.Decode(body, &in); e != nil {
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
// keyLocked returns the named table and the map key that key is stored
// under. s.mu must be held.
func (s *Server) keyLocked(name string, key item) (*table, string, *fake.Error) {
	t, e := s.tableLocked(name)
	if e != nil {
		return nil, "", e
	}
	k, e := t.keyOf(key)
	if e != nil {
		return nil, "", e
	}
	return t, k, nil
}

func (s *Server) tableLocked(name string) (*table, *fake.Error) {
	if e := s.FaultFor(name); e != nil {
		return nil, e
	}
	t := s.tables[name]
	if t == nil {
		return nil, &fake.Error{Status: http.StatusBadRequest, Type: "ResourceNotFoundException", Message: "Requested resource not found"}
	}
	return t, nil
}

// keyOf checks that key is exactly the table's key attribute, of its type,
// and returns the map key it is stored under.
func (t *table) keyOf(key item) (string, *fake.Error) {
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

var errKeyTooLarge = validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")

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

// decodeWrite decodes a write request and checks its ReturnValues against
// allowed. The request is never nil, its TableName empty where it did not
// decode.
func decodeWrite(body []byte, allowed ...string) (*writeInput, *fake.Error) {
	var in writeInput
	if e := fake.Decode(body, &in); e != nil {
		return &writeInput{}, e
	}
	return &in, checkReturnValues(in.ReturnValues, allowed...)
}

// exprContext is the context the request's expressions are parsed in.
func (in *writeInput) exprContext() *exprContext {
	return newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
}

// condition parses the request's condition expression (with none, every
// item passes), then refuses any expression name or value that no expression
// of the request used: it is the last expression parsed.
func (in *writeInput) condition(ctx *exprContext) (condition, *fake.Error) {
	c := condition(func(item) bool { return true })
	if in.ConditionExpression != nil {
		var err error
		if c, err = parseCondition(*in.ConditionExpression, ctx); err != nil {
			return nil, validation("Invalid ConditionExpression: " + err.Error())
		}
	}
	if e := ctx.unused(); e != nil {
		return nil, e
	}
	return c, nil
}

// current returns the item stored under k, or the error for a condition it
// fails.
func (in *writeInput) current(t *table, k string, cond condition) (item, *fake.Error) {
	old := t.items[k]
	if !cond(orEmpty(old)) {
		return nil, in.conditionFailed(old)
	}
	return old, nil
}

// conditionFailed is the error for a failed condition, carrying the old item
// when the request asked for it.
func (in *writeInput) conditionFailed(old item) *fake.Error {
	e := &fake.Error{Status: http.StatusBadRequest, Type: "ConditionalCheckFailedException", Message: "The conditional request failed"}
	if in.ReturnValuesOnConditionCheckFailure == "ALL_OLD" && old != nil {
		e.Fields = map[string]any{"Item": old}
	}
	return e
}

func checkReturnValues(v string, allowed ...string) *fake.Error {
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

func (s *Server) putItem(body []byte) (any, string, *fake.Error) {
	in, e := decodeWrite(body, "ALL_OLD")
	if e != nil {
		return nil, in.TableName, e
	}
	ctx := in.exprContext()
	cond, e := in.condition(ctx)
	if e != nil {
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
	old, e := in.current(t, k, cond)
	if e != nil {
		return nil, t.name, e
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

func (s *Server) updateItem(body []byte) (any, string, *fake.Error) {
	in, e := decodeWrite(body, "ALL_OLD", "ALL_NEW")
	if e != nil {
		return nil, in.TableName, e
	}
	if in.UpdateExpression == nil {
		return nil, in.TableName, validation("UpdateExpression is required")
	}
	ctx := in.exprContext()
	upd, err := parseUpdate(*in.UpdateExpression, ctx)
	if err != nil {
		return nil, in.TableName, validation("Invalid UpdateExpression: " + err.Error())
	}
	cond, e := in.condition(ctx)
	if e != nil {
		return nil, in.TableName, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, k, e := s.keyLocked(in.TableName, in.Key)
	if e != nil {
		return nil, in.TableName, e
	}
	for _, a := range upd.set {
		if a.path == t.hashKey {
			return nil, t.name, validation("Cannot update attribute " + t.hashKey + ". This attribute is part of the key")
		}
	}
	old, e := in.current(t, k, cond)
	if e != nil {
		return nil, t.name, e
	}
	base := old
	if base == nil {
		base = item{t.hashKey: in.Key[t.hashKey]}
	}
	updated := upd.apply(base)
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

func (s *Server) deleteItem(body []byte) (any, string, *fake.Error) {
	in, e := decodeWrite(body, "ALL_OLD")
	if e != nil {
		return nil, in.TableName, e
	}
	ctx := in.exprContext()
	cond, e := in.condition(ctx)
	if e != nil {
		return nil, in.TableName, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, k, e := s.keyLocked(in.TableName, in.Key)
	if e != nil {
		return nil, in.TableName, e
	}
	old, e := in.current(t, k, cond)
	if e != nil {
		return nil, t.name, e
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
func (r readSpec) projection() ([]string, *fake.Error) {
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

func (s *Server) getItem(body []byte) (any, string, *fake.Error) {
	var in struct {
		readSpec
		TableName string `json:"TableName"`
		Key       item   `json:"Key"`
	}
	if e := fake.Decode(body, &in); e != nil {
		return nil, "", e
	}
	names, e := in.projection()
	if e != nil {
		return nil, in.TableName, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, k, e := s.keyLocked(in.TableName, in.Key)
	if e != nil {
		return nil, in.TableName, e
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

func (s *Server) batchGetItem(body []byte) (any, string, *fake.Error) {
	var in struct {
		RequestItems map[string]batchGetTable `json:"RequestItems"`
	}
	if e := fake.Decode(body, &in); e != nil {
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
