package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// checkpointStore is the checkpoint half of sharing.AuditStore.
type checkpointStore interface {
	CreateAuditCheckpoint(ctx context.Context, cp sharing.AuditCheckpoint) error
	FindAuditCheckpoints(ctx context.Context) ([]sharing.AuditCheckpoint, error)
}

// testAudit: the log is one hash chain (SHARING.md §6) however many writers
// append at once, and verification names an altered entry.
func testAudit(t *testing.T, open Open) {
	ctx := context.Background()
	t.Run("empty log", func(t *testing.T) {
		s, _ := fresh[Store](t, open)
		_, err := s.FindAuditHead(ctx)
		mustNotFound(t, "head of an empty log", err)
		_, err = s.FindAuditEntry(ctx, 1)
		mustNotFound(t, "entry 1 of an empty log", err)
		if n, b, err := s.VerifyAudit(ctx); n != 0 || b != nil || err != nil {
			t.Errorf("verify an empty log = %d, %v, %v; want 0, nil, nil", n, b, err)
		}
		if es, err := s.FindAuditEvents(ctx, []string{sharing.AuditIntake}); err != nil || len(es) != 0 {
			t.Errorf("events of an empty log = %v, %v", es, err)
		}
	})
	t.Run("append links entries", func(t *testing.T) {
		s, _ := fresh[Store](t, open)
		for i, a := range []string{sharing.AuditIntake, sharing.AuditRelease, sharing.AuditIntake} {
			e := sharing.AuditEvent{Actor: "carrier-a", Action: a, Subject: fmt.Sprint("s", i), Detail: map[string]any{"objects": i, "channel": "isac-members"}}
			if err := s.AppendAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		head, err := s.FindAuditHead(ctx)
		if err != nil || head.Seq != 3 || head.Subject != "s2" {
			t.Fatalf("head = %+v, %v; want entry 3 about s2", head, err)
		}
		first, err := s.FindAuditEntry(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if first.PrevHash != sharing.GenesisHash || first.Actor != "carrier-a" || first.Detail != `{"channel":"isac-members","objects":0}` {
			t.Errorf("first entry = %+v", first)
		}
		second, err := s.FindAuditEntry(ctx, 2)
		if err != nil || second.PrevHash != first.Hash {
			t.Errorf("entry 2 = %+v, %v; want prev_hash %s", second, err, first.Hash)
		}
		_, err = s.FindAuditEntry(ctx, 4)
		mustNotFound(t, "entry 4 of 3", err)
		intakes, err := s.FindAuditEvents(ctx, []string{sharing.AuditIntake})
		if err != nil {
			t.Fatal(err)
		}
		if got := subjects(intakes); !cmp.Equal(got, []string{"s0", "s2"}) {
			t.Errorf("intake events = %v, want s0, s2 in order", got)
		}
		if es, err := s.FindAuditEvents(ctx, nil); err != nil || len(es) != 0 {
			t.Errorf("events of no action = %v, %v; want none", es, err)
		}
		if n, b, err := s.VerifyAudit(ctx); n != 3 || b != nil || err != nil {
			t.Errorf("verify = %d, %v, %v; want 3 intact", n, b, err)
		}
	})
	t.Run("concurrent appends stay one chain", func(t *testing.T) {
		s, _ := fresh[Store](t, open)
		const writers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					errs <- s.AppendAudit(ctx, ev(sharing.AuditChannelRead, fmt.Sprintf("w%d-%d", w, i)))
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		n, b, err := s.VerifyAudit(ctx)
		if n != writers*each || b != nil || err != nil {
			t.Errorf("verify = %d, %v, %v; want %d entries intact", n, b, err, writers*each)
		}
	})
	t.Run("tampering is detected", func(t *testing.T) {
		s, st := fresh[Store](t, open)
		tp := need[Tamperer](t, st)
		for i := range 5 {
			if err := s.AppendAudit(ctx, ev(sharing.AuditIntake, fmt.Sprint("s", i))); err != nil {
				t.Fatal(err)
			}
		}
		tp.TamperAuditDetail(t, 3, `{"n":2}`)
		n, b, err := s.VerifyAudit(ctx)
		if err != nil || b == nil || b.Seq != 3 {
			t.Errorf("verify after altering entry 3 = %d, %v, %v; want a break at 3", n, b, err)
		}
	})
	t.Run("checkpoints", func(t *testing.T) {
		cs, s := fresh[checkpointStore](t, open)
		if cps, err := cs.FindAuditCheckpoints(ctx); err != nil || len(cps) != 0 {
			t.Errorf("checkpoints of a new store = %v, %v; want none", cps, err)
		}
		if err := s.AppendAudit(ctx, ev(sharing.AuditIntake, "s1")); err != nil {
			t.Fatal(err)
		}
		head, _ := s.FindAuditHead(ctx)
		want := []sharing.AuditCheckpoint{
			{HeadSeq: 1, HeadHash: head.Hash, At: at(1), Signature: "sig-1"},
			{HeadSeq: 1, HeadHash: head.Hash, At: at(2), Signature: "sig-2"},
		}
		for _, cp := range want {
			if err := cs.CreateAuditCheckpoint(ctx, cp); err != nil {
				t.Fatal(err)
			}
		}
		got, err := cs.FindAuditCheckpoints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("checkpoints (-want +got):\n%s", d)
		}
	})
	t.Run("pages newest first", func(t *testing.T) {
		ps, s := fresh[sharing.AuditPageStore](t, open)
		for i := range 7 {
			if err := s.AppendAudit(ctx, ev(sharing.AuditIntake, fmt.Sprint("s", i))); err != nil {
				t.Fatal(err)
			}
		}
		var got []int64
		before := int64(0)
		for {
			page, err := ps.FindAuditPage(ctx, before, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				got = append(got, e.Seq)
			}
			before = page[len(page)-1].Seq
		}
		if want := []int64{7, 6, 5, 4, 3, 2, 1}; !cmp.Equal(got, want) {
			t.Errorf("paged seqs = %v, want %v", got, want)
		}
	})
}

func subjects(es []sharing.AuditEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Subject
	}
	return out
}

// testTokens: revocation is idempotent and audited.
func testTokens(t *testing.T, open Open) {
	ctx := context.Background()
	ts, s := fresh[sharing.TokenStore](t, open)
	if r, err := ts.IsTokenRevoked(ctx, "jti-1"); err != nil || r {
		t.Errorf("unknown token revoked = %v, %v", r, err)
	}
	for range 2 {
		if err := ts.RevokeToken(ctx, "jti-1", ev(sharing.AuditTokenRevoke, "jti-1")); err != nil {
			t.Fatalf("revoke (twice is not an error): %v", err)
		}
	}
	if r, err := ts.IsTokenRevoked(ctx, "jti-1"); err != nil || !r {
		t.Errorf("revoked token revoked = %v, %v", r, err)
	}
	if r, err := ts.IsTokenRevoked(ctx, "jti-2"); err != nil || r {
		t.Errorf("other token revoked = %v, %v", r, err)
	}
	audited(t, s, sharing.AuditTokenRevoke, sharing.AuditTokenRevoke)
}
