package storetest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// RunRateCounter checks a sharing.RateCounter against its contract: the
// in-memory counter of sharing and the shared one of store/postgres run it
// unchanged. It uses the counter's real clock (a database's cannot be set),
// so one case waits for a window of one second to end.
func RunRateCounter(t *testing.T, open func(t *testing.T) sharing.RateCounter) {
	ctx := context.Background()
	// Long enough that a case does not straddle two windows but once in
	// millions of runs.
	const long = 1000 * time.Hour
	t.Run("counts per key, window length and addition", func(t *testing.T) {
		t.Parallel()
		c := open(t)
		count := func(key string, window time.Duration, n int) int {
			t.Helper()
			got, left, err := c.CountRate(ctx, key, window, n)
			if err != nil {
				t.Fatalf("CountRate(%q, %s, %d): %v", key, window, n, err)
			}
			if left <= 0 || left > window {
				t.Errorf("CountRate(%q, %s, %d) left %s, want within (0, %s]", key, window, n, left, window)
			}
			return got
		}
		if got := count("addr 10.0.0.1", long, 0); got != 0 {
			t.Errorf("reading an unseen key = %d, want 0", got)
		}
		for want := 1; want <= 3; want++ {
			if got := count("addr 10.0.0.1", long, 1); got != want {
				t.Errorf("add %d = %d", want, got)
			}
		}
		if got := count("addr 10.0.0.1", long, 4); got != 7 {
			t.Errorf("adding 4 to 3 = %d, want 7", got)
		}
		if got := count("addr 10.0.0.1", long, 0); got != 7 {
			t.Errorf("reading = %d, want 7 (a read adds nothing)", got)
		}
		if got := count("addr 10.0.0.2", long, 1); got != 1 {
			t.Errorf("another key = %d, want 1", got)
		}
		if got := count("addr 10.0.0.1", 2*long, 1); got != 1 {
			t.Errorf("the same key in windows of another length = %d, want 1", got)
		}
		// Keys are opaque: long ones, NUL and bytes that are not UTF-8 too.
		for _, k := range []string{strings.Repeat("x", 10000), "intake\x00carrier-a", "user \xff\xfe"} {
			if got := count(k, long, 1); got != 1 {
				t.Errorf("key of %d bytes = %d, want 1", len(k), got)
			}
		}
		if _, _, err := c.CountRate(ctx, "k", long, -1); err == nil {
			t.Error("a negative addition was accepted")
		}
	})
	t.Run("concurrent additions are all counted", func(t *testing.T) {
		t.Parallel()
		c := open(t)
		const callers, each = 8, 25
		var mu sync.Mutex
		var seen []int
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				for range each {
					got, _, err := c.CountRate(ctx, "cred shared", long, 1)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					seen = append(seen, got)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		slices.Sort(seen)
		for i, got := range seen {
			if got != i+1 {
				t.Fatalf("the %d additions returned %v, want each of 1…%d once", callers*each, seen, callers*each)
			}
		}
	})
	t.Run("a new window starts from zero", func(t *testing.T) {
		t.Parallel()
		c := open(t)
		const window = time.Second
		got, left, err := c.CountRate(ctx, "read carrier-a", window, 5)
		if err != nil || got != 5 {
			t.Fatalf("CountRate = %d, %v; want 5", got, err)
		}
		time.Sleep(left + 50*time.Millisecond)
		got, left, err = c.CountRate(ctx, "read carrier-a", window, 1)
		if err != nil || got != 1 || left <= 0 || left > window {
			t.Errorf("in the next window: %d, %s, %v; want 1 within (0, 1s]", got, left, err)
		}
	})
}
