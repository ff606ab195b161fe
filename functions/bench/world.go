package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/replay"
	"github.com/callwire/callwire/functions/internal/dynamoserver"
	"github.com/callwire/callwire/functions/internal/eventsserver"
	"github.com/callwire/callwire/functions/internal/lambdatest"
	"github.com/callwire/callwire/functions/internal/secretsserver"
	"github.com/callwire/callwire/functions/internal/sqsserver"
)

// The pipeline benchmark runs the functions' handlers in the bench process and
// everything they call (SignalWire's replay server, Secrets Manager, SQS,
// DynamoDB, EventBridge) in a second process, the world: the handlers'
// process then holds only what the functions hold, so its RSS says whether
// they leak, while the loopback servers keep every call, item and event.
//
// The world is the bench binary run with worldEnv set. It talks on its
// standard streams, one line each:
//
//	world → bench: "ready <JSON worldInfo>" once, then "e <call index> <status> <unix ns>" for every
//	               event the bus accepted, and "counts <JSON worldCounts>" when asked
//	bench → world: "c <call index>" registers a call that ends now; "counts" asks for the counts;
//	               end of input stops the world
const worldEnv = "CALLWIRE_BENCH_WORLD"

// benchSIDPrefix starts every generated Call SID; the call's index follows
// in 12 hex digits, so the SID is a UUID and its index is read back from it.
const benchSIDPrefix = "be9cbe9c-0000-4000-8000-"

// callSID returns the Call SID of generated call i.
func callSID(i int) string { return fmt.Sprintf("%s%012x", benchSIDPrefix, i) }

// callIndex reads the index back from a generated Call SID.
func callIndex(sid string) (int, bool) {
	rest, ok := strings.CutPrefix(sid, benchSIDPrefix)
	if !ok || len(rest) != 12 {
		return 0, false
	}
	n, err := strconv.ParseUint(rest, 16, 48)
	return int(n), err == nil
}

// worldInfo is what the handlers need to reach the world.
type worldInfo struct {
	Secrets, SQS, DynamoDB, EventBridge, SignalWire string
	QueueURL, Table, Bus, SecretJSON                string
}

// worldCounts are the world's request counts.
type worldCounts struct {
	Secrets       int64            // GetSecretValue requests
	SignalWire    int64            // every request to the replay server
	SignalWireGet int64            // Retrieve a Call requests
	SQS           map[string]int64 // by operation
	DynamoDB      map[string]int64 // by operation
	DynamoDBRead  int64            // keys read by GetItem
	DynamoDBBatch int64            // keys read by BatchGetItem (the sweep)
	EventBridge   int64            // PutEvents requests
	Events        int64            // entries accepted
}

// templateSID is the SID of the recording every generated call copies.
const templateSID = "c0c0ca11-0001-4a1e-8b0b-1ba0c0111ed1"

// callTemplate returns a generated call's recording: the template's bytes
// with its SID and its four dates replaced, the call having ended at end.
func callTemplate(tmpl []byte, i int, end time.Time) (*recording.Recording, error) {
	end = end.UTC().Truncate(time.Second)
	start := end.Add(-282 * time.Second)
	b := bytes.ReplaceAll(tmpl, []byte(templateSID), []byte(callSID(i)))
	for old, t := range map[string]time.Time{
		"Mon, 02 Mar 2026 14:05:07 +0000": start.Add(-2 * time.Second), // date_created
		"Mon, 02 Mar 2026 14:09:52 +0000": end.Add(time.Second),        // date_updated
		"Mon, 02 Mar 2026 14:05:09 +0000": start,                       // start_time
		"Mon, 02 Mar 2026 14:09:51 +0000": end,                         // end_time
	} {
		b = bytes.ReplaceAll(b, []byte(old), []byte(t.Format(time.RFC1123Z)))
	}
	return recording.ParseRecording(callSID(i), b)
}

// runWorld serves the world until in ends.
func runWorld(root string, in io.Reader, out io.Writer, latency time.Duration) error {
	tmpl, err := os.ReadFile(root + "/testdata/recordings/conformant/200-completed-inbound-human.json")
	if err != nil {
		return err
	}
	var mu sync.Mutex // out
	w := bufio.NewWriter(out)
	emit := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, format+"\n", args...)
		_ = w.Flush()
	}

	token := "bench-token-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	rp := replay.New(replay.WithCredentials(lambdatest.DemoProjectID, token))
	var gets atomic.Int64
	sw := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		// SignalWire answering one round trip later.
		time.Sleep(latency)
		if strings.Contains(r.URL.Path, "/Calls/") {
			gets.Add(1)
		}
		rp.ServeHTTP(rw, r)
	})}
	swURL, err := serve(sw)
	if err != nil {
		return err
	}
	defer func() { _ = sw.Close() }()

	sm := secretsserver.New(secretsserver.WithAccessKeyID(lambdatest.DemoAccessKeyID), secretsserver.WithRegion(lambdatest.DemoRegion))
	sq := sqsserver.New(sqsserver.WithRegion(lambdatest.DemoRegion))
	ddb := dynamoserver.New(dynamoserver.WithRegion(lambdatest.DemoRegion))
	bus := eventsserver.New(eventsserver.WithRegion(lambdatest.DemoRegion))
	info := worldInfo{Table: benchTable, Bus: benchBus}
	if info.Secrets, err = sm.Start("127.0.0.1:0"); err != nil {
		return err
	}
	defer sm.Close()
	if info.SQS, err = sq.Start("127.0.0.1:0"); err != nil {
		return err
	}
	defer sq.Close()
	// A short visibility timeout: a record reported failed comes back soon.
	if info.QueueURL, err = sq.CreateQueue(benchQueue, map[string]string{"VisibilityTimeout": "5"}); err != nil {
		return err
	}
	var reads, batchReads atomic.Int64
	ddbSrv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: countReads(ddb, &reads, &batchReads)}
	if info.DynamoDB, err = serve(ddbSrv); err != nil {
		return err
	}
	defer func() { _ = ddbSrv.Close() }()
	if err := ddb.CreateTable(benchTable, "id"); err != nil {
		return err
	}
	bus.CreateBus(benchBus)
	var accepted atomic.Int64
	busSrv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: reportEvents(bus, &accepted, emit)}
	if info.EventBridge, err = serve(busSrv); err != nil {
		return err
	}
	defer func() { _ = busSrv.Close() }()
	info.SignalWire = swURL
	secret, err := json.Marshal(map[string]string{
		"project_id": lambdatest.DemoProjectID, "api_token": token, "space_url": swURL, "signing_key": lambdatest.DemoSigningKey,
	})
	if err != nil {
		return err
	}
	info.SecretJSON = string(secret)
	sm.Put(lambdatest.DemoSecretID, info.SecretJSON)
	ready, err := json.Marshal(info)
	if err != nil {
		return err
	}
	emit("ready %s", ready)

	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "c "):
			i, err := strconv.Atoi(line[2:])
			if err != nil {
				return fmt.Errorf("world: bad line %q", line)
			}
			rec, err := callTemplate(tmpl, i, time.Now())
			if err != nil {
				return err
			}
			if err := rp.Add(rec); err != nil {
				return err
			}
		case line == "counts":
			c := worldCounts{
				Secrets: sm.Requests(), SignalWire: rp.Requests(), SignalWireGet: gets.Load(),
				SQS: map[string]int64{}, DynamoDB: map[string]int64{}, DynamoDBRead: reads.Load(), DynamoDBBatch: batchReads.Load(),
				EventBridge: bus.Requests("PutEvents"), Events: accepted.Load(),
			}
			for _, op := range []string{"SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility"} {
				c.SQS[op] = sq.Requests(op)
			}
			for _, op := range []string{"PutItem", "UpdateItem", "DeleteItem", "GetItem", "BatchGetItem"} {
				c.DynamoDB[op] = ddb.Requests(op)
			}
			b, err := json.Marshal(c)
			if err != nil {
				return err
			}
			emit("counts %s", b)
		default:
			return fmt.Errorf("world: bad line %q", line)
		}
	}
	return sc.Err()
}

// serve starts srv on a loopback port and returns its base URL.
func serve(srv *http.Server) (string, error) {
	ln, err := listenLoopback()
	if err != nil {
		return "", err
	}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// recorder keeps a handler's answer so the wrapper can read it.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int) { r.status = status; r.ResponseWriter.WriteHeader(status) }
func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// readBody reads r's body and puts it back for the next handler.
func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// countReads counts the keys DynamoDB reads (GetItem, BatchGetItem), for
// the read request units.
func countReads(next http.Handler, reads, batch *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch target := r.Header.Get("X-Amz-Target"); {
		case strings.HasSuffix(target, ".GetItem"):
			reads.Add(1)
		case strings.HasSuffix(target, ".BatchGetItem"):
			var in struct {
				RequestItems map[string]struct{ Keys []json.RawMessage }
			}
			if json.Unmarshal(readBody(r), &in) == nil {
				for _, t := range in.RequestItems {
					batch.Add(int64(len(t.Keys)))
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// reportEvents passes PutEvents to the bus and reports each accepted entry:
// its call index, status and when it was accepted.
func reportEvents(next http.Handler, accepted *atomic.Int64, emit func(string, ...any)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutEvents") {
			next.ServeHTTP(w, r)
			return
		}
		var in struct{ Entries []struct{ Detail string } }
		_ = json.Unmarshal(readBody(r), &in)
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		now := time.Now().UnixNano()
		var out struct {
			Entries []struct{ EventID, ErrorCode string }
		}
		if rec.status != http.StatusOK || json.Unmarshal(rec.body.Bytes(), &out) != nil || len(out.Entries) != len(in.Entries) {
			return
		}
		for k, e := range out.Entries {
			if e.EventID == "" {
				continue
			}
			var d struct {
				CallSID string `json:"call_sid"`
				Status  string `json:"status"`
			}
			_ = json.Unmarshal([]byte(in.Entries[k].Detail), &d)
			i, ok := callIndex(d.CallSID)
			if !ok {
				i = -1
			}
			accepted.Add(1)
			emit("e %d %s %d", i, d.Status, now)
		}
	})
}
