package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/store/sqlite"
)

// testEnv returns an env writing to buffers.
func testEnv(stdin string) (env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, &out, &errb
}

// syncBuffer is a bytes.Buffer safe to read while the server writes its log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// hubProcess is a running `kakehashi serve` started through run().
type hubProcess struct {
	base   string
	cancel context.CancelFunc
	done   chan int
	stderr *syncBuffer
}

func startHub(t testing.TB, args ...string) *hubProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e, _, _ := testEnv("")
	errb := &syncBuffer{}
	e.stderr = errb
	ready := make(chan string, 1)
	e.ready = func(addr string) { ready <- addr }
	h := &hubProcess{cancel: cancel, done: make(chan int, 1), stderr: errb}
	go func() { h.done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), e) }()
	select {
	case addr := <-ready:
		h.base = "http://" + addr
	case code := <-h.done:
		t.Fatalf("serve exited with %d before listening:\n%s", code, errb)
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start listening within 60s")
	}
	return h
}

func (h *hubProcess) stop(t testing.TB) {
	t.Helper()
	h.cancel()
	if code := <-h.done; code != exitOK {
		t.Fatalf("serve exited with %d on shutdown:\n%s", code, h.stderr)
	}
}

func request(t *testing.T, method, url, tok string, body []byte) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func readTokens(t testing.TB, dir string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, demoTokensFile))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// tableDigest summarizes the content of the tables a submission writes.
func tableDigest(t *testing.T, dbPath string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		"SELECT count(*) || ':' || coalesce(group_concat(id || '@' || version || '=' || digest, ','), '') FROM (SELECT * FROM objects ORDER BY id, version)",
		"SELECT count(*) || ':' || coalesce(group_concat(id, ','), '') FROM (SELECT id FROM submissions ORDER BY id)",
		"SELECT count(*) FROM submission_objects",
	} {
		var s string
		if err := db.QueryRow(q).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		b.WriteString(s + "\n")
	}
	return b.String()
}

func TestEndToEndDemoHub(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	tokens := readTokens(t, dir)
	for _, org := range []string{"carrier-a", "carrier-b", "carrier-c", "ict-isac", "nisc", "mic", "cabinet-office", "finance-isac", "hub-admin"} {
		if tokens[org] == "" {
			t.Errorf("demo-tokens.json has no token for %s", org)
		}
		if _, err := os.Stat(filepath.Join(dir, demoKeysDir, org+".asc")); err != nil {
			t.Errorf("no demo OpenPGP key for %s: %v", org, err)
		}
	}
	bundle, err := os.ReadFile("testdata/outage.json")
	if err != nil {
		t.Fatal(err)
	}

	status, body := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], bundle)
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, body)
	}
	id := body["submission_id"].(string)
	status, got := request(t, "GET", h.base+"/api/v1/submissions/"+id, tokens["carrier-a"], nil)
	if status != http.StatusOK {
		t.Fatalf("read back: %d %v", status, got)
	}
	var sent map[string]any
	_ = json.Unmarshal(bundle, &sent)
	gotObjs := got["bundle"].(map[string]any)["objects"].([]any)
	sentObjs := sent["objects"].([]any)
	if len(gotObjs) != len(sentObjs) {
		t.Fatalf("read back %d objects, sent %d", len(gotObjs), len(sentObjs))
	}
	for i := range sentObjs {
		a, _ := json.Marshal(sentObjs[i])
		b, _ := json.Marshal(gotObjs[i])
		if !bytes.Equal(a, b) {
			t.Errorf("object %d differs after the round trip:\nsent %s\n got %s", i, a, b)
		}
	}
	if status, _ := request(t, "GET", h.base+"/api/v1/submissions/"+id, tokens["carrier-b"], nil); status != http.StatusNotFound {
		t.Errorf("carrier-b reads carrier-a's submission: %d, want 404", status)
	}

	// A broken bundle leaves the database exactly as it was.
	dbPath := filepath.Join(dir, dbFile)
	before := tableDigest(t, dbPath)
	broken := bytes.Replace(bundle, []byte(`"pattern": "[ipv4-addr:value = '198.18.7.7']"`), []byte(`"pattern": "[ipv4-addr:value = ]"`), 1)
	broken = bytes.Replace(broken, []byte(`"name": "Voice core outage in Kanto"`), []byte(`"name": "A new name that would be a conflict"`), 1)
	status, body = request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], broken)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("broken bundle: %d %v, want 422", status, body)
	}
	if after := tableDigest(t, dbPath); after != before {
		t.Errorf("a refused bundle changed the database:\nbefore %s\nafter  %s", before, after)
	}
	h.stop(t)

	// Restart: the demo world is reused, not re-created.
	reg1, _ := os.ReadFile(filepath.Join(dir, "registry.yaml"))
	key1, _ := os.ReadFile(filepath.Join(dir, jwtKeyFile))
	h = startHub(t, "--demo", "--data", dir)
	reg2, _ := os.ReadFile(filepath.Join(dir, "registry.yaml"))
	key2, _ := os.ReadFile(filepath.Join(dir, jwtKeyFile))
	if !bytes.Equal(reg1, reg2) || !bytes.Equal(key1, key2) {
		t.Error("restart re-created the registry or the signing key")
	}
	if again := readTokens(t, dir); again["carrier-a"] != tokens["carrier-a"] {
		t.Error("restart re-issued still-valid demo tokens")
	}
	if status, _ := request(t, "GET", h.base+"/api/v1/submissions/"+id, tokens["carrier-a"], nil); status != http.StatusOK {
		t.Errorf("after restart the submission is gone: %d", status)
	}

	// token issue / revoke against the same data directory, while serving.
	e, out, errb := testEnv("")
	if code := run(context.Background(), []string{"token", "issue", "--org", "carrier-b", "--ttl", "1h", "--data", dir}, e); code != exitOK {
		t.Fatalf("token issue: exit %d: %s", code, errb)
	}
	tok := strings.TrimSpace(out.String())
	if status, _ := request(t, "GET", h.base+"/api/v1/submissions/"+id, tok, nil); status != http.StatusNotFound {
		t.Errorf("fresh carrier-b token: %d, want 404 (valid token, not its submission)", status)
	}
	jti := strings.Fields(errb.String())[2]
	e, _, errb = testEnv("")
	if code := run(context.Background(), []string{"token", "revoke", "--data", dir, jti}, e); code != exitOK {
		t.Fatalf("token revoke: exit %d: %s", code, errb)
	}
	if status, _ := request(t, "GET", h.base+"/api/v1/submissions/"+id, tok, nil); status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", status)
	}
	if code := run(context.Background(), []string{"token", "issue", "--org", "nobody", "--data", dir}, e); code != exitUsage {
		t.Errorf("token for an unknown organization: exit %d, want 2", code)
	}
	h.stop(t)

	// The audit log recorded intake, refusal and tokens, and verifies; tampering is found.
	e, out, _ = testEnv("")
	if code := run(context.Background(), []string{"audit", "verify", "--data", dir}, e); code != exitOK {
		t.Fatalf("audit verify: exit %d: %s", code, out)
	}
	db, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := db.CountRows(context.Background(), "audit_log")
	db.Close()
	if n < 9+1+1+1+1 { // demo tokens, intake, refusal, token issue, token revoke
		t.Errorf("audit log has %d entries, expected at least 13", n)
	}
	raw, _ := sql.Open("sqlite3", "file:"+dbPath)
	if _, err := raw.Exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 10"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	e, out, _ = testEnv("")
	if code := run(context.Background(), []string{"audit", "verify", "--data", dir}, e); code != exitBroken || !strings.Contains(out.String(), "entry 10") {
		t.Errorf("audit verify after tampering: exit %d, %q; want 4 naming entry 10", code, out)
	}
}

func TestValidateCommand(t *testing.T) {
	good, _ := os.ReadFile("testdata/outage.json")
	bad := bytes.Replace(good, []byte(`"created": "2026-07-10T01:10:00.000Z"`), []byte(`"created": "2026-13-01"`), 1)
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		out   string
	}{
		{"valid file", []string{"validate", "testdata/outage.json"}, "", exitOK, `"valid": true`},
		{"valid stdin", []string{"validate", "-"}, string(good), exitOK, `"objects": 4`},
		{"invalid", []string{"validate", "-"}, string(bad), exitInvalid, `"path": "/objects/1/created"`},
		{"not JSON", []string{"validate", "-"}, "{", exitInvalid, `"violations"`},
		{"missing file", []string{"validate", "testdata/nope.json"}, "", exitUsage, ""},
		{"no argument", []string{"validate"}, "", exitUsage, ""},
		{"unknown flag", []string{"validate", "--bogus", "x"}, "", exitUsage, ""},
		{"unknown command", []string{"frobnicate"}, "", exitUsage, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, out, errb := testEnv(tc.stdin)
			if code := run(context.Background(), tc.args, e); code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tc.code, out, errb)
			}
			if !strings.Contains(out.String(), tc.out) {
				t.Errorf("stdout lacks %q:\n%s", tc.out, out)
			}
		})
	}
}

func TestValidateStrictMode(t *testing.T) {
	dir := schemasDir(t)
	e, out, errb := testEnv("")
	if code := run(context.Background(), []string{"validate", "--stix-schemas", dir, "testdata/outage.json"}, e); code != exitOK {
		t.Fatalf("strict validate: exit %d\n%s\n%s", code, out, errb)
	}
	e, _, _ = testEnv("")
	if code := run(context.Background(), []string{"validate", "--stix-schemas", t.TempDir(), "testdata/outage.json"}, e); code != exitUsage {
		t.Errorf("strict mode with an empty schema dir: exit %d, want 2", code)
	}
}

func schemasDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KAKEHASHI_STIX_SCHEMAS")
	if dir == "" {
		dir = "../../../shared/stix2-json-schemas"
	}
	if _, err := os.Stat(filepath.Join(dir, "schemas")); err != nil {
		t.Skipf("OASIS schemas not found at %s: set KAKEHASHI_STIX_SCHEMAS to a checkout of oasis-open/cti-stix2-json-schemas", dir)
	}
	return dir
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"bad addr", func(c *Config) { c.Addr = "8080" }, "HOST:PORT"},
		{"half TLS", func(c *Config) { c.TLSCert = "c.pem" }, "both"},
		{"tiny body limit", func(c *Config) { c.BodyLimit = 10 }, "body_limit"},
		{"bad log level", func(c *Config) { c.LogLevel = "loud" }, "log_level"},
		{"no data dir", func(c *Config) { c.DataDir = "" }, "data"},
		{"earliest incident time in the future", func(c *Config) { c.EarliestIncidentTime = time.Now().Add(time.Hour) }, "earliest_incident_time"},
		{"no future skew", func(c *Config) { c.IncidentFutureSkew = 0 }, "incident_future_skew"},
		{"a month of future skew", func(c *Config) { c.IncidentFutureSkew = 30 * 24 * time.Hour }, "incident_future_skew"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.edit(&c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want mention of %q", err, tc.want)
			}
		})
	}
	if def := DefaultConfig(); def.Validate() != nil {
		t.Errorf("defaults invalid: %v", def.Validate())
	}
}

func TestSubmitCommand(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	env := func() (env, *bytes.Buffer, *bytes.Buffer) {
		e, out, errb := testEnv("")
		e.getenv = func(k string) string {
			if k == "KAKEHASHI_TOKEN" {
				return tokens["carrier-a"]
			}
			return ""
		}
		return e, out, errb
	}
	e, out, errb := env()
	if code := run(context.Background(), []string{"submit", "--hub", h.base, "--share-with", "carrier-b", "testdata/mixed.json"}, e); code != exitOK {
		t.Fatalf("submit: exit %d\n%s\n%s", code, out, errb)
	}
	var resp map[string]any
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil || resp["submission_id"] == nil {
		t.Fatalf("submit printed %s", out)
	}
	if !strings.Contains(out.String(), `"carrier-b"`) {
		t.Error("share_with did not reach the hub")
	}
	e, out, _ = env()
	if code := run(context.Background(), []string{"submit", "--hub", h.base, "testdata/leak-lang.json", "--token", tokens["mic"]}, e); code != exitUsage {
		t.Errorf("submit with a regulator's token: exit %d, want 2 (403)", code)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(bad, []byte(`{"type":"bundle","id":"bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f","objects":[{"type":"indicator"}]}`), 0o600)
	e, out, _ = env()
	if code := run(context.Background(), []string{"submit", "--hub", h.base, bad}, e); code != exitInvalid || !strings.Contains(out.String(), "violations") {
		t.Errorf("submit of an invalid bundle: exit %d, %s", code, out)
	}
	e, _, _ = testEnv("")
	if code := run(context.Background(), []string{"submit", "--hub", h.base, "testdata/mixed.json"}, e); code != exitUsage {
		t.Errorf("submit without a token: exit %d, want 2", code)
	}
}

// TestStopRightAfterStart: a hub stopped the moment it is ready shuts down
// cleanly (the serving goroutine may not have reached its listener yet).
func TestStopRightAfterStart(t *testing.T) {
	dir := t.TempDir()
	for range 5 {
		h := startHub(t, "--demo", "--data", dir)
		done := make(chan struct{})
		go func() { h.stop(t); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("the hub did not stop within 30 s of starting")
		}
	}
}
