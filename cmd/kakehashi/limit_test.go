package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestGuessingIsBounded: 60 wrong Basic passwords from one address meet 429
// with Retry-After after the configured number of failures (10 a minute by
// default), then even the right key waits; every failure is audited.
func TestGuessingIsBounded(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	e, out, errb := testEnv("")
	if code := run(context.Background(), []string{"token", "issue", "--basic", "--org", "carrier-b", "--data", dir}, e); code != exitOK {
		t.Fatalf("token issue --basic: %d %s", code, errb)
	}
	key := strings.TrimSpace(out.String())
	if !strings.Contains(errb.String(), "expires") {
		t.Errorf("the API key's expiry is not shown: %s", errb)
	}
	basic := func(pass string) *http.Response {
		req, _ := http.NewRequest("GET", h.base+"/taxii2/hub/collections/", nil)
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("carrier-b:"+pass)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	statuses := map[int]int{}
	for i := range 60 {
		resp := basic("wrong-" + strconv.Itoa(i))
		statuses[resp.StatusCode]++
		if resp.StatusCode == http.StatusTooManyRequests {
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
				t.Fatalf("429 with Retry-After %q", resp.Header.Get("Retry-After"))
			}
		}
	}
	if statuses[http.StatusUnauthorized] != 10 || statuses[http.StatusTooManyRequests] != 50 {
		t.Errorf("60 wrong passwords: %v, want 10 × 401 then 50 × 429", statuses)
	}
	if resp := basic(key); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right key during the lock-out: %d, want 429", resp.StatusCode)
	}
	h.stop(t)
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, dbFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'auth.failed' AND detail NOT LIKE '%wrong-%'`).Scan(&n); err != nil || n != 10 {
		t.Errorf("%d auth.failed audit entries without the password (%v), want 10", n, err)
	}
}

// TestPerOrganizationLimits: with intake_per_minute 3, the fourth submission
// of an organization in a minute is 429; another organization is not slowed.
func TestPerOrganizationLimits(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("intake_per_minute: 3\nreads_per_minute: 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startHub(t, "--demo", "--data", dir, "--config", cfg)
	defer h.stop(t)
	tok := readTokens(t, dir)
	for i := range 4 {
		status, body := post(t, h.base, tok["carrier-a"], greenIndicators(100*i, 1))
		want := http.StatusCreated
		if i == 3 {
			want = http.StatusTooManyRequests
		}
		if status != want {
			t.Errorf("submission %d: %d %v, want %d", i+1, status, body, want)
		}
	}
	if status, body := post(t, h.base, tok["carrier-b"], greenIndicators(900, 1)); status != http.StatusCreated {
		t.Errorf("carrier-b is slowed by carrier-a: %d %v", status, body)
	}
	codes := []int{}
	for range 6 {
		st, _ := get(t, h.base+"/api/v1/obligations", tok["mic"])
		codes = append(codes, st)
	}
	if codes[4] != 200 || codes[5] != http.StatusTooManyRequests {
		t.Errorf("reads: %v, want 5 × 200 then 429", codes)
	}
}

// TestTokenLifetimes: token issue refuses a lifetime over max_token_ttl.
func TestTokenLifetimes(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	h.stop(t)
	for _, args := range [][]string{
		{"token", "issue", "--org", "carrier-a", "--ttl", "2400h", "--data", dir},
		{"token", "issue", "--basic", "--org", "carrier-a", "--ttl", "2400h", "--data", dir},
	} {
		e, _, errb := testEnv("")
		if code := run(context.Background(), args, e); code != exitUsage || !strings.Contains(errb.String(), "max_token_ttl") {
			t.Errorf("%v: %d %s", args, code, errb)
		}
	}
	e, out, errb := testEnv("")
	if code := run(context.Background(), []string{"token", "issue", "--org", "carrier-a", "--ttl", "2160h", "--data", dir}, e); code != exitOK || out.Len() == 0 {
		t.Errorf("90 days: %d %s", code, errb)
	}
}
