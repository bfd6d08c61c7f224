package server

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
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
	for _, p := range []string{"/", "/assets/console.js", "/assets/console.css"} {
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
		if p == "/" && regexp.MustCompile(`<script>|<style>|\sstyle=|\son[a-z]+=`).Match(body) {
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
