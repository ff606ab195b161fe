package linkcheck

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// adapters names, for each AWS service client a Lambda may link, the one
// callwire package that may import it: every other package reaches the
// service through that one (functions/internal/<service>).
var adapters = map[string]string{
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager": module + "/functions/internal/secrets",
	"github.com/aws/aws-sdk-go-v2/service/sqs":            module + "/functions/internal/queue",
	"github.com/aws/aws-sdk-go-v2/service/dynamodb":       module + "/functions/internal/idempotency",
	"github.com/aws/aws-sdk-go-v2/service/eventbridge":    module + "/functions/internal/events",
}

// httpUsers are the callwire packages linked into a Lambda that may import
// net/http, each with what it uses it for. Only functions/signalwire sends
// requests to SignalWire; a new importer must say here why it needs
// net/http.
var httpUsers = map[string]string{
	module + "/functions/signalwire":       "the SignalWire adapter: the one package that sends requests to SignalWire",
	module + "/functions/internal/sdkhttp": "the AWS SDK's HTTP client (requests to AWS only)",
	module + "/functions/specwatch":        "fetches the published OpenAPI document from SPEC_ALLOWED_HOSTS (GitHub), never SignalWire",
	module + "/functions/internal/webhook": "reads SignalWire's inbound status callbacks (no request is sent)",
	module + "/functions/callback":         "answers the Function URL's requests with HTTP statuses (no request is sent)",
	module + "/functions/getcall":          "HTTP status codes of its API Gateway answers (no request is sent)",
	module + "/functions/driftcheck":       "HTTP status codes of the upstream answers it classifies (no request is sent)",
	module + "/functions/sweep":            "http.MethodGet and StatusOK in its contract check of List Calls (no request is sent)",
	module + "/contract":                   "http.Header and status codes of the responses it checks (no request is sent)",
	module + "/functions/internal/fail":    "the HTTP status of each errorType (no request is sent)",
}

// importers returns, for each package in pkgs, the callwire packages
// linked into any Lambda that import it directly, sorted.
func importers(t *testing.T, pkgs []string) map[string][]string {
	t.Helper()
	fns := functions(t)
	lines := goList(t, append([]string{"-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`}, fns...)...)
	out := map[string][]string{}
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], module+"/") {
			continue
		}
		for _, imp := range f[1:] {
			if slices.Contains(pkgs, imp) {
				out[imp] = append(out[imp], f[0])
			}
		}
	}
	for _, ps := range out {
		slices.Sort(ps)
	}
	return out
}

// TestOneAdapterPerService checks, over every package the Lambdas link,
// that each AWS service client is imported by its adapter alone, and that
// net/http is imported only by the packages httpUsers names:
// functions/signalwire is the one that calls SignalWire.
func TestOneAdapterPerService(t *testing.T) {
	t.Parallel()
	services := slices.Sorted(maps.Keys(adapters))
	got := importers(t, append(slices.Clone(services), "net/http"))
	for _, svc := range services {
		if !slices.Contains(got[svc], adapters[svc]) {
			t.Errorf("%s: its adapter %s does not import it (importers: %v)", svc, short(adapters[svc]), shortAll(got[svc]))
		}
		for _, p := range got[svc] {
			if p != adapters[svc] {
				t.Errorf("%s imports %s; only %s may (it reaches AWS through the adapter)", short(p), svc, short(adapters[svc]))
			}
		}
	}
	for _, p := range got["net/http"] {
		if _, ok := httpUsers[p]; !ok {
			t.Errorf("%s imports net/http and is not among httpUsers; only functions/signalwire sends requests to SignalWire; say here what it uses net/http for", short(p))
		}
	}
	if !slices.Contains(got["net/http"], module+"/functions/signalwire") {
		t.Errorf("functions/signalwire does not import net/http; the Lambdas' packages importing it: %v", shortAll(got["net/http"]))
	}
}

func short(p string) string { return strings.TrimPrefix(p, module+"/") }

func shortAll(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = short(p)
	}
	return out
}
