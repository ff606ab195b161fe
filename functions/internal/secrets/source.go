// Package secrets reads secrets from AWS Secrets Manager and caches them for
// a TTL, so warm Lambda invocations make no Secrets Manager call.
package secrets

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

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
	now          func() time.Time
	fetchTimeout time.Duration
	refreshEvery time.Duration

	mu    sync.Mutex
	cache map[string]entry
	// forced is when each secret was last fetched by Refresh.
	forced map[string]time.Time

	group   singleflight.Group
	fetches atomic.Int64
}

type entry struct {
	value     string
	fetchedAt time.Time
}

// Option configures a Source.
type Option func(*Source)

// WithRefreshInterval sets the least time between two fetches forced by
// Refresh for one secret (default DefaultRefreshInterval; 0 means every
// Refresh fetches).
func WithRefreshInterval(d time.Duration) Option {
	return func(s *Source) { s.refreshEvery = max(d, 0) }
}

// NewSource returns a Source that serves values from memory for ttl after
// each fetch. A ttl of zero or less disables caching.
func NewSource(api secretsAPI, ttl time.Duration, opts ...Option) *Source {
	s := &Source{
		api:          api,
		ttl:          ttl,
		now:          time.Now,
		fetchTimeout: defaultFetchTimeout,
		refreshEvery: DefaultRefreshInterval,
		cache:        make(map[string]entry),
		forced:       make(map[string]time.Time),
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Value returns the SecretString of secretID (a name or an ARN), from the
// cache while the TTL holds. Concurrent callers of an uncached secret share
// one fetch. Errors are *Error; failures are not cached.
func (s *Source) Value(ctx context.Context, secretID string) (string, error) {
	if v, ok := s.fresh(secretID); ok {
		return v, nil
	}
	return s.fetchShared(ctx, secretID, "value", func(fetchCtx context.Context) (string, error) {
		// A flight that ended between the check above and this one has
		// filled the cache: serve that instead of a second fetch.
		if v, ok := s.fresh(secretID); ok {
			return v, nil
		}
		return s.fetch(fetchCtx, secretID)
	})
}

// Refresh returns the secret as Secrets Manager holds it now, bypassing the
// TTL, and stores it. Use it after the secret's credentials were refused, and
// compare the result with what the refused request used.
//
// Forced fetches are bounded: within the refresh interval after one, Refresh
// returns the value that fetch stored, so a refusal that persists (or a
// stream of forged requests) cannot turn into a Secrets Manager call per
// request. Concurrent callers share one fetch, separate from Value's.
func (s *Source) Refresh(ctx context.Context, secretID string) (string, error) {
	if v, ok := s.recentlyForced(secretID); ok {
		return v, nil
	}
	return s.fetchShared(ctx, secretID, "refresh", func(fetchCtx context.Context) (string, error) {
		if v, ok := s.recentlyForced(secretID); ok {
			return v, nil
		}
		v, err := s.fetch(fetchCtx, secretID)
		if err == nil {
			s.mu.Lock()
			s.forced[secretID] = s.now()
			s.mu.Unlock()
		}
		return v, err
	})
}

// fresh returns the cached value while the TTL holds.
func (s *Source) fresh(secretID string) (string, bool) {
	e, ok := s.cached(secretID)
	if !ok || s.ttl <= 0 || s.now().Sub(e.fetchedAt) >= s.ttl {
		return "", false
	}
	return e.value, true
}

// recentlyForced returns the cached value when Refresh fetched it less than
// the refresh interval ago.
func (s *Source) recentlyForced(secretID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.forced[secretID]
	e, cached := s.cache[secretID]
	if !ok || !cached || s.refreshEvery <= 0 || s.now().Sub(at) >= s.refreshEvery {
		return "", false
	}
	return e.value, true
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

func (s *Source) cached(secretID string) (entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.cache[secretID]
	return e, ok
}

// fetchShared joins the in-flight fetch of secretID or starts one, and waits
// fetchShared runs fetch once for all concurrent callers of the same kind
// (a TTL read or a forced refresh) and secret.
// The fetch is detached from the caller's ctx (bounded by fetchTimeout), so a
// caller that gives up, at its own deadline, fails alone and the fetch still
// fills the cache for the next one.
func (s *Source) fetchShared(ctx context.Context, secretID, kind string, fetch func(context.Context) (string, error)) (string, error) {
	ch := s.group.DoChan(kind+"\x00"+secretID, func() (any, error) {
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

// fetch calls GetSecretValue once and caches a successful result. It stores
// the entry before returning, so a caller arriving after the shared call ends
// finds it in the cache.
func (s *Source) fetch(ctx context.Context, secretID string) (string, error) {
	s.fetches.Add(1)
	out, err := s.api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &secretID})
	if err != nil {
		return "", apiError(secretID, err)
	}
	if out.SecretString == nil || *out.SecretString == "" {
		return "", &Error{SecretID: secretID, Reason: NoString}
	}
	value := *out.SecretString
	s.mu.Lock()
	s.cache[secretID] = entry{value: value, fetchedAt: s.now()}
	s.mu.Unlock()
	return value, nil
}
