package sdkhttp

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// slowBodyConn holds the transport's writes that follow the request
// headers for a while after writing them: the server answers meanwhile and
// the SDK closes the request body before net/http checks it for more bytes,
// the order a busy machine produces now and then.
type slowBodyConn struct {
	net.Conn
	hold time.Duration
}

func (c slowBodyConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if !strings.HasPrefix(string(b), "POST ") {
		time.Sleep(c.hold)
	}
	return n, err
}

// TestBodyClosedBeforeTheTransportChecksIt sends one PutItem whose answer
// arrives (headers first, the body 300 ms later) while the transport still
// holds the request body: through the SDK's client alone the connection is
// closed under the response ("use of closed network connection"); through
// Client the response is read.
func TestBodyClosedBeforeTheTransportChecksIt(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = r.Body.Read(make([]byte, 1<<16))
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("Content-Length", "2")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		time.Sleep(300 * time.Millisecond)
		_, _ = w.Write([]byte("{}"))
	}))
	t.Cleanup(srv.Close)
	sdk := func() *awshttp.BuildableClient {
		return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			d := &net.Dialer{}
			tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := d.DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return slowBodyConn{Conn: c, hold: 100 * time.Millisecond}, nil
			}
		})
	}
	put := func(hc aws.HTTPClient) error {
		c := dynamodb.NewFromConfig(aws.Config{
			Region:           "us-east-1",
			Credentials:      credentials.NewStaticCredentialsProvider("AKIDCALLWIRETEST", "callwire-test-secret", ""),
			BaseEndpoint:     aws.String(srv.URL),
			RetryMaxAttempts: 1,
			HTTPClient:       hc,
		})
		_, err := c.PutItem(t.Context(), &dynamodb.PutItemInput{
			TableName: aws.String("t"),
			Item:      map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "x"}},
		})
		return err
	}
	var wg sync.WaitGroup
	var plain, wrapped error
	wg.Go(func() { plain = put(sdk()) })
	wg.Go(func() { wrapped = put(Wrap(sdk())) })
	wg.Wait()
	if plain == nil || !strings.Contains(plain.Error(), "use of closed network connection") {
		t.Errorf("the SDK's own client: %v; want the connection closed under the response. If the SDK no longer fails here, this package is no longer needed", plain)
	}
	if wrapped != nil {
		t.Errorf("through Client: %v", wrapped)
	}
}

// TestBodyKeptForTheCaller checks that Do does not change the caller's
// request, and passes bodies without WriteTo as they are.
func TestBodyKeptForTheCaller(t *testing.T) {
	t.Parallel()
	var got []http.Request
	rec := doerFunc(func(r *http.Request) (*http.Response, error) {
		got = append(got, *r)
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
	})
	withWriteTo, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://127.0.0.1/", strings.NewReader("{}"))
	body := withWriteTo.Body
	if _, err := Wrap(rec).Do(withWriteTo); err != nil {
		t.Fatal(err)
	}
	if withWriteTo.Body != body {
		t.Error("the caller's request body was replaced")
	}
	if _, ok := got[0].Body.(io.WriterTo); ok {
		t.Error("the body sent still has WriteTo")
	}
	if _, ok := got[0].Body.(readCloser); !ok {
		t.Errorf("body sent is %T, want the Read-only wrapper", got[0].Body)
	}
	plain, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://127.0.0.1/", nil)
	if _, err := Wrap(rec).Do(plain); err != nil {
		t.Fatal(err)
	}
	if got[1].Body != nil {
		t.Errorf("a request without a body got %T", got[1].Body)
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }
