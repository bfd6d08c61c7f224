package webhook

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// receiver is a webhook on loopback that fails its first failures calls.
type receiver struct {
	failures int32
	calls    atomic.Int32
	mu       sync.Mutex
	bodies   [][]byte
	sigs     []string
	at       []time.Time
	srv      *httptest.Server
}

func newReceiver(t *testing.T, failures int32, status int) *receiver {
	r := &receiver{failures: failures}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := r.calls.Add(1)
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.sigs = append(r.sigs, req.Header.Get(sharing.SignatureHeader))
		r.at = append(r.at, time.Now())
		r.mu.Unlock()
		if n <= r.failures {
			w.WriteHeader(status)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func org(url string) *sharing.Organization {
	return &sharing.Organization{ID: "carrier-a", Webhook: &sharing.Webhook{URL: url, Secret: []byte("a webhook secret of 32 bytes!!!!")}}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRetriedWithBackoffThenDelivered(t *testing.T) {
	r := newReceiver(t, 2, http.StatusServiceUnavailable)
	s := New(Config{Backoff: 20 * time.Millisecond, Attempts: 4})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); s.Wait() }()
	s.Start(ctx)
	body := []byte(`{"id":"sector-event--1","status":"opened"}`)
	s.Deliver(org(r.srv.URL), body)
	waitUntil(t, "delivery", func() bool { return s.delivered.Load() == 1 })
	if got := r.calls.Load(); got != 3 {
		t.Fatalf("%d calls, want 3 (two refused, then acknowledged)", got)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// The waits double: ≥ 20 ms, then ≥ 40 ms.
	if d1, d2 := r.at[1].Sub(r.at[0]), r.at[2].Sub(r.at[1]); d1 < 20*time.Millisecond || d2 < 40*time.Millisecond {
		t.Errorf("waits %v, %v; want ≥ 20 ms then ≥ 40 ms", d1, d2)
	}
	want := sharing.Sign([]byte("a webhook secret of 32 bytes!!!!"), body)
	for i, sig := range r.sigs {
		if sig != want || string(r.bodies[i]) != string(body) {
			t.Errorf("call %d: signature %q body %q; want %q and the event", i, sig, r.bodies[i], want)
		}
	}
	if s.failed.Load() != 0 || s.dropped.Load() != 0 {
		t.Errorf("failed %d dropped %d", s.failed.Load(), s.dropped.Load())
	}
}

func TestFailsAfterEveryAttempt(t *testing.T) {
	r := newReceiver(t, 100, http.StatusInternalServerError)
	s := New(Config{Backoff: time.Millisecond, Attempts: 3})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); s.Wait() }()
	s.Start(ctx)
	s.Deliver(org(r.srv.URL), []byte(`{}`))
	waitUntil(t, "failure", func() bool { return s.failed.Load() == 1 })
	if got := r.calls.Load(); got != 3 {
		t.Fatalf("%d calls, want 3", got)
	}
	if s.delivered.Load() != 0 {
		t.Error("counted as delivered")
	}
}

// TestRedirectIsNotFollowed: a webhook that redirects is a failed delivery;
// the hub never sends an event where the registry did not say.
func TestRedirectIsNotFollowed(t *testing.T) {
	elsewhere := newReceiver(t, 0, 0)
	redirect := httptest.NewServer(http.RedirectHandler(elsewhere.srv.URL, http.StatusTemporaryRedirect))
	defer redirect.Close()
	s := New(Config{Backoff: time.Millisecond, Attempts: 2})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); s.Wait() }()
	s.Start(ctx)
	s.Deliver(org(redirect.URL), []byte(`{}`))
	waitUntil(t, "failure", func() bool { return s.failed.Load() == 1 })
	if elsewhere.calls.Load() != 0 {
		t.Fatal("the redirect was followed")
	}
}

// TestFullQueueDropsWithoutBlocking: with no worker running and a queue of
// two, the third delivery is dropped at once and counted.
func TestFullQueueDropsWithoutBlocking(t *testing.T) {
	s := New(Config{Queue: 2})
	o := org("http://127.0.0.1:1/")
	start := time.Now()
	for range 3 {
		s.Deliver(o, []byte(`{}`))
	}
	if time.Since(start) > time.Second {
		t.Fatal("Deliver blocked on a full queue")
	}
	if got := s.dropped.Load(); got != 1 {
		t.Fatalf("dropped %d, want 1", got)
	}
	s.Deliver(&sharing.Organization{ID: "no-hook"}, []byte(`{}`))
	if got := s.dropped.Load(); got != 1 {
		t.Fatal("an organization without a webhook counted as a drop")
	}
}
