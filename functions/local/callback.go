package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/sqsserver"
)

// callbackQueueName is the loopback queue the callback function sends to.
const callbackQueueName = "callwire-callbacks"

// sampleCallback is a completed status callback for sid (default the demo
// call), signed with the demo key as SignalWire would sign it.
func sampleCallback(sid string) ([]byte, error) {
	if sid == "" {
		sid = lambdatest.DemoCallSID
	}
	return json.Marshal(lambdatest.CallbackEvent(lambdatest.CallbackFields(sid, "completed", 3), lambdatest.DemoSigningKey))
}

// readSecret reads the JSON secret that -secret names. Its content is never
// printed, not even in an error.
func readSecret(path string) (string, error) {
	const maxSecret = 64 << 10 // Secrets Manager's own limit
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("secret: %w", err)
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, maxSecret+1))
	if err != nil {
		return "", fmt.Errorf("secret %s: %w", path, err)
	}
	if len(b) > maxSecret || !json.Valid(b) {
		return "", fmt.Errorf("secret %s is not a JSON document of at most 64 KiB", path)
	}
	return string(b), nil
}

// callbackQueue is the loopback SQS endpoint and queue the callback
// function sends its hints to.
type callbackQueue struct {
	srv      *sqsserver.Server
	endpoint string
	url      string
}

func startCallbackQueue() (*callbackQueue, error) {
	srv := sqsserver.New(sqsserver.WithRegion(lambdatest.DemoRegion))
	endpoint, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	url, err := srv.CreateQueue(callbackQueueName, nil)
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &callbackQueue{srv: srv, endpoint: endpoint, url: url}, nil
}

// environ points the function at the queue.
func (q *callbackQueue) environ() []string {
	return []string{"AWS_ENDPOINT_URL_SQS=" + q.endpoint, "QUEUE_URL=" + q.url}
}

// Close stops the endpoint.
func (q *callbackQueue) Close() { q.srv.Close() }

func (q *callbackQueue) counts() []string {
	return []string{
		count(int(q.srv.Requests("")), "SQS request", "SQS requests"),
		count(len(q.srv.Messages(callbackQueueName)), "message queued", "messages queued"),
	}
}

// details are the queued messages, one line each.
func (q *callbackQueue) details() []string {
	var lines []string
	for _, m := range q.srv.Messages(callbackQueueName) {
		lines = append(lines, "local: queued "+m.Body)
	}
	return lines
}
