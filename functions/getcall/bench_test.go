package getcall

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/callwire/callwire/functions/internal/boot"
	"github.com/callwire/callwire/functions/internal/emf"
	"github.com/callwire/callwire/functions/internal/retrieve"
	"github.com/callwire/callwire/functions/internal/secrets"
	"github.com/callwire/callwire/functions/signalwire"
)

// benchSID is the call the warm benchmarks retrieve: a conformant recording.
const benchSID = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"

// benchEnv is a warm handler on loopback servers, with what a bare GET of the
// same call needs: the same HTTP client and the call's URL.
type benchEnv struct {
	h   *Handler
	hc  *http.Client
	url string
}

// setupBench builds the handler the way main does, on the real AWS SDK
// client and SignalWire client, with logs and metrics discarded, and warms
// it: the secret is cached, the validator built and the connection open.
func setupBench(b *testing.B) *benchEnv {
	b.Helper()
	_, smURL, _, swURL := startServers(b)

	awsCfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		BaseEndpoint: aws.String(smURL),
	}
	src := secrets.NewSource(secretsmanager.NewFromConfig(awsCfg), boot.DefaultCacheTTL)
	hc := signalwire.NewHTTPClient()
	b.Cleanup(hc.CloseIdleConnections)
	client := signalwire.NewClient(signalwire.NewSecretCredentials(src, testSecretID), hc, signalwire.WithLoopback(), signalwire.WithLoopback())
	h := newHandlerFrom(deps{
		cfg:     config{Settings: boot.Settings{SecretID: testSecretID, CacheTTL: boot.DefaultCacheTTL}, mode: retrieve.ModeWarn},
		calls:   retrieve.New(client, retrieve.ModeWarn, retrieve.WithClock(func() time.Time { return fixedNow })),
		secrets: src,
		log:     slog.New(slog.NewJSONHandler(io.Discard, nil)),
		metrics: emf.NewWriter(io.Discard, Metrics),
	})
	env := &benchEnv{h: h, hc: hc, url: swURL + "/api/laml/2010-04-01/Accounts/" + testProjectID + "/Calls/" + benchSID}
	for range 3 {
		if _, err := h.Handle(b.Context(), benchEvent); err != nil {
			b.Fatalf("warm-up invoke: %v", err)
		}
		env.bareGET(b)
	}
	return env
}

var benchEvent = []byte(`{"call_sid":"` + benchSID + `"}`)

// bareGET fetches the call's bytes with the handler's HTTP client and
// credentials and nothing else: no secret lookup, no check, no normalizing.
func (e *benchEnv) bareGET(b *testing.B) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, e.url, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.SetBasicAuth(testProjectID, testToken)
	req.Header.Set("Accept", "application/json")
	resp, err := e.hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("bare GET: status %d, %v", resp.StatusCode, err)
	}
}

// BenchmarkWarmInvoke times warm direct invocations of the handler. Each
// iteration is paired with a bare GET of the same bytes from the same server
// (outside the timer), so the reported overhead-µs, the median of the
// per-pair differences, is the handler's own cost under the same load.
func BenchmarkWarmInvoke(b *testing.B) {
	env := setupBench(b)
	ctx := b.Context()
	var handled, bare []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := env.h.Handle(ctx, benchEvent); err != nil {
			b.Fatal(err)
		}
		handled = append(handled, time.Since(start))
		b.StopTimer()
		start = time.Now()
		env.bareGET(b)
		bare = append(bare, time.Since(start))
		b.StartTimer()
	}
	diffs := make([]time.Duration, len(handled))
	for i := range handled {
		diffs[i] = handled[i] - bare[i]
	}
	b.ReportMetric(medianMicros(handled), "handler-µs")
	b.ReportMetric(medianMicros(bare), "bareGET-µs")
	b.ReportMetric(medianMicros(diffs), "overhead-µs")
}

// BenchmarkBareGET times the bare GET alone, for its bytes and allocations
// per request.
func BenchmarkBareGET(b *testing.B) {
	env := setupBench(b)
	b.ReportAllocs()
	for b.Loop() {
		env.bareGET(b)
	}
}

func medianMicros(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[len(s)/2]) / float64(time.Microsecond)
}
