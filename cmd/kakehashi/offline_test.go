package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// demoRegistryFile writes the demo world's registry (without keys) for the
// offline commands.
func demoRegistryFile(t *testing.T) string {
	t.Helper()
	y, err := sharing.MarshalRegistry(demoOrganizations())
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "registry.yaml")
	if err := os.WriteFile(p, y, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAnonymizeCommand(t *testing.T) {
	reg := demoRegistryFile(t)
	const key = "0123456789abcdef-test"
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"ceptoar", []string{"anonymize", "--registry", reg, "--pseudonym-key", key, "testdata/mixed.json"}, exitOK},
		{"public", []string{"anonymize", "--registry", reg, "--profile", "public", "--pseudonym-key", key, "testdata/mixed.json"}, exitOK},
		{"random key", []string{"anonymize", "--registry", reg, "testdata/mixed.json"}, exitOK},
		{"withheld: a registry alias in a verbatim property", []string{"anonymize", "--registry", reg, "--pseudonym-key", key, "testdata/leak-lang.json"}, exitWithheld},
		{"missing file", []string{"anonymize", "--registry", reg, "--pseudonym-key", key, "testdata/nope.json"}, exitUsage},
		{"no registry", []string{"anonymize", "testdata/mixed.json"}, exitUsage},
		{"bad profile", []string{"anonymize", "--registry", reg, "--profile", "secret", "testdata/mixed.json"}, exitUsage},
		{"short key", []string{"anonymize", "--registry", reg, "--pseudonym-key", "short", "testdata/mixed.json"}, exitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, out, errb := testEnv("")
			code := run(context.Background(), tc.args, e)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", code, tc.code, errb)
			}
			switch code {
			case exitWithheld:
				if out.Len() != 0 {
					t.Errorf("a withheld copy printed %d bytes on stdout", out.Len())
				}
				if !strings.Contains(errb.String(), "/objects/6/lang") {
					t.Errorf("stderr lacks the pointer: %s", errb)
				}
			case exitOK:
				b, err := stix.DecodeBundle(out.Bytes(), stix.Limits{})
				if err != nil {
					t.Fatalf("output is not a bundle: %v", err)
				}
				if err := stix.Validate(b); err != nil {
					t.Errorf("output is not valid STIX: %v", err)
				}
				for _, secret := range []string{"Sakura", "sakura-telecom", "山田", "1234-5678", "203.0.113.7", "identity--6d0bd1b6"} {
					if strings.Contains(out.String(), secret) {
						t.Errorf("output leaks %q", secret)
					}
				}
				if !strings.Contains(out.String(), "198.18.0.13") {
					t.Error("the CLEAR attacker indicator did not survive")
				}
			}
		})
	}
	e, out, _ := testEnv("")
	if code := run(context.Background(), []string{"anonymize", "--registry", reg, "-"}, e); code != exitInvalid || !strings.Contains(out.String(), "violations") {
		t.Errorf("empty stdin: exit %d, want 1 with the error JSON", code)
	}
	bad, _ := os.ReadFile("testdata/mixed.json")
	e, out, _ = testEnv(strings.Replace(string(bad), `"pattern_type": "stix"`, `"pattern_type": 7`, 1))
	if code := run(context.Background(), []string{"anonymize", "--registry", reg, "-"}, e); code != exitInvalid || !strings.Contains(out.String(), "pattern_type") {
		t.Errorf("invalid bundle: exit %d, %s", code, out)
	}
}

func TestRouteCommandMatchesServerPlan(t *testing.T) {
	reg := demoRegistryFile(t)
	e, out, errb := testEnv("")
	if code := run(context.Background(), []string{"route", "--registry", reg, "--share-with", "carrier-b", "testdata/mixed.json"}, e); code != exitOK {
		t.Fatalf("route: exit %d: %s", code, errb)
	}
	var plan sharing.Plan
	if err := json.Unmarshal(out.Bytes(), &plan); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range plan.Channels {
		got[string(r.Channel)]++
		if len(r.Objects) == 0 {
			t.Errorf("%s listed with no objects", r.Channel)
		}
	}
	want := map[string]int{"accident-reports": 1, "nisc": 1, "isac-members": 2, "isac-internal": 1, "cross-sector": 1, "public": 1}
	for ch, n := range want {
		if got[ch] != n {
			t.Errorf("%s appears %d times, want %d (plan %s)", ch, got[ch], n, out)
		}
	}
	if got["disaster-reports"] != 0 {
		t.Error("disaster-reports listed without a disaster")
	}

	// The server stores the same plan with the submission.
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	bundle, _ := os.ReadFile("testdata/mixed.json")
	status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], []byte(`{"bundle":`+string(bundle)+`,"share_with":["carrier-b"]}`))
	if status != 201 {
		t.Fatalf("submit: %d", status)
	}
	var served []sharing.Route
	raw, _ := json.Marshal(resp["channels"])
	_ = json.Unmarshal(raw, &served)
	if len(served) != len(plan.Channels) {
		t.Fatalf("server plan has %d routes, CLI %d", len(served), len(plan.Channels))
	}
	// The submitter sees whole audiences by role and count, never by name
	// (SHARING.md §1); named recipients as named.
	servedReg, err := sharing.LoadRegistry(filepath.Join(dir, "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var copies []sharing.StoredCopy
	for _, r := range plan.Channels {
		copies = append(copies, sharing.StoredCopy{Route: r})
	}
	view := sharing.ForSubmitter(servedReg, copies)
	for i := range served {
		if !served[i].Named && len(served[i].Recipients) != 0 {
			t.Errorf("route %d names its whole audience to the submitter: %v", i, served[i].Recipients)
		}
		a, _ := json.Marshal(served[i])
		b, _ := json.Marshal(view[i].Route)
		if string(a) != string(b) {
			t.Errorf("route %d differs:\nserver %s\ncli    %s", i, a, b)
		}
	}

	for _, args := range [][]string{
		{"route", "testdata/mixed.json"},
		{"route", "--registry", reg, "--share-with", "nobody", "testdata/mixed.json"},
		{"route", "--registry", reg},
	} {
		e, _, _ := testEnv("")
		if code := run(context.Background(), args, e); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestWithheldCopyIsQueuedNotReleased: a copy the leak check withholds is
// never released, even on the submitter's release call, and the operators
// see it in the review queue with the pointer, without its content.
func TestWithheldCopyIsQueuedNotReleased(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	bundle, _ := os.ReadFile("testdata/leak-lang.json")
	status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], []byte(`{"bundle":`+string(bundle)+`,"hold_for_review":true}`))
	if status != 201 {
		t.Fatalf("submit: %d %v", status, resp)
	}
	id := resp["submission_id"].(string)
	withheld := 0
	for _, c := range resp["channels"].([]any) {
		cm := c.(map[string]any)
		if cm["status"] == "withheld" {
			withheld++
			if !strings.Contains(fmt.Sprint(cm["reasons"]), "/lang") {
				t.Errorf("%v withheld without the pointer: %v", cm["channel"], cm["reasons"])
			}
		}
	}
	if withheld == 0 {
		t.Fatal("no copy withheld although the CLEAR indicator carries a registry alias in lang")
	}
	// Every community copy carries the indicator, so all are withheld and
	// nothing is left to release: the release call refuses (409).
	if status, _ := request(t, "POST", h.base+"/api/v1/submissions/"+id+"/release", tokens["carrier-a"], nil); status != 409 {
		t.Fatalf("release with only withheld copies: %d, want 409", status)
	}
	_, ids, raw := export(t, h.base, "", "public")
	if len(ids) != 0 || strings.Contains(string(raw), "skt") {
		t.Errorf("a withheld copy reached the public channel: %s", raw)
	}
	status, queue := request(t, "GET", h.base+"/api/v1/reviews/withheld", tokens["hub-admin"], nil)
	if status != 200 || len(queue["withheld"].([]any)) != withheld {
		t.Fatalf("review queue: %d %v", status, queue)
	}
	if strings.Contains(fmt.Sprint(queue), "Flood source") {
		t.Error("the review queue shows content")
	}
	if status, _ := request(t, "GET", h.base+"/api/v1/reviews/withheld", tokens["carrier-a"], nil); status != 403 {
		t.Errorf("a carrier reading the review queue: %d, want 403", status)
	}
}
