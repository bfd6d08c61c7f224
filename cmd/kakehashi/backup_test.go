package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// restoreFiles are the files of a data directory besides the database that a
// restored hub needs (hub.go): without them it would make new keys, and old
// tokens, pseudonyms and design fingerprints would no longer match.
var restoreFiles = []string{"registry.yaml", jwtKeyFile, hubPGPSecret, hubPGPPublic, pseudonymKeyFile}

// uniqueOutage is testdata/outage.json with fresh ids for the bundle, the
// incident, the indicator and the relationship, so that every submission is a
// new incident of carrier-a.
func uniqueOutage(template []byte) []byte {
	out := template
	for _, old := range []string{
		"bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f", "incident--7a6f5e4d-3c2b-4a19-8f7e-6d5c4b3a2f10",
		"indicator--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b", "relationship--2f3e4d5c-6b7a-4898-a0b1-c2d3e4f5a6b7",
	} {
		typ, _, _ := strings.Cut(old, "--")
		out = bytes.ReplaceAll(out, []byte(old), []byte(typ+"--"+uuid.NewString()))
	}
	return out
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// postSubmission submits a bundle and returns the acknowledged submission id. Unlike
// request it does not stop the test, so load goroutines may call it.
func postSubmission(base, tok string, bundle []byte) (string, error) {
	req, err := http.NewRequest("POST", base+"/api/v1/submissions", bytes.NewReader(bundle))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var body struct {
		SubmissionID string `json:"submission_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusCreated || body.SubmissionID == "" {
		return "", fmt.Errorf("answer %d, submission id %q, %v", resp.StatusCode, body.SubmissionID, err)
	}
	return body.SubmissionID, nil
}

// TestBackupWhileServing takes a backup through the command while carriers
// submit continuously, restores it into a new data directory as the
// operator guide says, and checks that the restored hub verifies, is a sound
// database and serves every submission acknowledged before the backup began.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	tokens := readTokens(t, dir)
	template, err := os.ReadFile("testdata/outage.json")
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var acked []string // in the order acknowledged
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				id, err := postSubmission(h.base, tokens["carrier-a"], uniqueOutage(template))
				if err != nil {
					t.Errorf("submission under load: %v", err)
					return
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		}()
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	deadline := time.Now().Add(60 * time.Second)
	for count() < 10 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}

	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	out := filepath.Join(t.TempDir(), "kakehashi.backup")
	e, stdout, stderr := testEnv("")
	began := time.Now()
	code := run(context.Background(), []string{"backup", "--data", dir, "--out", out}, e)
	took := time.Since(began)
	during := count() - len(before)
	// Let the load go on after the backup too, so the backup sits in the middle of it.
	for n := count(); count() < n+3 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	total := count()
	if code != exitOK {
		t.Fatalf("backup: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if len(before) < 10 || total < len(before)+3 {
		t.Fatalf("load too light to test anything: %d acknowledged before the backup, %d in all", len(before), total)
	}
	if !strings.Contains(stdout.String(), "written to "+out) || !strings.Contains(stdout.String(), "pages") {
		t.Errorf("backup printed %q", stdout)
	}
	t.Logf("%s; %d submissions acknowledged before, %d during the backup (%s), %d in all", strings.TrimSpace(stdout.String()), len(before), during, took.Round(time.Millisecond), total)
	h.stop(t)

	// Restore: a new data directory with the registry and keys of the old one
	// and the backup as its database.
	restored := t.TempDir()
	for _, f := range restoreFiles {
		copyFile(t, filepath.Join(dir, f), filepath.Join(restored, f))
	}
	copyFile(t, out, filepath.Join(restored, dbFile))

	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(restored, dbFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var integrity string
	var n int
	if err := raw.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity_check of the backup: %q, %v", integrity, err)
	}
	if err := raw.QueryRow("SELECT count(*) FROM submissions").Scan(&n); err != nil || n < len(before) || n > total {
		t.Errorf("the backup holds %d submissions (%v); %d were acknowledged before it began and %d in all", n, err, len(before), total)
	}
	raw.Close()

	e, stdout, _ = testEnv("")
	if code := run(context.Background(), []string{"audit", "verify", "--data", restored}, e); code != exitOK {
		t.Fatalf("audit verify on the restored data directory: exit %d: %s", code, stdout)
	}
	r := startHub(t, "--data", restored)
	defer r.stop(t)
	for _, id := range before {
		if status, body := request(t, "GET", r.base+"/api/v1/submissions/"+id, tokens["carrier-a"], nil); status != http.StatusOK {
			t.Errorf("submission %s, acknowledged before the backup, in the restored hub: %d %v", id, status, body)
		}
	}
}

// TestBackupCommandRefusals covers the usage and I/O errors of `kakehashi
// backup` (exit 2) and --force.
func TestBackupCommandRefusals(t *testing.T) {
	dir := t.TempDir()
	if _, err := ensureDemoWorld(dir); err != nil {
		t.Fatal(err)
	}
	outDir := t.TempDir()
	existing := filepath.Join(outDir, "existing.backup")
	if err := os.WriteFile(existing, []byte("last week's backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no --out", []string{"backup", "--data", dir}, "usage: kakehashi backup"},
		{"an argument", []string{"backup", "--data", dir, "--out", filepath.Join(outDir, "a"), "extra"}, "usage: kakehashi backup"},
		{"unknown flag", []string{"backup", "--data", dir, "--out", filepath.Join(outDir, "a"), "--fast"}, "not defined: -fast"},
		{"existing file", []string{"backup", "--data", dir, "--out", existing}, "already exists"},
		{"the live database", []string{"backup", "--data", dir, "--out", filepath.Join(dir, dbFile), "--force"}, "live database"},
		{"missing directory", []string{"backup", "--data", dir, "--out", filepath.Join(outDir, "absent", "x.backup")}, "temporary file"},
		{"no registry", []string{"backup", "--data", t.TempDir(), "--out", filepath.Join(outDir, "b")}, "no registry"},
		{"bad config file", []string{"backup", "--config", filepath.Join(outDir, "absent.yaml"), "--out", filepath.Join(outDir, "c")}, "config file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, stdout, stderr := testEnv("")
			if code := run(context.Background(), tc.args, e); code != exitUsage || !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("exit %d, stderr %q; want 2 and %q (stdout %q)", code, stderr, tc.stderr, stdout)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "last week's backup" {
		t.Errorf("a refused backup changed the existing file: %q", b)
	}
	if ents, _ := os.ReadDir(outDir); len(ents) != 1 {
		t.Errorf("refused backups left files behind: %v", ents)
	}

	// --force replaces the file; --config finds the data directory.
	cfg := filepath.Join(outDir, "kakehashi.yaml")
	if err := os.WriteFile(cfg, []byte("data: "+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e, stdout, stderr := testEnv("")
	if code := run(context.Background(), []string{"backup", "--config", cfg, "--out", existing, "--force"}, e); code != exitOK {
		t.Fatalf("backup --force: exit %d: %s", code, stderr)
	}
	raw, err := sql.Open("sqlite3", "file:"+existing+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n == 0 {
		t.Errorf("the forced backup is not the hub's database: %d migrations, %v (printed %q)", n, err, stdout)
	}
}
