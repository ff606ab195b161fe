package publish

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/callwire/callwire/functions/internal/idempotency"
	"github.com/callwire/callwire/functions/internal/sdkhttp"
	"github.com/callwire/callwire/functions/internal/testkit"
)

// upstreamLatency is the time the benchmark's SignalWire takes to answer
// each request, about a real round trip from a Lambda to SignalWire.
const upstreamLatency = 20 * time.Millisecond

// BenchmarkBatch10 measures the consumer's wall time for an SQS batch of 10
// hints of 10 different finished calls, against loopback servers: a
// SignalWire replay server that answers every request after 20 ms, and the
// loopback Secrets Manager, DynamoDB and EventBridge. Each iteration starts
// from an empty idempotency table, so every call is retrieved, claimed,
// published and marked done. The target is at most 2 upstream round trips
// (40 ms) per batch, not 10; "round-trips/op" reports the wall time in units
// of upstreamLatency. RETRIEVE_CONCURRENCY=1 shows the sequential cost.
//
//	go test -run '^$' -bench Batch10 ./functions/publish/
func BenchmarkBatch10(b *testing.B) {
	for _, concurrency := range []int{defaultConcurrency, 1} {
		b.Run(fmt.Sprintf("concurrency=%d", concurrency), func(b *testing.B) {
			env := setup(b)
			env.h.concurrency = concurrency
			slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(upstreamLatency)
				env.sw.ServeHTTP(w, r)
			}))
			b.Cleanup(slow.Close)
			env.sm.Put(testkit.SecretID, testkit.SecretJSON(slow.URL, testkit.Token))
			ddb := awsConfig(env.ddbURL)
			ddb.HTTPClient = sdkhttp.New() // one connection pool for every table's store

			records := make([]events.SQSMessage, len(terminalSIDs))
			for i, c := range terminalSIDs {
				records[i] = hintRecord(c.sid, c.status)
			}
			batch := func(store *idempotency.Store) {
				env.h.store = store
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				resp, err := env.h.Handle(ctx, events.SQSEvent{Records: records})
				if err != nil || len(resp.BatchItemFailures) != 0 {
					b.Fatalf("batch: %v, item failures %v", err, resp.BatchItemFailures)
				}
			}
			newStore := func(i int) *idempotency.Store {
				name := fmt.Sprintf("bench-%d", i)
				if err := env.ddb.CreateTable(name, idempotency.AttrID); err != nil {
					b.Fatal(err)
				}
				return idempotency.New(ddb, name)
			}
			batch(newStore(-1)) // warm: the secret, the validator, the connections
			before := env.sw.Requests()
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				store := newStore(i)
				b.StartTimer()
				batch(store)
			}
			b.StopTimer()
			perBatch := float64(b.Elapsed()) / float64(b.N)
			b.ReportMetric(perBatch/float64(upstreamLatency), "round-trips/op")
			b.ReportMetric(float64(env.sw.Requests()-before)/float64(b.N), "upstream-requests/op")
		})
	}
}
