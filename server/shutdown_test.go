package server

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// gatedStore holds CreateSubmission until the test opens the gate, so that a
// submission is provably in flight when shutdown starts.
type gatedStore struct {
	sharing.Store
	entered chan struct{}
	gate    chan struct{}
	once    sync.Once
}

func (g *gatedStore) CreateSubmission(ctx context.Context, rec *sharing.IntakeRecord) error {
	g.once.Do(func() { close(g.entered) })
	<-g.gate
	return g.Store.CreateSubmission(ctx, rec)
}

func TestGracefulShutdownFinishesInFlightSubmission(t *testing.T) {
	f := newFixture(t, 0)
	gs := &gatedStore{Store: f.db, entered: make(chan struct{}), gate: make(chan struct{})}
	in := &sharing.Intake{Store: gs, Registry: f.reg, Now: time.Now}
	srv, err := New(Config{Intake: in, Signer: f.signer,
		Access: &sharing.Access{Registry: f.reg, Tokens: gs}, Submissions: &sharing.Submissions{Store: gs, Registry: f.reg},
		TAXII:       &sharing.TAXII{Store: f.db, Audit: gs},
		Auditor:     &sharing.Auditor{Store: gs, Sign: f.signer.SignPayload, Open: f.signer.VerifyPayload, Now: time.Now},
		Obligations: &sharing.Obligations{Store: gs, Now: time.Now}, Reports: &sharing.Reports{Store: gs, Registry: f.reg, Now: time.Now},
		Releases: &sharing.Releases{Store: gs, Registry: f.reg, Now: time.Now}, Keys: f.keys, HubKey: f.hubKey,
		Exports: &sharing.Exports{Store: gs, Keys: f.keys, HubKey: f.hubKey}})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	base := f.listen()

	type result struct {
		status int
		err    error
	}
	res := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("POST", base+"/api/v1/submissions", bytes.NewReader(readFixture(t, "outage.json")))
		req.Header.Set("Authorization", "Bearer "+f.token("carrier-a", "carrier"))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			res <- result{err: err}
			return
		}
		resp.Body.Close()
		res <- result{status: resp.StatusCode}
	}()
	<-gs.entered

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	time.Sleep(100 * time.Millisecond) // let shutdown close the listener while the request waits
	select {
	case err := <-shut:
		t.Fatalf("shutdown returned (%v) while a submission was in flight", err)
	default:
	}
	close(gs.gate)

	r := <-res
	if r.err != nil || r.status != http.StatusCreated {
		t.Fatalf("in-flight submission: status %d, err %v; want 201", r.status, r.err)
	}
	if err := <-shut; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if n, _ := f.db.CountRows(context.Background(), "submissions"); n != 1 {
		t.Errorf("submissions stored: %d, want 1", n)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
}
