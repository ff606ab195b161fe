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

	mu    sync.Mutex
	cache map[string]entry

	group   singleflight.Group
	fetches atomic.Int64
}

type entry struct {
	value     string
	fetchedAt time.Time
}

// NewSource returns a Source that serves values from memory for ttl after
// each fetch. A ttl of zero or less disables caching.
func NewSource(api secretsAPI, ttl time.Duration) *Source {
	return &Source{
		api:          api,
		ttl:          ttl,
		now:          time.Now,
		fetchTimeout: defaultFetchTimeout,
		cache:        make(map[string]entry),
	}
}

// Value returns the SecretString of secretID (a name or an ARN), from the
// cache while the TTL holds. Errors are *Error; failures are not cached.
func (s *Source) Value(ctx context.Context, secretID string) (string, error) {
	if e, ok := s.cached(secretID); ok && s.ttl > 0 && s.now().Sub(e.fetchedAt) < s.ttl {
		return e.value, nil
	}
	return s.fetchShared(ctx, secretID)
}

// Refresh fetches secretID bypassing the cache and stores the result.
// changed reports whether the value differs from the last one this Source
// fetched (even if that one had expired); it is true when there was none.
// Use it after the secret's credentials were refused, to decide whether a
// retry can help.
func (s *Source) Refresh(ctx context.Context, secretID string) (value string, changed bool, err error) {
	prev, had := s.cached(secretID)
	value, err = s.fetchShared(ctx, secretID)
	if err != nil {
		return "", false, err
	}
	return value, !had || prev.value != value, nil
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
// for it or for ctx to end, whichever comes first.
func (s *Source) fetchShared(ctx context.Context, secretID string) (string, error) {
	ch := s.group.DoChan(secretID, func() (any, error) {
		fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.fetchTimeout)
		defer cancel()
		return s.fetch(fetchCtx, secretID)
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
