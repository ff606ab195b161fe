package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/callwire/callwire/functions/internal/deploy/stack"
)

// prices are the unit prices the cost uses, in US dollars. The defaults are
// AWS's us-east-1 list prices as of pricesDate, without free tiers; each is
// a flag so a user can put in their own.
type prices struct {
	lambdaGBSecond  float64 // Lambda arm64 duration, per GB-second (first tier)
	lambdaRequests  float64 // Lambda requests, per million
	sqsRequests     float64 // SQS standard queue requests, per million (64 KiB chunks)
	eventsPut       float64 // EventBridge custom events put, per million (64 KiB chunks)
	dynamoWrite     float64 // DynamoDB on-demand write request units, per million
	dynamoRead      float64 // DynamoDB on-demand read request units, per million
	secretsRequests float64 // Secrets Manager API calls, per million ($0.05 per 10,000)
}

// pricesDate is when the default prices were AWS's list prices (DynamoDB
// on-demand after its 1 November 2024 reduction).
const pricesDate = "2025-01"

func defaultPrices() prices {
	return prices{
		lambdaGBSecond:  0.0000133334,
		lambdaRequests:  0.20,
		sqsRequests:     0.40,
		eventsPut:       1.00,
		dynamoWrite:     0.625,
		dynamoRead:      0.125,
		secretsRequests: 5.00,
	}
}

func (p *prices) flags(fs *flag.FlagSet) {
	fs.Float64Var(&p.lambdaGBSecond, "price-lambda-gb-s", p.lambdaGBSecond, "USD per Lambda arm64 GB-second")
	fs.Float64Var(&p.lambdaRequests, "price-lambda-requests", p.lambdaRequests, "USD per million Lambda requests")
	fs.Float64Var(&p.sqsRequests, "price-sqs", p.sqsRequests, "USD per million SQS requests")
	fs.Float64Var(&p.eventsPut, "price-eventbridge", p.eventsPut, "USD per million EventBridge events put")
	fs.Float64Var(&p.dynamoWrite, "price-dynamodb-write", p.dynamoWrite, "USD per million DynamoDB on-demand write request units")
	fs.Float64Var(&p.dynamoRead, "price-dynamodb-read", p.dynamoRead, "USD per million DynamoDB on-demand read request units")
	fs.Float64Var(&p.secretsRequests, "price-secrets", p.secretsRequests, "USD per million Secrets Manager API calls")
}

// costInputs are the measured quantities per call, and the memory sizes.
type costInputs struct {
	// Per call: invocations and billed milliseconds per invocation.
	callbackInvocations, callbackBilledMs float64
	publishInvocations, publishBilledMs   float64
	sweepInvocations, sweepBilledMs       float64
	callbackMB, publishMB, sweepMB        float64
	// Per call: requests.
	sqsRequests, events, dynamoWrites, dynamoReads, secretsRequests float64
}

// costPart is one line of the cost: a name, its formula with the inputs put
// in, and dollars per million calls.
type costPart struct {
	name, formula string
	usd           float64
}

// costPerMillion computes the cost of a million calls, part by part.
// Lambda bills GB-seconds (memory in GB × billed seconds, each invocation
// rounded up to 1 ms) and requests; the others bill requests (a DynamoDB
// item under 1 KB is one write unit, under 4 KB one read unit).
func costPerMillion(in costInputs, p prices) []costPart {
	const m = 1e6
	lambda := func(name string, inv, billedMs, mb float64) costPart {
		gbs := inv * billedMs / 1000 * mb / 1024
		return costPart{name,
			fmt.Sprintf("10^6 × (%.4g inv × %.3g ms × %g MB/1024 × $%g/GB-s + %.4g inv × $%g/10^6)", inv, billedMs, mb, p.lambdaGBSecond, inv, p.lambdaRequests),
			m*gbs*p.lambdaGBSecond + inv*p.lambdaRequests}
	}
	perReq := func(name string, n, price float64, unit string) costPart {
		return costPart{name, fmt.Sprintf("10^6 × %.4g %s × $%g/10^6", n, unit, price), n * price}
	}
	return []costPart{
		lambda("Lambda callback", in.callbackInvocations, in.callbackBilledMs, in.callbackMB),
		lambda("Lambda publish", in.publishInvocations, in.publishBilledMs, in.publishMB),
		lambda("Lambda sweep", in.sweepInvocations, in.sweepBilledMs, in.sweepMB),
		perReq("SQS", in.sqsRequests, p.sqsRequests, "requests"),
		perReq("EventBridge", in.events, p.eventsPut, "events"),
		perReq("DynamoDB writes", in.dynamoWrites, p.dynamoWrite, "WRU"),
		perReq("DynamoDB reads", in.dynamoReads, p.dynamoRead, "RRU"),
		perReq("Secrets Manager", in.secretsRequests, p.secretsRequests, "calls"),
	}
}

// templateFacts are what the cost reads from template.yaml.
type templateFacts struct {
	callbackMB, publishMB, sweepMB float64
	// sweepRuns is how many sweep runs cover each call: the window over
	// the schedule's period.
	sweepRuns float64
	source    string
}

// readTemplate reads the functions' memory sizes and the sweep's schedule
// and window defaults from template.yaml.
func readTemplate(root string) (templateFacts, error) {
	tmpl, err := stack.LoadTemplate(filepath.Join(root, "template.yaml"))
	if err != nil {
		return templateFacts{}, err
	}
	mem := func(fn string) (float64, error) {
		v, ok := stack.At(tmpl, "Resources", fn, "Properties", "MemorySize")
		if !ok {
			if v, ok = stack.At(tmpl, "Globals", "Function", "MemorySize"); !ok {
				return 128, nil // Lambda's default
			}
		}
		s, _ := stack.ScalarString(v)
		if s == "" {
			s = fmt.Sprint(v)
		}
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, fmt.Errorf("template.yaml: %s MemorySize %v is not a number", fn, v)
		}
		return n, nil
	}
	var f templateFacts
	if f.callbackMB, err = mem("CallbackFunction"); err != nil {
		return f, err
	}
	if f.publishMB, err = mem("PublishFunction"); err != nil {
		return f, err
	}
	if f.sweepMB, err = mem("SweepFunction"); err != nil {
		return f, err
	}
	def := func(param string) string {
		v, _ := stack.At(tmpl, "Parameters", param, "Default")
		s, _ := stack.ScalarString(v)
		return s
	}
	period, err := parseRate(def("SweepSchedule"))
	if err != nil {
		return f, fmt.Errorf("template.yaml: SweepSchedule: %w", err)
	}
	window, err := time.ParseDuration(def("SweepWindow"))
	if err != nil {
		return f, fmt.Errorf("template.yaml: SweepWindow: %w", err)
	}
	f.sweepRuns = float64(window) / float64(period)
	f.source = fmt.Sprintf("template.yaml: MemorySize callback %g MB, publish %g MB, sweep %g MB; SweepWindow %s / SweepSchedule %s = %.3g runs cover each call",
		f.callbackMB, f.publishMB, f.sweepMB, def("SweepWindow"), def("SweepSchedule"), f.sweepRuns)
	return f, nil
}

var ratePattern = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)

// parseRate reads an EventBridge Scheduler rate expression's period.
func parseRate(expr string) (time.Duration, error) {
	m := ratePattern.FindStringSubmatch(strings.TrimSpace(expr))
	if m == nil {
		return 0, fmt.Errorf("%q is not rate(N minutes|hours|days)", expr)
	}
	n, _ := strconv.Atoi(m[1])
	if n < 1 {
		return 0, fmt.Errorf("%q has no period", expr)
	}
	unit := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[strings.TrimSuffix(m[2], "s")]
	return time.Duration(n) * unit, nil
}
