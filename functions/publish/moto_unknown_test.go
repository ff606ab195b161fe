package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/events"
	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/internal/testkit"
	"github.com/callwire/callwire/functions/signalwire"
)

// motoBus is a bus, a rule to a target queue and an idempotency table in
// moto, with a handler whose EventBridge requests pass through a loopback
// proxy that can hold or alter them.
type motoBus struct {
	env    *testEnv
	sqs    *sqs.Client
	target string // the rule's target queue
	// hold makes the proxy keep each PutEvents answer, after moto
	// delivered, until the client gives up; orphan makes it add an entry
	// for a bus that does not exist to each PutEvents request.
	hold, orphan atomic.Bool
	// inFlight counts the requests the proxy is still forwarding: moto
	// finishes each even when the client has given up.
	inFlight sync.WaitGroup
}

// clientContext is the context key of the client's own request context in
// the request the proxy forwards (which the client cannot cancel).
type clientContext struct{}

func startMotoBus(t *testing.T) *motoBus {
	t.Helper()
	motoURL := os.Getenv("CALLWIRE_MOTO_URL")
	if motoURL == "" {
		t.Skip("CALLWIRE_MOTO_URL is not set: no moto_server to check the publisher against (CI starts one)")
	}
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(motoURL),
	}
	m := &motoBus{sqs: sqs.NewFromConfig(cfg)}
	name := fmt.Sprintf("callwire-unknown-%d", time.Now().UnixNano())
	m.target = testkit.RuleTarget(t, cfg, name, name)
	testkit.IdempotencyTable(t, cfg, name)

	proxy := httptest.NewServer(m.proxy(t, motoURL))
	t.Cleanup(proxy.Close)
	ebCfg := cfg.Copy()
	ebCfg.BaseEndpoint = aws.String(proxy.URL)

	sm, smURL := testkit.SecretsManager(t)
	_, swURL := startReplay(t)
	sm.Put(testkit.SecretID, testkit.SecretJSON(swURL, testkit.Token))
	src, _ := testkit.Clients(t, smURL, testkit.AccessKey)
	client := signalwire.NewClient(signalwire.NewSecretCredentials(src, testkit.SecretID), signalwire.NewHTTPClient(),
		signalwire.WithLoopback(), signalwire.WithRetry(1, time.Millisecond, time.Millisecond))
	m.env = &testEnv{logs: &testkit.SyncBuffer{}, metrics: &testkit.SyncBuffer{}}
	m.env.h = newHandlerFrom(deps{
		cfg: config{
			Settings: boot.Settings{SecretID: testkit.SecretID, CacheTTL: time.Minute},
			mode:     retrieve.ModeWarn, bus: name, source: defaultSource, table: name, ttl: idempotency.DefaultTTL, concurrency: 10,
		},
		calls:   retrieve.New(client, retrieve.ModeWarn),
		store:   idempotency.New(cfg, name),
		bus:     events.New(ebCfg, name, defaultSource, events.OneAttempt),
		secrets: src,
		log:     slog.New(slog.NewJSONHandler(m.env.logs, nil)),
		metrics: emf.NewWriter(m.env.metrics, Metrics),
	})
	// Scaled down: retrievals stop 1.5 s before the deadline, PutEvents
	// ends 1 s before it (its answer is held about 500 ms), and moto gets
	// up to 1 s to record the outcome.
	m.env.h.reserve, m.env.h.markBudget = 1500*time.Millisecond, time.Second
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("publish logs:\n%s", m.env.logs.String())
		}
	})
	return m
}

// proxy forwards to moto; PutEvents requests are altered or held as set.
func (m *motoBus) proxy(t *testing.T, motoURL string) http.Handler {
	u, err := url.Parse(motoURL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if m.hold.Load() && resp.Request.Header.Get("X-Amz-Target") == "AWSEvents.PutEvents" {
			// moto has delivered; the caller gives up before the answer.
			client, _ := resp.Request.Context().Value(clientContext{}).(context.Context)
			select {
			case <-client.Done():
			case <-time.After(2 * time.Second):
			}
		}
		return nil
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.inFlight.Add(1)
		defer m.inFlight.Done()
		r = r.WithContext(context.WithValue(context.WithoutCancel(r.Context()), clientContext{}, r.Context()))
		if m.orphan.Load() && r.Header.Get("X-Amz-Target") == "AWSEvents.PutEvents" {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			var in map[string][]map[string]any
			if err := json.Unmarshal(body, &in); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			in["Entries"] = append(in["Entries"], map[string]any{
				"EventBusName": "callwire-no-such-bus", "Source": defaultSource, "DetailType": DetailType, "Detail": "{}",
			})
			body, _ = json.Marshal(in)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			r.Header.Del("Content-Length")
		}
		rp.ServeHTTP(w, r)
	})
}

// eventsPerID reads the target queue until it stays empty and counts the
// events by event id, each checked against callwire.call.event.v1.
func (m *motoBus) eventsPerID(t *testing.T) map[string]int {
	t.Helper()
	m.inFlight.Wait()
	n := map[string]int{}
	for _, ev := range testkit.DrainEvents(t, m.sqs, m.target, 0) {
		n[ev.EventID]++
	}
	return n
}

// TestSlowEventBridgeAgainstMoto: moto delivers each PutEvents, and the
// proxy holds its answer past the PutEvents budget. Redelivered five
// times, no event id goes out more than twice.
func TestSlowEventBridgeAgainstMoto(t *testing.T) {
	t.Parallel()
	m := startMotoBus(t)
	m.hold.Store(true)
	records := sevenCalls()
	for range 5 {
		m.env.handleBy(t, 3*time.Second, records...)
	}
	checkAtMostTwice(t, m.eventsPerID(t), len(records))
}

// TestPartialDeliveryAgainstMoto: each PutEvents also names a bus that does
// not exist; moto delivers the entries before it and fails the request.
// Three deliveries run into it and two more do not: no id goes out more
// than twice, and every record is acknowledged in the end.
func TestPartialDeliveryAgainstMoto(t *testing.T) {
	t.Parallel()
	m := startMotoBus(t)
	m.orphan.Store(true)
	records := sevenCalls()
	if got := failedIDs(m.env.handle(t, records...)); len(got) != len(records) {
		t.Fatalf("%d item failures, want %d\n%s", len(got), len(records), m.env.logs.String())
	}
	for range 2 {
		m.env.handle(t, records...)
	}
	m.orphan.Store(false)
	var last []string
	for range 2 {
		last = failedIDs(m.env.handle(t, records...))
	}
	if len(last) != 0 {
		t.Errorf("item failures at the end: %v", last)
	}
	checkAtMostTwice(t, m.eventsPerID(t), len(records))
}
