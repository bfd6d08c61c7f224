package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// skeleton is this test's own reduction of a text to its letters and digits
// (NFKC, folded, hiragana as katakana), to look for a secret however it
// was written.
func skeleton(s string) string {
	var sb strings.Builder
	for _, r := range cases.Fold().String(norm.NFKC.String(s)) {
		switch {
		case r >= 'ぁ' && r <= 'ゖ':
			sb.WriteRune(r + 0x60)
		case r != 'ー' && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// formsBundle is a carrier-a report with a TLP:CLEAR indicator whose
// description holds text.
func formsBundle(n int, text string) []byte {
	desc, _ := json.Marshal(text)
	return []byte(`{"type":"bundle","id":"bundle--5a1c9e54-3b2d-4f86-a0e7-5c9d2b8f4e1` + fmt.Sprint(n) + `","objects":[
 {"type":"indicator","spec_version":"2.1","id":"indicator--5a1c9e54-3b2d-4f86-a0e7-5c9d2b8f4e2` + fmt.Sprint(n) + `","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
  "name":"Flood source","description":` + string(desc) + `,"indicator_types":["malicious-activity"],"pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z",
  "pattern":"[ipv4-addr:value = '45.142.212.100']","created_by_ref":"identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11",
  "object_marking_refs":["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]}]}`)
}

// TestIssueFormsEndToEnd submits, as Sakura Telecom, the forms a hostile
// reader found in community copies (issue #11) and reads every community
// channel back: none carries them, the attacker indicator survives. A form
// the scrubber does not step over withholds the copies, and the review queue
// names the kind of term and the pointer, never the text.
func TestIssueFormsEndToEnd(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)

	forms := "Sakura-Telecom, Sakura_Telecom, Sakura.Telecom, さくら・テレコム, SakuraTelecomCore, SakuraTelecomVPN, SKT01, 山田さん, " +
		"サクラテレコム, ｻｸﾗﾃﾚｺﾑ, yamada[at]sakura-telecom.example, sakura-telecom(dot)example, sakura-telecom。example, " +
		"host 203-0-113-7 and 3405803783, office 1-1-1 Marunouchi, Chiyoda-ku, Tokyo 100-0005, SakuraTelecomNOC, Mr. Yamada. C2 45[.]142[.]212[.]100."
	status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], formsBundle(1, forms))
	if status != 201 {
		t.Fatalf("submit: %d %v", status, resp)
	}
	for _, c := range resp["channels"].([]any) {
		if cm := c.(map[string]any); cm["status"] != "released" {
			t.Errorf("%v: %v %v", cm["channel"], cm["status"], cm["reasons"])
		}
	}
	secrets := []string{"Sakura Telecom", "さくらテレコム", "SKT01", "山田", "yamada", "sakura-telecom", "203-0-113-7", "3405803783", "Marunouchi", "Chiyoda-ku", "100-0005"}
	for _, ch := range []struct{ channel, org string }{{"public", ""}, {"isac-members", "carrier-b"}, {"cross-sector", "finance-isac"}} {
		status, _, raw := export(t, h.base, tokens[ch.org], ch.channel)
		if status != 200 || !strings.Contains(string(raw), "Flood source") {
			t.Errorf("%s: %d, the indicator is not released: %s", ch.channel, status, raw)
			continue
		}
		sk := skeleton(string(raw))
		for _, s := range secrets {
			if strings.Contains(sk, skeleton(s)) {
				t.Errorf("%s carries %q", ch.channel, s)
			}
		}
		if !strings.Contains(string(raw), "45[.]142[.]212[.]100") {
			t.Errorf("%s lost the attacker indicator", ch.channel)
		}
	}

	status, resp = request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], formsBundle(2, "Outage reported by Sakura,Telecom operations."))
	if status != 201 {
		t.Fatalf("submit: %d %v", status, resp)
	}
	withheld := 0
	for _, c := range resp["channels"].([]any) {
		cm := c.(map[string]any)
		if cm["channel"] == "accident-reports" || cm["channel"] == "disaster-reports" {
			continue
		}
		if cm["status"] != "withheld" {
			t.Errorf("%v: %v, want withheld", cm["channel"], cm["status"])
			continue
		}
		withheld++
	}
	if withheld == 0 {
		t.Fatal("no community copy withheld")
	}
	status, queue := request(t, "GET", h.base+"/api/v1/reviews/withheld", tokens["hub-admin"], nil)
	if status != 200 {
		t.Fatalf("review queue: %d", status)
	}
	q := fmt.Sprint(queue)
	if !strings.Contains(q, "/objects/") || !strings.Contains(q, "/description") || !strings.Contains(q, "carrier") {
		t.Errorf("review queue lacks the pointer and kind: %s", q)
	}
	if strings.Contains(strings.ToLower(q), "sakura") {
		t.Errorf("review queue shows content: %s", q)
	}
}
