package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/callwire/callwire/functions/internal/dynamoserver"
	"github.com/callwire/callwire/functions/internal/eventsserver"
	"github.com/callwire/callwire/functions/internal/lambdatest"
)

// The loopback pipeline's resources, named as a deployed stack might name
// them, and the account the loopback endpoints pretend to be.
const (
	pipelineBus     = "callwire-local-calls"
	pipelineTable   = "callwire-local-published"
	pipelineAccount = "123456789012"
	// maxReceive is how many messages one ReceiveMessage returns, and so the
	// batch size of the event source mapping the runner plays.
	maxReceive = 10
)

// pipelineEnd is the loopback world behind the publish function: the
// idempotency table and the event bus.
type pipelineEnd struct {
	ddb    *dynamoserver.Server
	ddbURL string
	bus    *eventsserver.Server
	busURL string
}

func startPipelineEnd() (*pipelineEnd, error) {
	p := &pipelineEnd{
		ddb: dynamoserver.New(dynamoserver.WithRegion(lambdatest.DemoRegion)),
		bus: eventsserver.New(eventsserver.WithRegion(lambdatest.DemoRegion)),
	}
	var err error
	if p.ddbURL, err = p.ddb.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	if p.busURL, err = p.bus.Start("127.0.0.1:0"); err != nil {
		p.Close()
		return nil, err
	}
	if err := p.ddb.CreateTable(pipelineTable, "id"); err != nil {
		p.Close()
		return nil, err
	}
	p.bus.CreateBus(pipelineBus)
	return p, nil
}

// environ points the publish function at the table and the bus.
func (p *pipelineEnd) environ() []string {
	return []string{
		"AWS_ENDPOINT_URL_DYNAMODB=" + p.ddbURL,
		"AWS_ENDPOINT_URL_EVENTBRIDGE=" + p.busURL,
		"EVENT_BUS_NAME=" + pipelineBus,
		"IDEMPOTENCY_TABLE=" + pipelineTable,
	}
}

// counts are the table's and the bus's request counts, for the verdict.
func (p *pipelineEnd) counts() []string {
	return []string{
		count(int(p.ddb.Requests("")), "DynamoDB request", "DynamoDB requests"),
		count(int(p.bus.Requests("")), "EventBridge request", "EventBridge requests"),
	}
}

// details are the event ids the table holds.
func (p *pipelineEnd) details() []string {
	var lines []string
	for _, it := range p.ddb.Items(pipelineTable) {
		lines = append(lines, "local: published-events record "+string(it["id"]))
	}
	return lines
}

// Close stops both endpoints.
func (p *pipelineEnd) Close() {
	p.ddb.Close()
	p.bus.Close()
}

// envelope is an event as EventBridge delivers it to a rule's target.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// runPipeline runs the event-driven chain offline: the callback function's
// bootstrap under the emulator receives the callback (opts.n times, as
// SignalWire's retries would send it), its hints land on a loopback SQS
// queue, the runner receives them as an event source mapping does and
// invokes the publish function's bootstrap with each SQS batch, deleting the
// records it did not report as failures, and prints every event that
// reached the loopback bus on stdout, one line each, as EventBridge delivers
// it.
func (r *runner) runPipeline(ctx context.Context, root string) (int, error) {
	r.opts.function = "callback" // the event is the callback's
	// The emulators' log readers write to stderr while the runner does.
	o := r.opts
	callback, err := r.event(root)
	if err != nil {
		return 0, err
	}
	dir := o.recordings
	if dir == "" {
		dir = filepath.Join(root, "testdata", "recordings")
	}
	demo, err := lambdatest.StartDemo(dir)
	if err != nil {
		return 0, err
	}
	defer demo.Close()
	if o.secretFile != "" {
		secret, err := readSecret(o.secretFile)
		if err != nil {
			return 0, err
		}
		demo.Secrets.Put(lambdatest.DemoSecretID, secret)
	}
	queue, err := startCallbackQueue()
	if err != nil {
		return 0, err
	}
	defer queue.Close()
	end, err := startPipelineEnd()
	if err != nil {
		return 0, err
	}
	defer end.Close()
	base := demo.Environ(os.Environ())

	work := o.workDir
	if work == "" {
		if work, err = os.MkdirTemp("", "callwire-local-"); err != nil {
			return 0, err
		}
		defer func() { _ = os.RemoveAll(work) }()
	}
	bootstraps := map[string]string{}
	for _, fn := range []string{"callback", "publish"} {
		out := filepath.Join(work, fn)
		if err := os.MkdirAll(out, 0o755); err != nil {
			return 0, err
		}
		if bootstraps[fn], err = lambdatest.BuildBootstrap(ctx, root, functionPackage(fn), out); err != nil {
			return 0, err
		}
	}
	rie, err := lambdatest.RIEPath(ctx, root)
	if err != nil {
		return 0, err
	}
	start := func(fn string, env []string) (*lambdatest.Emulator, error) {
		r.out.from(fn)
		return lambdatest.Start(ctx, lambdatest.Config{
			RIE: rie, Bootstrap: bootstraps[fn], Env: append(env, o.env...), FunctionName: fn,
			Timeout: o.timeout, MemoryMB: o.memoryMB, LogLevel: o.logLevel, LogFormat: o.logFormat, Logs: r.out,
		})
	}

	// The callback function: every invoke must be answered 2xx. problems
	// are what went wrong, for the verdict.
	var problems []string
	rejected := 0
	cb, err := start("callback", append(slices.Clone(base), queue.environ()...))
	if err != nil {
		return 0, err
	}
	for i := range o.n {
		res, err := cb.Invoke(ctx, callback)
		if err != nil {
			_ = cb.Close()
			return 0, err
		}
		r.out.detail(strings.Replace(invokeLine(i, o.n, res), "local: invoke", "local: callback invoke", 1))
		if status := answerStatus(res); status < 200 || status > 299 {
			rejected++
			r.out.line("local: the callback was answered " + describeAnswer(res, status))
		}
	}
	if rejected > 0 {
		problems = append(problems, fmt.Sprintf("the callback was refused %d of %d times", rejected, o.n))
	}
	if err := cb.Close(); err != nil {
		return 0, err
	}
	for _, d := range queue.details() {
		r.out.detail(d)
	}

	// The event source mapping: receive, invoke publish, delete what it did
	// not report.
	sqsc := sqs.NewFromConfig(aws.Config{
		Region:           lambdatest.DemoRegion,
		Credentials:      credentials.NewStaticCredentialsProvider(lambdatest.DemoAccessKeyID, "local", ""),
		BaseEndpoint:     aws.String(queue.endpoint),
		RetryMaxAttempts: 1,
	})
	var pub *lambdatest.Emulator
	defer func() {
		if pub != nil {
			_ = pub.Close()
		}
	}()
	batches, back := 0, 0
	for {
		out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(queue.url),
			MaxNumberOfMessages:         maxReceive,
			VisibilityTimeout:           int32(6 * o.timeout / time.Second),
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			return 0, fmt.Errorf("receive the queued hints: %w", err)
		}
		if len(out.Messages) == 0 {
			break
		}
		if pub == nil {
			if pub, err = start("publish", append(slices.Clone(base), end.environ()...)); err != nil {
				return 0, err
			}
		}
		batches++
		n, err := r.publishBatch(ctx, pub, sqsc, queue.url, out.Messages, batches)
		if err != nil {
			return 0, err
		}
		back += n
	}
	if back > 0 {
		problems = append(problems, count(back, "record came back through the queue", "records came back through the queue"))
	}
	if batches == 0 {
		r.out.line("local: nothing was queued, so the publish function was not invoked")
	}

	published := end.bus.Events(pipelineBus)
	for _, e := range published {
		line, err := json.Marshal(envelope{
			Version: "0", ID: e.ID, DetailType: e.DetailType, Source: e.Source, Account: pipelineAccount,
			Time: e.Time.UTC().Format(time.RFC3339), Region: lambdatest.DemoRegion, Resources: nonNil(e.Resources),
			Detail: json.RawMessage(e.Detail),
		})
		if err != nil {
			return 0, err
		}
		if err := r.out.result(line); err != nil {
			return 0, err
		}
	}
	verdict := "ok"
	if len(problems) > 0 {
		// Why, without -v: the functions' logs, then their warnings and
		// errors in a few lines.
		r.out.showLogs(false)
		r.out.showReasons()
		verdict = "failed: " + strings.Join(problems, ", ")
	}
	counts := append([]string{
		count(int(demo.Secrets.Requests()), "Secrets Manager request", "Secrets Manager requests"),
		count(int(demo.Replay.Requests()), "upstream request", "upstream requests"),
	}, queue.counts()...)
	counts = append(counts,
		count(int(end.ddb.Requests("")), "DynamoDB request", "DynamoDB requests"),
		count(int(end.bus.Requests("")), "EventBridge request", "EventBridge requests"))
	r.out.line(fmt.Sprintf("pipeline: %s, %s published; %s", verdict, count(len(published), "event", "events"), strings.Join(counts, ", ")))
	if len(problems) > 0 {
		return exitFunctionError, nil
	}
	return exitOK, nil
}

// publishBatch invokes the publish function with msgs as one SQS event,
// deletes the records it did not report as failures, and returns how many
// came back.
func (r *runner) publishBatch(ctx context.Context, pub *lambdatest.Emulator, sqsc *sqs.Client, queueURL string, msgs []types.Message, n int) (int, error) {
	arn := fmt.Sprintf("arn:aws:sqs:%s:%s:%s", lambdatest.DemoRegion, pipelineAccount, callbackQueueName)
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(msgs))}
	for i, m := range msgs {
		ev.Records[i] = events.SQSMessage{
			MessageId:      aws.ToString(m.MessageId),
			ReceiptHandle:  aws.ToString(m.ReceiptHandle),
			Body:           aws.ToString(m.Body),
			Md5OfBody:      aws.ToString(m.MD5OfBody),
			Attributes:     m.Attributes,
			EventSource:    "aws:sqs",
			EventSourceARN: arn,
			AWSRegion:      lambdatest.DemoRegion,
		}
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return 0, err
	}
	res, err := pub.Invoke(ctx, payload)
	if err != nil {
		return 0, err
	}
	r.out.detail(strings.Replace(invokeLine(n-1, n, res), "local: invoke", fmt.Sprintf("local: publish invoke (%d records)", len(msgs)), 1))
	if res.Err != nil {
		// A failed invoke returns the whole batch to the queue.
		r.out.line(fmt.Sprintf("local: publish failed (%s); all %d records come back", res.Err.Type, len(msgs)))
		return len(msgs), nil
	}
	var resp events.SQSEventResponse
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		return 0, fmt.Errorf("publish answered %s: %w", res.Payload, err)
	}
	back := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		back[f.ItemIdentifier] = true
	}
	for _, rec := range ev.Records {
		if back[rec.MessageId] {
			continue
		}
		if _, err := sqsc.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: aws.String(rec.ReceiptHandle)}); err != nil {
			return 0, fmt.Errorf("delete a processed hint: %w", err)
		}
	}
	if len(back) > 0 {
		r.out.line(fmt.Sprintf("local: %d of %d records come back through the queue (item failures)", len(back), len(msgs)))
	}
	return len(back), nil
}

// answerStatus returns the HTTP status of a Function URL answer, or 0.
func answerStatus(res *lambdatest.Result) int {
	if res.Err != nil {
		return 0
	}
	var resp struct {
		StatusCode int `json:"statusCode"`
	}
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		return 0
	}
	return resp.StatusCode
}

func describeAnswer(res *lambdatest.Result, status int) string {
	if res.Err != nil {
		return "with a function error " + res.Err.Type
	}
	if status == 0 {
		return "with something that is not a Function URL response"
	}
	return fmt.Sprintf("%d", status)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
