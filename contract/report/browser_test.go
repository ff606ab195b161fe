package report_test

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callwire/callwire/contract"
	"github.com/callwire/callwire/contract/recording"
	"github.com/callwire/callwire/contract/report"
)

var update = flag.Bool("update", false, "rewrite the sample report's screenshot")

// screenshotPath is the screenshot of a sample HTML report that the README
// shows; go test ./contract/report -update rewrites it.
const screenshotPath = "testdata/report.png"

// recordingsDir holds the recordings the sample report checks.
const recordingsDir = "../../testdata/recordings"

// chromium finds the browser: $CALLWIRE_CHROMIUM, else chromium on PATH.
// Without one the test skips, except under CI=true, where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CALLWIRE_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("CALLWIRE_CHROMIUM=%s: %v", p, err)
		}
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		msg := "no browser: set CALLWIRE_CHROMIUM or install chromium (apt-get install -y chromium) to test the HTML report in a browser"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// proxy is a loopback HTTP proxy that answers every request 502 and
// records its host: the browser is pointed at it (loopback included), so
// any request the page makes (HTTP, or a CONNECT for HTTPS) is seen.
type proxy struct {
	addr string
	mu   sync.Mutex
	seen []string
}

func startProxy(t *testing.T) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.seen = append(p.seen, r.Host)
		p.mu.Unlock()
		http.Error(w, "no requests expected", http.StatusBadGateway)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return p
}

// take returns the hosts of the requests seen since the last take.
func (p *proxy) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	seen := p.seen
	p.seen = nil
	return seen
}

// chromiumServices are the domains Chromium calls by itself (sign-in,
// search preconnects, network time) at times of its own choosing, so a
// blank page does not reliably show them. The report names none of them
// (the test checks), so a request to one cannot be the page's.
var chromiumServices = []string{"google.com", "googleapis.com", "gstatic.com", "gvt1.com", "googleusercontent.com"}

// pageRequests returns the hosts of the requests p saw since the last take,
// but for Chromium's own services.
func (p *proxy) pageRequests() []string {
	var out []string
	for _, h := range p.take() {
		host := h
		if hh, _, err := net.SplitHostPort(h); err == nil {
			host = hh
		}
		own := false
		for _, d := range chromiumServices {
			if host == d || strings.HasSuffix(host, "."+d) {
				own = true
			}
		}
		if !own {
			out = append(out, h)
		}
	}
	return out
}

// runBrowser runs the headless browser on page (a URL) with args added,
// every request going to p, and returns its standard output.
func runBrowser(t *testing.T, browser string, p *proxy, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	base := []string{
		// --no-sandbox: the sandbox cannot start as root (CI containers),
		// and the page is our own.
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
		// Most of Chromium's own traffic (network time, suggestions, safe
		// browsing, preconnects); what remains (sign-in) is told apart by
		// host: see chromiumServices.
		"--no-pings", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
		"--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication,CertificateTransparencyComponentUpdater,SafeBrowsing,InterestFeedContentSuggestions,PrivacySandboxSettings4,PreconnectToSearch,SearchPrefetchServicePrefetching,NetworkPrediction",
		"--safebrowsing-disable-auto-update", "--metrics-recording-only", "--disable-breakpad",
		"--disable-field-trial-config", "--disable-search-engine-choice-screen", "--disable-component-extensions-with-background-pages",
		"--password-store=basic", "--use-mock-keychain", "--dns-prefetch-disable",
		"--user-data-dir=" + t.TempDir(),
		"--proxy-server=http://" + p.addr, "--proxy-bypass-list=<-loopback>",
		"--window-size=1200,1000",
	}
	cmd := exec.CommandContext(ctx, browser, append(append(base, args...), page)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, stderr.String())
	}
	return stdout.Bytes()
}

// sampleHTML checks the recordings under testdata (conformant, drift and
// warning), adds a warning with hostile values, and writes the HTML report
// to a file.
func sampleHTML(t *testing.T) string {
	t.Helper()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	files, err := recording.FindFiles(recordingsDir)
	if err != nil || len(files) == 0 {
		t.Fatalf("recordings under %s: %d, %v", recordingsDir, len(files), err)
	}
	var b bytes.Buffer
	s, err := report.NewStream("html", &b, contract.SpecInfo{Name: contract.SpecName, SHA256: contract.SpecSHA256}, contract.SeverityError)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		rec, err := recording.ReadRecording(f)
		if err != nil {
			t.Fatal(err)
		}
		ex := rec.Exchange()
		res := v.Check(ex)
		rel, _ := filepath.Rel(recordingsDir, f)
		s.Add(report.FileResult{Source: filepath.ToSlash(rel), Method: ex.Method, URL: ex.URL, Status: ex.Status,
			Operation: res.Operation, Conformant: res.Conformant, Findings: res.Findings})
	}
	s.AddWarning(report.Warning{Source: "session.har", Message: "the HAR holds credentials: Authorization (values not shown)"})
	s.AddWarning(report.Warning{Source: scriptURL, Message: "a value from a recording: " + scriptText})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(page, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return page
}

// scriptText would mark the page and fetch from the network if it ran.
const (
	scriptText = `<script>document.documentElement.setAttribute("data-ran","yes")</script><img src="http://img.invalid/x.png">`
	scriptURL  = `https://x.example/"><script>document.documentElement.setAttribute("data-ran","yes")</script>`
)

// TestHTMLInBrowser opens a sample report in headless Chromium: the page
// renders its verdict, counts and groups, shows hostile values as text
// without running them, and makes no request (the proxy sees none). A
// control page with an external image proves the proxy would see one.
func TestHTMLInBrowser(t *testing.T) {
	browser := chromium(t)
	t.Parallel()
	p := startProxy(t)
	page := "file://" + sampleHTML(t)
	html, err := os.ReadFile(strings.TrimPrefix(page, "file://"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range chromiumServices {
		if bytes.Contains(html, []byte(d)) {
			t.Fatalf("the sample report names %s, whose requests the test does not count", d)
		}
	}

	dom := string(runBrowser(t, browser, p, page, "--dump-dom"))
	for _, want := range []string{`id="verdict">FAIL<`, "checked</li>", "<code>schema.enum</code>", "<code>/direction</code>",
		"drift/", "the HAR holds credentials", "&lt;script&gt;document.documentElement"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %q:\n%s", want, dom)
		}
	}
	if strings.Contains(dom, `data-ran="yes"`) {
		t.Errorf("a script from the report's content ran:\n%s", dom)
	}

	shot := filepath.Join(t.TempDir(), "report.png")
	runBrowser(t, browser, p, page, "--screenshot="+shot, "--hide-scrollbars")
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 1000 {
		t.Errorf("screenshot is %v, want 1200x1000", b)
	}
	if *update {
		if err := os.WriteFile(screenshotPath, data, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if _, err := os.Stat(screenshotPath); err != nil {
		t.Errorf("the README's screenshot is missing (go test ./contract/report -update writes it): %v", err)
	}
	if seen := p.pageRequests(); len(seen) != 0 {
		t.Errorf("the browser made %d requests for the report, want none: %s", len(seen), strings.Join(seen, "; "))
	}

	// The control: a page that does load an external image is seen.
	control := filepath.Join(t.TempDir(), "control.html")
	if err := os.WriteFile(control, []byte(`<!DOCTYPE html><img src="http://img.invalid/x.png">`), 0o600); err != nil {
		t.Fatal(err)
	}
	runBrowser(t, browser, p, "file://"+control, "--dump-dom")
	if seen := p.pageRequests(); len(seen) == 0 {
		t.Error("the proxy saw no request from a page with an external image: it would not see the report's either")
	}
}
