package idempotency

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// SpecStateID is the id of the spec watch's one item in the table: what it
// last saw of SignalWire's published OpenAPI document. Its IAM policy is
// limited to this key (dynamodb:LeadingKeys).
const SpecStateID = "specwatch#published"

// Attribute names of the spec watch's item.
const (
	attrSpecSHA256       = "sha256"
	attrSpecETag         = "etag"
	attrSpecLastModified = "last_modified"
	attrSpecDocument     = "document_gz"
	attrSpecSeenAt       = "seen_at" // epoch seconds
)

// MaxSpecDocument bounds the gzip-compressed document kept in the item,
// under DynamoDB's 400 KB item limit with room for the other attributes.
const MaxSpecDocument = 350 << 10

// ErrSpecStateConflict is returned by SaveSpec when the item changed since
// it was loaded: another run saved first.
var ErrSpecStateConflict = errors.New("idempotency: spec state changed since it was read")

// SpecState is the last published document seen.
type SpecState struct {
	SHA256       string
	ETag         string
	LastModified string
	Document     []byte
	SeenAt       int64
}

// LoadSpec returns the spec watch's item, or ok false when there is none
// (the first run).
func (s *Store) LoadSpec(ctx context.Context) (st SpecState, ok bool, err error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{AttrID: str(SpecStateID)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return SpecState{}, false, fmt.Errorf("idempotency: load spec state: %w", err)
	}
	if len(out.Item) == 0 {
		return SpecState{}, false, nil
	}
	st = SpecState{
		SHA256:       stringAttr(out.Item, attrSpecSHA256),
		ETag:         stringAttr(out.Item, attrSpecETag),
		LastModified: stringAttr(out.Item, attrSpecLastModified),
	}
	st.SeenAt, _ = numberAttr(out.Item, attrSpecSeenAt)
	if b, isB := out.Item[attrSpecDocument].(*types.AttributeValueMemberB); isB {
		zr, err := gzip.NewReader(bytes.NewReader(b.Value))
		if err != nil {
			return SpecState{}, false, fmt.Errorf("idempotency: load spec state: document: %w", err)
		}
		// Bounded, so an item written by something else cannot expand
		// without limit.
		doc, err := io.ReadAll(io.LimitReader(zr, 64<<20))
		if err != nil {
			return SpecState{}, false, fmt.Errorf("idempotency: load spec state: document: %w", err)
		}
		st.Document = doc
	}
	if st.SHA256 == "" {
		return SpecState{}, false, fmt.Errorf("idempotency: load spec state: the item has no %s", attrSpecSHA256)
	}
	return st, true, nil
}

// SaveSpec writes st as the spec watch's item, on condition that the item
// still holds prevSHA256 (or, with prevSHA256 empty, that there is none), so
// two overlapping runs cannot both record a change as new. It returns
// ErrSpecStateConflict when the condition fails.
func (s *Store) SaveSpec(ctx context.Context, st SpecState, prevSHA256 string) error {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(st.Document); err != nil {
		return fmt.Errorf("idempotency: save spec state: compress: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("idempotency: save spec state: compress: %w", err)
	}
	if gz.Len() > MaxSpecDocument {
		return fmt.Errorf("idempotency: save spec state: the document compresses to %d bytes, more than %d", gz.Len(), MaxSpecDocument)
	}
	item := map[string]types.AttributeValue{
		AttrID:           str(SpecStateID),
		attrSpecSHA256:   str(st.SHA256),
		attrSpecDocument: &types.AttributeValueMemberB{Value: gz.Bytes()},
		attrSpecSeenAt:   num(st.SeenAt),
	}
	if st.ETag != "" {
		item[attrSpecETag] = str(st.ETag)
	}
	if st.LastModified != "" {
		item[attrSpecLastModified] = str(st.LastModified)
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}
	if prevSHA256 == "" {
		in.ConditionExpression = aws.String("attribute_not_exists(#id)")
		in.ExpressionAttributeNames = map[string]string{"#id": AttrID}
	} else {
		in.ConditionExpression = aws.String("#sha = :prev")
		in.ExpressionAttributeNames = map[string]string{"#sha": attrSpecSHA256}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": str(prevSHA256)}
	}
	if _, err := s.db.PutItem(ctx, in); err != nil {
		if _, isCond := errors.AsType[*types.ConditionalCheckFailedException](err); isCond {
			return ErrSpecStateConflict
		}
		return fmt.Errorf("idempotency: save spec state: %w", err)
	}
	return nil
}
