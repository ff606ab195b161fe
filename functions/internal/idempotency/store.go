// Package idempotency records which call events were published, in a
// DynamoDB table keyed by the event id, so that each one is published once
// whichever path brought it and however often. It follows the pattern AWS
// Lambda Powertools calls idempotency: claim the id with a conditional write
// that carries an in-progress expiry, publish, then mark the record done
// with a time to live.
//
// A crash between the claim and the publish loses nothing: the claim expires
// and the retry claims again. A crash between the publish and the done mark
// publishes the event a second time on the retry, with the same event id.
//
// When the publisher cannot tell whether the publish went out (a timeout, or
// a request that failed after delivering part of it), it marks the id
// possibly published (MarkPossiblyPublished). The next claim of that id is a
// last attempt (Claim.Again): the caller publishes once more and completes
// the id whatever the outcome, so no event id is published more than twice.
// One narrow exception: a crash between a claim's write and its last-attempt
// flag leaves an ordinary claim, which a later claim treats as a first one.
//
// The table's partition key is the string attribute "id"; its time-to-live
// attribute is "expiration" (epoch seconds).
package idempotency

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute names of a record.
const (
	// AttrID is the partition key: the event id.
	AttrID = "id"
	// AttrExpiration is the table's time-to-live attribute, in epoch seconds.
	AttrExpiration  = "expiration"
	attrStatus      = "status"
	attrInProgress  = "in_progress_expiration" // epoch milliseconds
	attrClaim       = "claim"                  // the claimant's random token
	attrPublishedAt = "published_at"           // epoch seconds
	// attrPossibly is set (to 1) once a publish of the id had an unknown
	// outcome: the claims after it are last attempts.
	attrPossibly     = "possibly_published"
	statusInProgress = "IN_PROGRESS"
	statusCompleted  = "COMPLETED"
	// statusPossibly: a publish of the id may have gone out.
	statusPossibly = "POSSIBLY_PUBLISHED"
	// maxEchoID bounds how much of an id an error repeats.
	maxEchoID = 80
)

const (
	// DefaultTTL is how long a done record is kept when New gets no WithTTL:
	// a week, longer than any reconciliation window it must cover.
	DefaultTTL = 7 * 24 * time.Hour
	// defaultLock is the in-progress expiry of a claim made without a
	// deadline.
	defaultLock = time.Minute
	// maxBatchGetKeys is BatchGetItem's limit per request.
	maxBatchGetKeys = 100
	// maxBatchRounds bounds the requests Published makes for one chunk of
	// keys while DynamoDB returns some of them unprocessed.
	maxBatchRounds = 8
)

// dynamoAPI is the part of the DynamoDB client the store uses.
type dynamoAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

var _ dynamoAPI = (*dynamodb.Client)(nil)

// Store reads and writes idempotency records. It is safe for concurrent use.
type Store struct {
	db    dynamoAPI
	table string
	ttl   time.Duration
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// Option configures a Store.
type Option func(*Store)

// WithTTL sets how long a done record is kept (DefaultTTL otherwise). It
// must be longer than the window in which the same event can be brought
// again, such as the reconciliation sweep's look-back window.
func WithTTL(d time.Duration) Option { return func(s *Store) { s.ttl = d } }

// WithClock replaces time.Now (tests move it forward).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns a Store over the table named table whose DynamoDB client is
// built from cfg (its endpoint from AWS_ENDPOINT_URL_DYNAMODB through
// boot.AWS).
func New(cfg aws.Config, table string, opts ...Option) *Store {
	return newStore(dynamodb.NewFromConfig(cfg), table, opts...)
}

func newStore(db dynamoAPI, table string, opts ...Option) *Store {
	s := &Store{db: db, table: table, ttl: DefaultTTL, now: time.Now, sleep: sleepCtx}
	for _, opt := range opts {
		opt(s)
	}
	if s.ttl <= 0 {
		s.ttl = DefaultTTL
	}
	return s
}

// TTL returns how long a done record is kept.
func (s *Store) TTL() time.Duration { return s.ttl }

// State is the outcome of a claim.
type State int

const (
	// Claimed: the caller holds the id until the claim's expiry and must
	// publish, then Complete (or Release when publishing failed).
	Claimed State = iota + 1
	// Done: the event was published within the record's TTL; do not publish.
	Done
	// Busy: another claim on the id has not expired; try again later.
	Busy
)

func (st State) String() string {
	switch st {
	case Claimed:
		return "claimed"
	case Done:
		return "done"
	case Busy:
		return "busy"
	}
	return "State(" + strconv.Itoa(int(st)) + ")"
}

// Claim is the result of Store.Claim.
type Claim struct {
	ID    string
	State State
	// Until is when the in-progress claim expires: the caller's for
	// Claimed, the other claimant's for Busy.
	Until time.Time
	// Again is set on a Claimed claim of an id that was marked possibly
	// published: this is the last attempt, and the caller completes the id
	// after it whatever the outcome.
	Again bool
	token string
}

// Claim claims id until the given time (the end of the caller's invocation;
// a zero or past time claims for a minute). It succeeds when there is no
// record, when the record's TTL has passed (DynamoDB deletes expired items
// only eventually), when another claim expired without being completed, or
// when the id was marked possibly published (then Claim.Again is set). A
// lapsed last attempt (one that died after claiming) counts as done: it may
// have published the second time.
func (s *Store) Claim(ctx context.Context, id string, until time.Time) (Claim, error) {
	now := s.now()
	if !until.After(now) {
		until = now.Add(defaultLock)
	}
	c := Claim{ID: id, State: Claimed, Until: until, token: rand.Text()}
	out, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{
			AttrID:         str(id),
			attrStatus:     str(statusInProgress),
			attrInProgress: num(until.UnixMilli()),
			AttrExpiration: num(now.Add(s.ttl).Unix()),
			attrClaim:      str(c.token),
		},
		ConditionExpression: aws.String("attribute_not_exists(#id) OR #exp < :now OR (#status = :inprogress AND #lock < :nowms) OR #status = :possibly"),
		ExpressionAttributeNames: map[string]string{
			"#id": AttrID, "#exp": AttrExpiration, "#status": attrStatus, "#lock": attrInProgress,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": num(now.Unix()), ":nowms": num(now.UnixMilli()), ":inprogress": str(statusInProgress),
			":possibly": str(statusPossibly),
		},
		ReturnValues:                        types.ReturnValueAllOld,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return s.claimed(ctx, c, out.Attributes, now)
	}
	var failed *types.ConditionalCheckFailedException
	if !errors.As(err, &failed) {
		return Claim{}, fmt.Errorf("idempotency: claim %s: %w", clipID(id), err)
	}
	old := failed.Item
	if old == nil {
		// Not every implementation returns the item with the failure.
		got, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      aws.String(s.table),
			Key:            map[string]types.AttributeValue{AttrID: str(id)},
			ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return Claim{}, fmt.Errorf("idempotency: claim %s: read the existing record: %w", clipID(id), err)
		}
		old = got.Item
	}
	c = Claim{ID: id, State: Busy}
	if stringAttr(old, attrStatus) == statusCompleted {
		c.State = Done
	} else if ms, ok := numberAttr(old, attrInProgress); ok {
		c.Until = time.UnixMilli(ms)
	}
	return c, nil
}

// claimed finishes a claim whose write succeeded over old (nil when there
// was no record): a claim over a possibly published id is a last attempt,
// and the record says so before the caller publishes; a claim over a lapsed
// last attempt is done.
func (s *Store) claimed(ctx context.Context, c Claim, old map[string]types.AttributeValue, now time.Time) (Claim, error) {
	if old == nil {
		return c, nil
	}
	if exp, _ := numberAttr(old, AttrExpiration); exp < now.Unix() {
		return c, nil // an expired record is no record
	}
	if _, flagged := numberAttr(old, attrPossibly); !flagged && stringAttr(old, attrStatus) != statusPossibly {
		return c, nil
	}
	if stringAttr(old, attrStatus) == statusInProgress {
		// A last attempt lapsed: it may have published a second time.
		if err := s.Complete(ctx, c); err != nil {
			return Claim{}, err
		}
		return Claim{ID: c.ID, State: Done}, nil
	}
	c.Again = true
	if err := s.setPossibly(ctx, c, nil); err != nil {
		_ = s.Release(ctx, c)
		return Claim{}, fmt.Errorf("idempotency: claim %s: %w", clipID(c.ID), err)
	}
	return c, nil
}

// setPossibly flags the claim's record as a last attempt, guarded by the
// claim's token; with status set it also sets the record's status and ends
// the claim.
func (s *Store) setPossibly(ctx context.Context, c Claim, status *string) error {
	update := "SET #pp = :one"
	names := map[string]string{"#pp": attrPossibly, "#claim": attrClaim}
	values := map[string]types.AttributeValue{":one": num(1), ":token": str(c.token)}
	if status != nil {
		update = "SET #pp = :one, #status = :status REMOVE #lock, #claim"
		names["#status"], names["#lock"] = attrStatus, attrInProgress
		values[":status"] = str(*status)
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       map[string]types.AttributeValue{AttrID: str(c.ID)},
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("#claim = :token"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	return err
}

// MarkPossiblyPublished records that the publish under claim c may have
// gone out (its outcome is unknown) and ends the claim: the next claim of
// the id is a last attempt. Call it on a context the expiring invocation
// cannot cancel. A claim someone else has taken over since is left alone
// (ErrClaimLost).
func (s *Store) MarkPossiblyPublished(ctx context.Context, c Claim) error {
	if c.State != Claimed {
		return fmt.Errorf("idempotency: mark %s possibly published: not claimed (%s)", clipID(c.ID), c.State)
	}
	status := statusPossibly
	err := s.setPossibly(ctx, c, &status)
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return fmt.Errorf("idempotency: mark %s possibly published: %w", clipID(c.ID), ErrClaimLost)
	}
	if err != nil {
		return fmt.Errorf("idempotency: mark %s possibly published: %w", clipID(c.ID), err)
	}
	return nil
}

// ErrClaimLost is returned when a claim was taken over by another claimant
// before its holder could record the outcome.
var ErrClaimLost = errors.New("the claim was taken over")

// clipID shortens an id for an error message: ids come from the queue, and
// an error must not echo a huge one.
func clipID(id string) string {
	if len(id) > maxEchoID {
		return fmt.Sprintf("%q... (%d bytes)", id[:maxEchoID], len(id))
	}
	return id
}

// Complete marks a claimed id done: the event was published. The record is
// kept for the store's TTL.
func (s *Store) Complete(ctx context.Context, c Claim) error {
	if c.State != Claimed {
		return fmt.Errorf("idempotency: complete %s: not claimed (%s)", clipID(c.ID), c.State)
	}
	now := s.now()
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.table),
		Key:              map[string]types.AttributeValue{AttrID: str(c.ID)},
		UpdateExpression: aws.String("SET #status = :completed, #exp = :exp, #at = :at REMOVE #lock, #claim"),
		ExpressionAttributeNames: map[string]string{
			"#status": attrStatus, "#exp": AttrExpiration, "#at": attrPublishedAt, "#lock": attrInProgress, "#claim": attrClaim,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":completed": str(statusCompleted), ":exp": num(now.Add(s.ttl).Unix()), ":at": num(now.Unix()),
		},
	})
	if err != nil {
		return fmt.Errorf("idempotency: complete %s: %w", clipID(c.ID), err)
	}
	return nil
}

// Release gives up a claim after the publish failed, so that the retry need
// not wait for the claim to expire. A claim that someone else has taken
// over since is left alone. A last attempt (Claim.Again) keeps its record
// marked possibly published, so that the id's bound of two publishes holds.
func (s *Store) Release(ctx context.Context, c Claim) error {
	if c.State != Claimed {
		return nil
	}
	if c.Again {
		if err := s.MarkPossiblyPublished(ctx, c); err != nil && !errors.Is(err, ErrClaimLost) {
			return fmt.Errorf("idempotency: release %s: %w", clipID(c.ID), err)
		}
		return nil
	}
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       map[string]types.AttributeValue{AttrID: str(c.ID)},
		ConditionExpression:       aws.String("#claim = :token"),
		ExpressionAttributeNames:  map[string]string{"#claim": attrClaim},
		ExpressionAttributeValues: map[string]types.AttributeValue{":token": str(c.token)},
	})
	var failed *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &failed) {
		return fmt.Errorf("idempotency: release %s: %w", clipID(c.ID), err)
	}
	return nil
}

// Published reports which of ids have a done record within its TTL. It reads
// with BatchGetItem, 100 keys per request, and asks again for the keys
// DynamoDB returns unprocessed (with a short backoff, at most a few times).
// Reads are eventually consistent: an event published a moment ago may read
// as not published yet, which costs one duplicate hint, never a lost event.
func (s *Store) Published(ctx context.Context, ids []string) (map[string]bool, error) {
	uniq := slices.Clone(ids)
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	out := make(map[string]bool, len(uniq))
	now := s.now().Unix()
	for chunk := range slices.Chunk(uniq, maxBatchGetKeys) {
		keys := make([]map[string]types.AttributeValue, len(chunk))
		for i, id := range chunk {
			keys[i] = map[string]types.AttributeValue{AttrID: str(id)}
		}
		req := map[string]types.KeysAndAttributes{s.table: {
			Keys:                     keys,
			ProjectionExpression:     aws.String("#id, #status, #exp"),
			ExpressionAttributeNames: map[string]string{"#id": AttrID, "#status": attrStatus, "#exp": AttrExpiration},
		}}
		for round := 0; len(req) > 0; round++ {
			if round == maxBatchRounds {
				return nil, fmt.Errorf("idempotency: published: %d keys still unprocessed after %d requests", len(req[s.table].Keys), round)
			}
			if round > 0 {
				if err := s.sleep(ctx, backoff(round)); err != nil {
					return nil, fmt.Errorf("idempotency: published: %w", err)
				}
			}
			resp, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, fmt.Errorf("idempotency: published: %w", err)
			}
			for _, it := range resp.Responses[s.table] {
				exp, _ := numberAttr(it, AttrExpiration)
				if stringAttr(it, attrStatus) == statusCompleted && exp >= now {
					out[stringAttr(it, AttrID)] = true
				}
			}
			req = resp.UnprocessedKeys
		}
	}
	for _, id := range uniq {
		if !out[id] {
			out[id] = false
		}
	}
	return out, nil
}

// backoff is the wait before request round+1 of an unprocessed-keys retry:
// full jitter over 25 ms doubling, capped at 1 s.
func backoff(round int) time.Duration {
	d := min(25*time.Millisecond<<min(round-1, 6), time.Second)
	return time.Duration(mrand.Float64() * float64(d))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func stringAttr(it map[string]types.AttributeValue, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func numberAttr(it map[string]types.AttributeValue, name string) (int64, bool) {
	v, ok := it[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	return n, err == nil
}
