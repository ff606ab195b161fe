// Package secrets reads secrets from AWS Secrets Manager and caches them for
// a TTL, so warm Lambda invocations make no Secrets Manager call.
//
// Every GetSecretValue call is bounded, also while Secrets Manager fails:
//
//   - a value is fetched at most once per TTL (never less than MinTTL) while
//     reads succeed;
//   - after a failed fetch, no read fetches again until a backoff has passed
//     (1 s, doubling to MaxRetryBackoff), whatever the traffic;
//   - a forced fetch (Refresh) counts when it is attempted, not when it
//     succeeds: at most one per refresh interval, whatever Secrets Manager
//     answers.
//
// During an outage (throttling, a 5xx, a timeout) the last good value keeps
// serving for the stale TTL past its expiry, each such read counted and
// reported (WithStaleHook). With no good value to serve, the error is an
// *Error that matches ErrUnavailable and says when to retry.
package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/sync/singleflight"
)

// defaultFetchTimeout bounds one GetSecretValue call. The call is detached
// from its first caller's ctx (so that caller leaving does not fail the
// others waiting on it) and needs a limit of its own.
const defaultFetchTimeout = 10 * time.Second

// DefaultRefreshInterval is the least time between two forced fetches of one
// secret. A 401 that persists, or a flood of callbacks with bad signatures,
// then costs at most one Secrets Manager call per interval, not one per
// request; a rotation is still seen within the interval.
const DefaultRefreshInterval = 30 * time.Second

// MinTTL is the shortest cache TTL a Source uses: a shorter one (zero
// included) is raised to it, so no setting turns every read into a Secrets
// Manager call.
const MinTTL = time.Second

// DefaultStaleTTL is how long past its TTL the last good value keeps serving
// while Secrets Manager cannot answer. Throttling and most service incidents
// end within minutes; an hour rides out all but a long regional event, and
// bounds how long a secret changed during the outage (a reset signing key)
// can go unseen.
const DefaultStaleTTL = time.Hour

// Backoff after failed fetches: the first retry waits minRetryBackoff, each
// further failure doubles the wait up to MaxRetryBackoff. A success resets it.
const (
	minRetryBackoff = time.Second
	// MaxRetryBackoff is the longest wait between two fetches of a secret
	// while fetching fails.
	MaxRetryBackoff = 30 * time.Second
)

// secretsAPI is the part of *secretsmanager.Client that Source uses.
type secretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ secretsAPI = (*secretsmanager.Client)(nil)

// Source reads secret strings through a TTL cache. Concurrent callers asking
// for the same uncached secret share one GetSecretValue call. It is safe for
// concurrent use.
type Source struct {
	api          secretsAPI
	ttl          time.Duration
	staleTTL     time.Duration
	now          func() time.Time
	fetchTimeout time.Duration
	refreshEvery time.Duration
	onStale      func(secretID string, age time.Duration)

	mu     sync.Mutex
	states map[string]*state

	group   singleflight.Group
	fetches atomic.Int64
	stale   atomic.Int64
}

// state is what a Source knows of one secret.
type state struct {
	value     string // the last good value; "" when there is none
	fetchedAt time.Time

	forcedAt time.Time    // when Refresh last attempted a fetch
	forcing  *forcedFetch // the last forced fetch, maybe in flight
	failures int          // consecutive failed fetches
	lastErr  *Error       // the last failure, while failures > 0
	retryAt  time.Time    // no fetch before this time, while failures > 0
}

// Option configures a Source.
type Option func(*Source)

// WithRefreshInterval sets the least time between two fetches forced by
// Refresh for one secret (default DefaultRefreshInterval). 0 means every
// Refresh fetches: only for a caller that bounds its own refreshes.
func WithRefreshInterval(d time.Duration) Option {
	return func(s *Source) { s.refreshEvery = max(d, 0) }
}

// WithStaleTTL sets how long past its TTL the last good value keeps serving
// while Secrets Manager is throttling or unavailable (default
// DefaultStaleTTL; 0 serves nothing stale).
func WithStaleTTL(d time.Duration) Option {
	return func(s *Source) { s.staleTTL = max(d, 0) }
}

// WithStaleHook sets a function called each time a read is answered with a
// value past its TTL because Secrets Manager could not be read; age is how
// long ago that value was fetched. It must not block.
func WithStaleHook(f func(secretID string, age time.Duration)) Option {
	return func(s *Source) { s.onStale = f }
}

// WithClock replaces time.Now, for tests that step a caller and its Source
// through TTLs, backoffs and refresh intervals on one clock.
func WithClock(now func() time.Time) Option {
	return func(s *Source) { s.now = now }
}

// New returns a Source (see NewSource) whose Secrets Manager client is
// built from cfg (its endpoint from AWS_ENDPOINT_URL_SECRETS_MANAGER through
// boot.AWS) and makes one attempt per call: the source's backoff after a
// failure is the one retry policy, so a GetSecretValue the source allows is
// one request, and a throttled Secrets Manager is not sent the SDK's
// retries on top.
func New(cfg aws.Config, ttl time.Duration, opts ...Option) *Source {
	return NewSource(secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 }), ttl, opts...)
}

// NewSource returns a Source that serves values from memory for ttl after
// each fetch. A ttl below MinTTL (zero or less included) is raised to MinTTL.
func NewSource(api secretsAPI, ttl time.Duration, opts ...Option) *Source {
	s := &Source{
		api:          api,
		ttl:          max(ttl, MinTTL),
		staleTTL:     DefaultStaleTTL,
		now:          time.Now,
		fetchTimeout: defaultFetchTimeout,
		refreshEvery: DefaultRefreshInterval,
		states:       make(map[string]*state),
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Value returns the SecretString of secretID (a name or an ARN), from the
// cache while the TTL holds. Concurrent callers of an uncached secret share
// one fetch. Errors are *Error.
//
// After a failed fetch Value does not fetch again until the backoff has
// passed; meanwhile (and when the fetch itself fails) it serves the last
// good value if Secrets Manager was throttling or unavailable and the value
// is within its stale TTL, or else returns the last failure with RetryAfter set.
func (s *Source) Value(ctx context.Context, secretID string) (string, error) {
	if v, ok := s.fresh(secretID); ok {
		return v, nil
	}
	if err := s.backingOff(secretID); err != nil {
		return s.fallback(secretID, err)
	}
	v, err := s.fetchShared(ctx, secretID, func(fetchCtx context.Context) (string, error) {
		// A flight that ended between the checks above and this one has
		// filled the cache, or failed: serve that instead of a second fetch.
		if v, ok := s.fresh(secretID); ok {
			return v, nil
		}
		if err := s.backingOff(secretID); err != nil {
			return "", err
		}
		return s.fetch(fetchCtx, secretID)
	})
	if err != nil && ctx.Err() == nil {
		return s.fallback(secretID, err)
	}
	return v, err
}

// Refresh returns the secret as Secrets Manager holds it now, bypassing the
// TTL, and stores it. Use it after the secret's credentials were refused, and
// compare the result with what the refused request used.
//
// Forced fetches are bounded: one is counted when it is attempted, and
// within the refresh interval after one, Refresh reads like Value (the
// cached, or stale, value; the last failure; or a fetch once the TTL has
// expired and no backoff holds), so a refusal that persists, a stream of
// forged requests or a failing Secrets Manager cannot turn into a Secrets
// Manager call per request. Concurrent callers share one fetch, separate
// from Value's.
func (s *Source) Refresh(ctx context.Context, secretID string) (string, error) {
	f, lead := s.joinForced(secretID)
	if f == nil {
		return s.Value(ctx, secretID)
	}
	if lead {
		// Detached from the caller's ctx like a shared read: the callers
		// joining this fetch must not fail because the first one left.
		fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.fetchTimeout)
		go func() {
			defer cancel()
			f.value, f.err = s.fetch(fetchCtx, secretID)
			close(f.done)
		}()
	}
	select {
	case <-ctx.Done():
		return "", &Error{SecretID: secretID, Reason: Unavailable, Err: ctx.Err()}
	case <-f.done:
		return f.value, f.err
	}
}

// forcedFetch is one forced fetch, shared by the Refresh callers that
// arrive while it runs. value and err are set before done is closed.
type forcedFetch struct {
	done  chan struct{}
	value string
	err   error
}

// joinForced returns the forced fetch of secretID a Refresh caller waits
// for: the one in flight (lead false), or a new one this caller must start
// (lead true, recorded as attempted now); nil within the refresh interval
// after the last attempt, when no fetch may be forced.
func (s *Source) joinForced(secretID string) (f *forcedFetch, lead bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stateLocked(secretID)
	if st.forcing != nil {
		select {
		case <-st.forcing.done:
		default:
			return st.forcing, false
		}
	}
	now := s.now()
	if s.refreshEvery > 0 && !st.forcedAt.IsZero() && now.Sub(st.forcedAt) < s.refreshEvery {
		return nil, false
	}
	st.forcedAt = now
	st.forcing = &forcedFetch{done: make(chan struct{})}
	return st.forcing, true
}

// stateLocked returns the state of secretID, creating it; s.mu must be held.
func (s *Source) stateLocked(secretID string) *state {
	st, ok := s.states[secretID]
	if !ok {
		st = &state{}
		s.states[secretID] = st
	}
	return st
}

// fresh returns the cached value while the TTL holds.
func (s *Source) fresh(secretID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.states[secretID]
	if !ok || st.value == "" || s.now().Sub(st.fetchedAt) >= s.ttl {
		return "", false
	}
	return st.value, true
}

// backingOff returns the last failure of secretID, with RetryAfter set, while
// its backoff holds, or nil when a fetch may start.
func (s *Source) backingOff(secretID string) *Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.states[secretID]
	if !ok || st.failures == 0 {
		return nil
	}
	wait := st.retryAt.Sub(s.now())
	if wait <= 0 {
		return nil
	}
	e := *st.lastErr
	e.RetryAfter = wait
	return &e
}

// fallback answers a read whose fetch failed (or was not attempted, during
// a backoff) with err: the last good value while the outage lets it serve
// stale, or err.
func (s *Source) fallback(secretID string, err error) (string, error) {
	var e *Error
	if !errors.As(err, &e) || !e.outage() {
		return "", err
	}
	s.mu.Lock()
	st, ok := s.states[secretID]
	now := s.now()
	if !ok || st.value == "" || s.staleTTL <= 0 || now.Sub(st.fetchedAt) >= s.ttl+s.staleTTL {
		s.mu.Unlock()
		return "", err
	}
	v, age := st.value, now.Sub(st.fetchedAt)
	s.mu.Unlock()
	s.stale.Add(1)
	if s.onStale != nil {
		s.onStale(secretID, age)
	}
	return v, nil
}

// Decode reads secretID like Value and unmarshals its JSON into v.
// A JSON problem is an *Error with Reason Malformed whose text gives the byte
// offset, never the secret's content.
func (s *Source) Decode(ctx context.Context, secretID string, v any) error {
	value, err := s.Value(ctx, secretID)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(value), v); err != nil {
		return &Error{SecretID: secretID, Reason: Malformed, Err: jsonError(err)}
	}
	return nil
}

// Fetches reports how many GetSecretValue calls the Source has made.
func (s *Source) Fetches() int64 { return s.fetches.Load() }

// StaleServes reports how many reads were answered with a value past its
// TTL because Secrets Manager could not be read.
func (s *Source) StaleServes() int64 { return s.stale.Load() }

// fetchShared runs fetch once for all concurrent reads of the secret.
// The fetch is detached from the caller's ctx (bounded by fetchTimeout), so a
// caller that gives up, at its own deadline, fails alone and the fetch still
// fills the cache for the next one.
func (s *Source) fetchShared(ctx context.Context, secretID string, fetch func(context.Context) (string, error)) (string, error) {
	ch := s.group.DoChan(secretID, func() (any, error) {
		fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.fetchTimeout)
		defer cancel()
		return fetch(fetchCtx)
	})
	select {
	case <-ctx.Done():
		return "", &Error{SecretID: secretID, Reason: Unavailable, Err: ctx.Err()}
	case res := <-ch:
		if res.Err != nil {
			return "", res.Err
		}
		return res.Val.(string), nil
	}
}

// fetch calls GetSecretValue once. A success is cached and ends any backoff;
// a failure starts or lengthens the backoff. Either is recorded before fetch
// returns, so a caller arriving after the shared call ends sees it.
func (s *Source) fetch(ctx context.Context, secretID string) (string, error) {
	s.fetches.Add(1)
	out, err := s.api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &secretID})
	var failure *Error
	switch {
	case err != nil:
		failure = apiError(secretID, err)
	case out.SecretString == nil || *out.SecretString == "":
		failure = &Error{SecretID: secretID, Reason: NoString}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stateLocked(secretID)
	if failure != nil {
		st.failures++
		backoff := MaxRetryBackoff
		if st.failures < 6 { // 1s << 5 = 32s is past the cap
			backoff = min(minRetryBackoff<<(st.failures-1), MaxRetryBackoff)
		}
		st.retryAt = s.now().Add(backoff)
		st.lastErr = failure
		e := *failure
		e.RetryAfter = backoff
		return "", &e
	}
	value := *out.SecretString
	st.value, st.fetchedAt = value, s.now()
	st.failures, st.lastErr, st.retryAt = 0, nil, time.Time{}
	return value, nil
}
