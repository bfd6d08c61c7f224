package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/store/postgres/pgtest"
)

// twoHubs starts two hubs with the configuration text cfg over one fresh
// PostgreSQL schema; the second has its own data directory with the first
// one's registry and keys. It returns them and the first one's data directory.
func twoHubs(t *testing.T, cfg string) (a, b *hubProcess, dirA string) {
	t.Helper()
	db := pgtest.URL(t)
	cfgFile := filepath.Join(t.TempDir(), "hub.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	dirA = t.TempDir()
	a = startHub(t, "--demo", "--data", dirA, "--database", db, "--config", cfgFile)
	t.Cleanup(func() { a.stop(t) })
	dirB := secondHubDir(t, dirA)
	// The demo people A made, so that B does not give them new passwords.
	people, err := os.ReadFile(filepath.Join(dirA, demoUsersFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dirB, demoUsersFile), people, 0o600); err != nil {
		t.Fatal(err)
	}
	b = startHub(t, "--demo", "--data", dirB, "--database", db, "--config", cfgFile)
	t.Cleanup(func() { b.stop(t) })
	return a, b, dirA
}

// awayFromMinuteEdge waits for the next minute when little of this one is
// left, so that a sequence of requests counted per minute (windows aligned
// on the database's clock, this machine's) falls in one window.
func awayFromMinuteEdge(t *testing.T, need time.Duration) {
	t.Helper()
	now := time.Now()
	if next := now.Truncate(time.Minute).Add(time.Minute); next.Sub(now) < need {
		time.Sleep(next.Sub(now) + 100*time.Millisecond)
	}
}

// signInFrom posts the console's sign-in form to base as the client
// X-Forwarded-For names (the hubs trust 127.0.0.1 as their balancer).
func signInFrom(t *testing.T, base, client, user, pw string) int {
	t.Helper()
	b := newBrowser(t, base)
	b.get("/login")
	req, _ := http.NewRequest(http.MethodPost, base+"/login",
		strings.NewReader(url.Values{"username": {user}, "password": {pw}, "csrf": {b.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.Header.Set("X-Forwarded-For", client)
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestRateLimitsAcrossHubs: two hubs over one PostgreSQL database count
// against one allowance (issue #14): a client alternating between them is
// refused after the configured total, not twice it — API reads per
// organization, failed console sign-ins per username (from ever new
// addresses) and per address (for ever new usernames).
func TestRateLimitsAcrossHubs(t *testing.T) {
	a, b, dir := twoHubs(t, "reads_per_minute: 6\nauth_failures_per_minute: 4\ntrusted_proxies: [\"127.0.0.1\"]\n")
	hubs := []*hubProcess{a, b}
	tokens := readTokens(t, dir)

	awayFromMinuteEdge(t, 20*time.Second)
	var codes []int
	for i := range 8 {
		req, _ := http.NewRequest("GET", hubs[i%2].base+"/api/v1/obligations", nil)
		req.Header.Set("Authorization", "Bearer "+tokens["mic"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
				t.Errorf("429 with Retry-After %q", resp.Header.Get("Retry-After"))
			}
		}
	}
	if want := "[200 200 200 200 200 200 429 429]"; fmt.Sprint(codes) != want {
		t.Errorf("8 reads alternating between hubs A and B with reads_per_minute 6: %v, want %s", codes, want)
	}
	if status, _ := get(t, b.base+"/api/v1/obligations", tokens["carrier-a"]); status != http.StatusOK {
		t.Errorf("another organization's read on B: %d, want 200", status)
	}

	people := demoPeople(t, dir)
	awayFromMinuteEdge(t, 20*time.Second)
	victim := people["carrier-b"].Username
	codes = nil
	for i := range 6 {
		codes = append(codes, signInFrom(t, hubs[i%2].base, fmt.Sprintf("198.51.100.%d", i+1), victim, "guess "+strconv.Itoa(i)))
	}
	if want := "[401 401 401 401 429 429]"; fmt.Sprint(codes) != want {
		t.Errorf("6 wrong passwords for one username from 6 addresses over both hubs: %v, want %s", codes, want)
	}
	if status := signInFrom(t, b.base, "198.51.100.99", victim, people["carrier-b"].Password); status != http.StatusTooManyRequests {
		t.Errorf("the right password for that username on B: %d, want 429 for the rest of the minute", status)
	}
	codes = nil
	for i := range 5 {
		codes = append(codes, signInFrom(t, hubs[i%2].base, "203.0.113.9", fmt.Sprintf("guess-%d", i), "wrong password"))
	}
	if want := "[401 401 401 401 429]"; fmt.Sprint(codes) != want {
		t.Errorf("5 failures from one address for 5 usernames over both hubs: %v, want %s", codes, want)
	}
	if status := signInFrom(t, a.base, "203.0.113.10", people["mic"].Username, people["mic"].Password); status != http.StatusSeeOther {
		t.Errorf("another address and username: %d, want 303", status)
	}
}

// as is the browser b at another hub: the same cookies, another base.
func (b *browser) as(base string) *browser {
	return &browser{t: b.t, base: base, c: b.c, csrf: b.csrf}
}

// signedIn reports whether the browser's session opens the console home.
func (b *browser) signedIn() bool {
	b.t.Helper()
	status, _, _ := b.get("/")
	return status == http.StatusOK
}

// TestSessionsAcrossHubs: a console session is a row of the shared database
// (issue #14): made on hub A it works on hub B; sign-out, a new password or
// disabling the user on A ends it on B at once; the idle timeout runs from
// the last use on any hub, and the absolute age holds on every hub.
func TestSessionsAcrossHubs(t *testing.T) {
	a, b, dir := twoHubs(t, "session_idle_timeout: 3s\nsession_max_age: 8s\n")
	t.Run("ends on B when ended on A", func(t *testing.T) {
		onA := signIn(t, a.base, dir, "carrier-a")
		onB := onA.as(b.base)
		if !onB.signedIn() {
			t.Fatal("a session made on A does not open B's console")
		}
		onA.get("/")
		if status, _, _ := onA.post("/logout", nil); status != http.StatusSeeOther {
			t.Fatalf("sign out on A: %d", status)
		}
		if onB.signedIn() {
			t.Error("the session signed out on A still opens B's console")
		}

		operator := signIn(t, a.base, dir, "hub-admin")
		people := demoPeople(t, dir)
		for _, c := range []struct{ org, path string }{
			{"carrier-b", "/users/" + people["carrier-b"].Username + "/password"},
			{"mic", "/users/" + people["mic"].Username + "/disable"},
		} {
			onB := signIn(t, b.base, dir, c.org)
			operator.get("/users")
			if status, _, body := operator.post(c.path, url.Values{"password": {"a brand new password 42"}}); status != http.StatusSeeOther {
				t.Fatalf("POST %s on A: %d %.300s", c.path, status, body)
			}
			if onB.signedIn() {
				t.Errorf("%s's session on B survives POST %s on A", c.org, c.path)
			}
		}
	})
	t.Run("timeouts", func(t *testing.T) {
		t.Run("idle counts from the last use on any hub", func(t *testing.T) {
			t.Parallel()
			onA := signIn(t, a.base, dir, "carrier-a")
			onB := onA.as(b.base)
			time.Sleep(2 * time.Second)
			if !onB.signedIn() {
				t.Fatal("2 s after sign-in on A, B refuses")
			}
			time.Sleep(2 * time.Second)
			if !onA.signedIn() {
				t.Fatal("4 s after sign-in on A, 2 s after a use on B: A refuses (it did not see B's use)")
			}
			time.Sleep(3500 * time.Millisecond)
			if onB.signedIn() {
				t.Error("3.5 s idle with session_idle_timeout 3s: B still opens")
			}
		})
		t.Run("absolute age holds on every hub", func(t *testing.T) {
			t.Parallel()
			onB := signIn(t, b.base, dir, "ict-isac")
			hubs := []*browser{onB.as(a.base), onB}
			for i := range 3 {
				time.Sleep(2 * time.Second)
				if !hubs[i%2].signedIn() {
					t.Fatalf("a session in use every 2 s ended after %d s", 2*(i+1))
				}
			}
			time.Sleep(2500 * time.Millisecond)
			if hubs[1].signedIn() {
				t.Error("8.5 s after sign-in (2.5 s idle) with session_max_age 8s: B still opens")
			}
		})
	})
}
