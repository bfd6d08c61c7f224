package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// copyDir copies a data directory (flat files and one level of directories).
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

func verifyAudit(t *testing.T, dir string, extra ...string) (int, string) {
	t.Helper()
	e, out, errb := testEnv("")
	code := run(context.Background(), append([]string{"audit", "verify", "--data", dir}, extra...), e)
	return code, out.String() + errb.String()
}

// auditIntact asserts that `audit verify` finds a legitimate hub's log
// intact: no false alarm from revocations, holds, named copies or designs.
func auditIntact(t *testing.T, dir string) {
	t.Helper()
	if code, out := verifyAudit(t, dir); code != exitOK {
		t.Errorf("audit verify of an untampered hub: %d %s", code, out)
	}
}

func tamper(t *testing.T, dir string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// rewriteChain rebuilds the whole audit log with one entry changed and every
// hash recomputed, as someone with write access to the database could.
func rewriteChain(t *testing.T, dir string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT at, actor, action, subject, detail FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var evs []sharing.AuditEvent
	var ats []time.Time
	for rows.Next() {
		var at, detail string
		var ev sharing.AuditEvent
		if err := rows.Scan(&at, &ev.Actor, &ev.Action, &ev.Subject, &detail); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal([]byte(detail), &ev.Detail)
		tm, _ := time.Parse("2006-01-02T15:04:05.000000Z", at)
		evs, ats = append(evs, ev), append(ats, tm)
	}
	rows.Close()
	evs[1].Actor = "someone-else" // the change the rewrite hides
	for _, s := range []string{`DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log`} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	var prev *sharing.AuditEntry
	for i, ev := range evs {
		e, err := sharing.NewAuditEntry(prev, ev, ats[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO audit_log(seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, e.At.Format("2006-01-02T15:04:05.000000Z"), e.Actor, e.Action, e.Subject, e.Detail, e.PrevHash, e.Hash); err != nil {
			t.Fatal(err)
		}
		prev = &e
	}
}

// TestAuditCheckpointsDetectTampering: the hub signs the head of its audit log
// (here at shutdown); afterwards every kind of tampering is found by `audit
// verify` (exit 4), and the intact log verifies (exit 0).
func TestAuditCheckpointsDetectTampering(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	tok := readTokens(t, dir)
	red := map[string]any{"type": "indicator", "spec_version": "2.1", "id": "indicator--aa000000-0000-4000-8000-0000000000a1",
		"created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z", "name": "RED for carrier-b",
		"pattern": "[ipv4-addr:value = '198.18.77.7']", "pattern_type": "stix", "valid_from": "2026-07-10T01:10:00Z",
		"indicator_types": []any{"malicious-activity"}, "object_marking_refs": []any{stix.MarkingRed}}
	green := map[string]any{"type": "indicator", "spec_version": "2.1", "id": "indicator--aa000000-0000-4000-8000-0000000000a2",
		"created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z", "name": "GREEN for everyone",
		"pattern": "[ipv4-addr:value = '198.18.77.8']", "pattern_type": "stix", "valid_from": "2026-07-10T01:10:00Z",
		"indicator_types": []any{"malicious-activity"}, "object_marking_refs": []any{stix.MarkingGreen}}
	// One bundle: a whole-audience and a named route in the same channel.
	wrapper, _ := json.Marshal(map[string]any{"bundle": json.RawMessage(bundleOf(red, green)), "share_with": []string{"carrier-b"}})
	if st, body := post(t, h.base, tok["carrier-a"], wrapper); st != http.StatusCreated {
		t.Fatalf("RED submission: %d %v", st, body)
	}
	if st, body := post(t, h.base, tok["carrier-b"], greenIndicators(0, 3)); st != http.StatusCreated {
		t.Fatalf("GREEN submission: %d %v", st, body)
	}
	// A copy held for review, never released; and a GREEN indicator whose
	// next version is RED, which revokes the community copies.
	held, _ := json.Marshal(map[string]any{"bundle": json.RawMessage(greenIndicators(10, 1)), "hold_for_review": true})
	if st, body := post(t, h.base, tok["carrier-c"], held); st != http.StatusCreated {
		t.Fatalf("held submission: %d %v", st, body)
	}
	later := map[string]any{}
	for k, v := range green {
		later[k] = v
	}
	later["modified"], later["object_marking_refs"] = "2026-07-11T01:10:00.000Z", []any{stix.MarkingRed}
	if st, body := post(t, h.base, tok["carrier-a"], bundleOf(later)); st != http.StatusCreated {
		t.Fatalf("re-marked RED: %d %v", st, body)
	}
	// Before the first checkpoint there is none to read.
	if st, _ := get(t, h.base+"/api/v1/audit/checkpoint", tok["carrier-a"]); st != http.StatusNotFound {
		t.Errorf("a carrier reading the checkpoint: %d, want 404", st)
	}
	h.stop(t) // signs the last checkpoint

	if code, out := verifyAudit(t, dir); code != exitOK || !strings.Contains(out, "signed checkpoints") || strings.Contains(out, " 0 channel entries match") {
		t.Fatalf("intact log: %d %s", code, out)
	}
	// The regulator and the operators read the latest checkpoint to keep it.
	h = startHub(t, "--demo", "--data", dir)
	st, raw := get(t, h.base+"/api/v1/audit/checkpoint", tok["mic"])
	var kept sharing.AuditCheckpoint
	if err := json.Unmarshal(raw, &kept); st != 200 || err != nil || kept.Signature == "" || kept.HeadSeq == 0 {
		t.Fatalf("MIC reads the checkpoint: %d %s", st, raw)
	}
	if st, _ := get(t, h.base+"/api/v1/audit/checkpoint", tok["hub-admin"]); st != 200 {
		t.Errorf("the operators read the checkpoint: %d", st)
	}
	if st, _ := get(t, h.base+"/api/v1/audit/checkpoint", tok["carrier-b"]); st != http.StatusNotFound {
		t.Errorf("a carrier reads the checkpoint: %d, want 404", st)
	}
	h.stop(t)
	keptFile := filepath.Join(t.TempDir(), "kept.json")
	keptJSON, _ := json.Marshal(kept)
	if err := os.WriteFile(keptFile, keptJSON, 0o600); err != nil {
		t.Fatal(err)
	}

	for name, tc := range map[string]struct {
		change func(t *testing.T, d string)
		extra  []string
		want   string
	}{
		"the last entries deleted": {func(t *testing.T, d string) {
			tamper(t, d, `DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 3 FROM audit_log)`)
		}, nil, "entries were removed"},
		"every entry deleted": {func(t *testing.T, d string) {
			tamper(t, d, `DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log`)
		}, nil, "entries were removed"},
		"a full rewrite with recomputed hashes": {rewriteChain, nil, "rewritten"},
		"entries and stored checkpoints deleted; the file beside the database remains": {func(t *testing.T, d string) {
			tamper(t, d, `DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log`, `DROP TRIGGER audit_checkpoints_no_delete`, `DELETE FROM audit_checkpoints`)
		}, nil, "kept checkpoint"},
		"everything deleted, file too; the regulator kept a checkpoint": {func(t *testing.T, d string) {
			tamper(t, d, `DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log`, `DROP TRIGGER audit_checkpoints_no_delete`, `DELETE FROM audit_checkpoints`)
			os.Remove(filepath.Join(d, auditCheckpointFile))
		}, []string{"--checkpoint", keptFile}, "kept checkpoint"},
		"a named RED entry given to another carrier": {func(t *testing.T, d string) {
			tamper(t, d, `UPDATE channel_entries SET recipients = '["carrier-c"]' WHERE recipients = '["carrier-b"]'`)
		}, nil, "carrier-c"},
		"a named RED entry opened to the whole audience": {func(t *testing.T, d string) {
			tamper(t, d, `UPDATE channel_entries SET recipients = NULL WHERE recipients = '["carrier-b"]'`)
		}, nil, "the whole audience"},
		"a named RED entry opened to the whole audience beside a whole-audience route of its submission": {func(t *testing.T, d string) {
			tamper(t, d, `UPDATE channel_entries SET recipients = NULL WHERE recipients = '["carrier-b"]' AND object_id = 'indicator--aa000000-0000-4000-8000-0000000000a1'`)
		}, nil, "no audited release gave"},
		"the JSON served to readers changed": {func(t *testing.T, d string) {
			tamper(t, d, `INSERT INTO copy_objects(json) SELECT replace(json, '198.18.77.8', '198.18.77.9') FROM copy_objects WHERE json LIKE '%198.18.77.8%' ORDER BY id LIMIT 1`,
				`UPDATE channel_entries SET json_id = (SELECT max(id) FROM copy_objects) WHERE json_id IN (SELECT id FROM copy_objects WHERE json LIKE '%198.18.77.8%')`)
		}, nil, "no audited release gave"},
		"the JSON of an object its copies and entries share changed": {func(t *testing.T, d string) {
			tamper(t, d, `UPDATE copy_objects SET json = replace(json, '198.18.77.8', '198.18.77.9') WHERE json LIKE '%198.18.77.8%'`)
		}, nil, "content changed"},
		"a held copy released behind its submitter's back": {func(t *testing.T, d string) {
			tamper(t, d, `UPDATE channel_entries SET status = 'released' WHERE status = 'held'`)
		}, nil, "never released"},
		"a revoked entry served again": {func(t *testing.T, d string) {
			tamper(t, d, `UPDATE channel_entries SET status = 'released' WHERE status = 'revoked'`)
		}, nil, "withdrew it"},
		"an entry moved to a submission without releases": {func(t *testing.T, d string) {
			tamper(t, d, `PRAGMA foreign_keys = OFF`, `UPDATE channel_entries SET submission_id = 'nowhere' WHERE seq = (SELECT max(seq) FROM channel_entries)`)
		}, nil, "no audited release"},
		"a released copy's content changed": {func(t *testing.T, d string) {
			tamper(t, d, `UPDATE submission_copies SET objects = json_remove(objects, '$[0]') WHERE objects IS NOT NULL AND status = 'released'`)
		}, nil, "content changed"},
		"a released copy given another object": {func(t *testing.T, d string) {
			tamper(t, d, `INSERT INTO copy_objects(json) SELECT replace(json, '198.18.77.7', '198.18.77.8') FROM copy_objects WHERE json LIKE '%198.18.77.7%' ORDER BY id LIMIT 1`,
				`UPDATE submission_copies SET objects = json_insert(objects, '$[#]', (SELECT max(id) FROM copy_objects)) WHERE objects IS NOT NULL AND status = 'released'`)
		}, nil, "content changed"},
	} {
		t.Run(name, func(t *testing.T) {
			d := copyDir(t, dir)
			tc.change(t, d)
			code, out := verifyAudit(t, d, tc.extra...)
			if code != exitBroken || !strings.Contains(out, tc.want) {
				t.Errorf("verify: %d %q, want exit %d naming %q", code, out, exitBroken, tc.want)
			}
		})
	}
}
