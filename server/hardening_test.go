package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSecurityHeaders: every API and TAXII answer, errors included, is
// no-store and nosniff; the console's policy allows no inline script or style.
func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, 0)
	tok := f.token("carrier-a", "carrier")
	for _, tc := range []struct{ method, path, tok string }{
		{"GET", "/api/v1/obligations", tok},
		{"GET", "/api/v1/obligations", ""},
		{"GET", "/api/v1/submissions/nope", tok},
		{"GET", "/taxii2/", ""},
		{"GET", "/taxii2/hub/collections/", tok},
		{"PUT", "/taxii2/hub/collections/", tok},
		{"GET", "/api/v1/exports/public", ""},
		{"GET", "/no/such/path", ""},
	} {
		_, h, _ := f.do(tc.method, tc.path, tc.tok, "", nil)
		if h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: Cache-Control %q, X-Content-Type-Options %q", tc.method, tc.path, h.Get("Cache-Control"), h.Get("X-Content-Type-Options"))
		}
	}
	base := f.listen()
	for _, p := range []string{"/login", "/assets/console.js", "/assets/console.css"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if resp.StatusCode != 200 || csp == "" || strings.Contains(csp, "unsafe-inline") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d CSP %q", p, resp.StatusCode, csp)
		}
		if p == "/login" && regexp.MustCompile(`<script>|<style>|\sstyle=|\son[a-z]+=`).Match(body) {
			t.Errorf("the console page has inline script or style, which its policy blocks")
		}
	}
	if resp, err := http.Get(base + "/assets/../server.go"); err == nil {
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("asset path traversal: %d", resp.StatusCode)
		}
		resp.Body.Close()
	}
}

// TestMetricsUnderConcurrentTraffic scrapes /metrics while requests of
// several methods run: every scrape answers 200 and every method label is one
// that was sent (Fiber reuses its buffers: uncopied labels turned into "GETT").
func TestMetricsUnderConcurrentTraffic(t *testing.T) {
	f := newFixture(t, 0)
	base := f.listen()
	admin := f.token("hub-admin", "admin")
	tok := f.token("carrier-a", "carrier")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each connection is kept alive and sends every method in
			// turn, so the buffers Fiber reuses hold each of them.
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				path := []string{"/taxii2/hub/collections/", "/api/v1/obligations", "/taxii2/"}[i%3]
				req, _ := http.NewRequest(methods[i%len(methods)], base+path, strings.NewReader("{}"))
				req.Header.Set("Authorization", "Bearer "+tok)
				if resp, err := http.DefaultClient.Do(req); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	label := regexp.MustCompile(`method="([^"]*)"`)
	for range 40 {
		req, _ := http.NewRequest("GET", base+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("scrape: %d %.300s", resp.StatusCode, body)
		}
		for _, m := range label.FindAllStringSubmatch(string(body), -1) {
			switch m[1] {
			case "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD":
			default:
				t.Fatalf("method label %q", m[1])
			}
		}
	}
	close(stop)
	wg.Wait()
}

// TestBodiesAfterAuthentication: an anonymous POST announcing 30 MiB is
// answered 401 after the first kilobytes, six at once cost the hub almost no
// memory, and a client may have only a few bodies in flight.
func TestBodiesAfterAuthentication(t *testing.T) {
	f := newFixture(t, 0)
	base := f.listen()
	addr := strings.TrimPrefix(base, "http://")
	const announced = 30 << 20
	send := func(auth string, announced, sendBytes int) (int, time.Duration) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		fmt.Fprintf(conn, "POST /api/v1/submissions HTTP/1.1\r\nHost: kakehashi\r\n%sContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", auth, announced)
		if _, err := conn.Write(make([]byte, sendBytes)); err != nil {
			t.Fatal(err)
		}
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode, time.Since(start)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, took := send("", announced, 16<<10); status != http.StatusUnauthorized || took > 5*time.Second {
				t.Errorf("anonymous 30 MiB POST: %d after %s, want 401 at once", status, took)
			}
		}()
	}
	wg.Wait()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 8<<20 {
		t.Errorf("six anonymous 30 MiB POSTs grew the heap by %d bytes", grew)
	}
	// An authenticated one announcing more than the limit: 413 before the body.
	tok := f.token("carrier-a", "carrier")
	if status, _ := send("Authorization: Bearer "+tok+"\r\n", 40<<20, 16<<10); status != http.StatusRequestEntityTooLarge {
		t.Errorf("over the limit: %d, want 413", status)
	}

	// Bodies in flight per client: the fifth concurrent slow body is 429.
	var conns []net.Conn
	for range maxBodiesPerClient {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		fmt.Fprintf(conn, "POST /api/v1/submissions HTTP/1.1\r\nHost: kakehashi\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", tok, 1<<20)
		conn.Write(make([]byte, 16<<10)) // and then nothing: the body stays in flight
	}
	time.Sleep(200 * time.Millisecond)
	if status, _ := send("Authorization: Bearer "+tok+"\r\n", 1<<20, 16<<10); status != http.StatusTooManyRequests {
		t.Errorf("a fifth body in flight from one client: %d, want 429", status)
	}
	for _, c := range conns {
		c.Close()
	}
}

// TestSlowHeadersAreCut: a client that sends its headers too slowly is
// disconnected after the header timeout, not held for minutes.
func TestSlowHeadersAreCut(t *testing.T) {
	f := newFixture(t, 0)
	cfg := f.srv.cfg
	cfg.HeaderTimeout, cfg.IdleTimeout = 300*time.Millisecond, 300*time.Millisecond
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	base := f.listen()
	for _, partial := range []string{"GET /healthz HTTP/1.1\r\nHost: kakehashi\r\n", ""} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		fmt.Fprint(conn, partial)
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err = io.ReadAll(conn)
		conn.Close()
		if took := time.Since(start); err != nil || took > 3*time.Second {
			t.Errorf("partial headers %q: closed after %s (%v), want within about 300ms", partial, took, err)
		}
	}
}

// TestAnonymousMultipartNotReadBeforeAuth: a multipart body is not parsed
// (to memory or temporary files) before authentication either.
func TestAnonymousMultipartNotReadBeforeAuth(t *testing.T) {
	f := newFixture(t, 1<<20)
	base := f.listen()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST /api/v1/submissions HTTP/1.1\r\nHost: kakehashi\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: %d\r\n\r\n--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n", 60<<20)
	conn.Write(make([]byte, 16<<10)) // and nothing more: a parser that wants the whole form waits
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to an anonymous multipart POST: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || time.Since(start) > 5*time.Second {
		t.Errorf("anonymous 60 MiB multipart POST: %d after %s, want 401 at once", resp.StatusCode, time.Since(start))
	}
}
