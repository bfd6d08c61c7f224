package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// operatorPages are the pages only the hub's operators open.
var operatorPages = []string{"/review", "/organizations", "/tokens", "/audit"}

// contentStrings are every string value of a bundle's objects except ids,
// types, times and markings: what a page without content must not show.
func contentStrings(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(k string, v any)
	walk = func(k string, v any) {
		switch v := v.(type) {
		case string:
			switch k {
			case "id", "type", "spec_version", "created", "modified", "valid_from", "created_by_ref", "pattern_type", "lang":
				return
			}
			if len(v) >= 6 && !strings.Contains(v, "--") {
				out = append(out, v)
			}
		case map[string]any:
			for kk, vv := range v {
				walk(kk, vv)
			}
		case []any:
			for _, vv := range v {
				walk(k, vv)
			}
		}
	}
	for _, o := range b.Objects {
		if o["type"] == "identity" {
			continue // the submitter's own identity: the page names the organization anyway
		}
		walk("", o)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no content strings found", path)
	}
	return out
}

// basicRequest calls the API with HTTP Basic credentials.
func basicRequest(t *testing.T, url, user, secret string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+secret)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

var (
	secretArea = regexp.MustCompile(`<textarea id="secret"[^>]*>([^<]+)</textarea>`)
	issuedID   = regexp.MustCompile(`id="issued" data-id="([^"]+)"`)
)

func TestConsoleOperators(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)

	// A withheld copy (a registry alias in lang) and held copies, as the API tests plant them.
	leak, _ := os.ReadFile("testdata/leak-lang.json")
	status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], []byte(`{"bundle":`+string(leak)+`,"hold_for_review":true}`))
	if status != 201 {
		t.Fatalf("submit leak: %d %v", status, resp)
	}
	leakID := resp["submission_id"].(string)
	withheld := 0
	for _, c := range resp["channels"].([]any) {
		if c.(map[string]any)["status"] == "withheld" {
			withheld++
		}
	}
	mixed, _ := os.ReadFile("testdata/outage.json")
	status, resp = request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], []byte(`{"bundle":`+string(mixed)+`,"hold_for_review":true}`))
	if status != 201 {
		t.Fatalf("submit outage: %d %v", status, resp)
	}
	heldID := resp["submission_id"].(string)
	held := 0
	for _, c := range resp["channels"].([]any) {
		if c.(map[string]any)["status"] == "held" {
			held++
		}
	}
	if withheld == 0 || held == 0 {
		t.Fatalf("fixtures: %d withheld, %d held copies", withheld, held)
	}

	op := signIn(t, h.base, dir, "hub-admin")
	for _, p := range append(operatorPages, "/users", "/account") {
		if status, _, body := op.get(p); status != 200 {
			t.Errorf("operator GET %s: %d\n%.600s", p, status, body)
		}
	}

	t.Run("review queue: reasons and pointers, never content", func(t *testing.T) {
		_, _, body := op.get("/review?lang=en")
		if n := strings.Count(body, `data-status="withheld"`); n != withheld {
			t.Errorf("%d withheld rows, want %d", n, withheld)
		}
		if n := strings.Count(body, `data-submission="`+heldID+`"`); n != held {
			t.Errorf("%d held rows of %s, want %d", n, heldID, held)
		}
		if !strings.Contains(body, `data-submission="`+leakID+`"`) || !strings.Contains(body, "/lang") {
			t.Errorf("the withheld copy lacks its submission or pointer:\n%s", body)
		}
		plain := html.UnescapeString(body)
		for _, s := range append(contentStrings(t, "testdata/leak-lang.json"), contentStrings(t, "testdata/outage.json")...) {
			if strings.Contains(plain, s) {
				t.Errorf("the review queue shows content %q", s)
			}
		}
		if strings.Contains(strings.ToLower(plain), "skt") || strings.Contains(plain, "Flood source") {
			t.Error("the review queue shows the withheld copy's content")
		}
		// Nothing on the page releases: a held copy is its submitter's to release.
		if strings.Contains(body, "/release") {
			t.Error("the review queue offers a release")
		}
	})

	t.Run("organizations: names and roles only", func(t *testing.T) {
		_, _, body := op.get("/organizations")
		reg, err := sharing.LoadRegistry(filepath.Join(dir, "registry.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		plain := html.UnescapeString(body)
		for _, o := range reg.Organizations() {
			if !strings.Contains(plain, o.Name) || !strings.Contains(body, `data-role="`+string(o.Role)+`"`) {
				t.Errorf("%s (%s) missing", o.Name, o.Role)
			}
			for _, c := range o.Contacts {
				if c.Email != "" && strings.Contains(plain, c.Email) {
					t.Errorf("contact %s shown", c.Email)
				}
			}
			for _, n := range o.Networks {
				if strings.Contains(plain, n.String()) {
					t.Errorf("network %s shown", n)
				}
			}
			for _, d := range o.Domains {
				if strings.Contains(plain, d) {
					t.Errorf("domain %s shown", d)
				}
			}
			if o.PGPPublicKey != "" && strings.Contains(plain, "PGP PUBLIC KEY") {
				t.Error("a key shown")
			}
		}
	})

	t.Run("tokens issued in the console work, once shown; revoked stop", func(t *testing.T) {
		op.get("/tokens")
		status, hdr, body := op.post("/tokens", url.Values{"organization": {"carrier-c"}, "kind": {"token"}, "ttl": {"24h0m0s"}})
		m, id := secretArea.FindStringSubmatch(body), issuedID.FindStringSubmatch(body)
		if status != 200 || m == nil || id == nil || hdr.Get("Cache-Control") != "no-store" {
			t.Fatalf("issue token: %d %q\n%.2000s", status, hdr.Get("Cache-Control"), body)
		}
		tok, jti := html.UnescapeString(m[1]), id[1]
		if status, _ := request(t, "GET", h.base+"/api/v1/obligations", tok, nil); status != 200 {
			t.Fatalf("the issued token: %d", status)
		}
		_, _, list := op.get("/tokens")
		if strings.Contains(list, tok) || !strings.Contains(list, `data-id="`+jti+`"`) {
			t.Error("the token list shows the secret again, or lacks the token")
		}
		status, hdr, _ = op.post("/tokens/"+jti+"/revoke", nil)
		if status != http.StatusSeeOther || hdr.Get("Location") != "/tokens?done=revoked" {
			t.Fatalf("revoke: %d %s", status, hdr.Get("Location"))
		}
		if status, _ := request(t, "GET", h.base+"/api/v1/obligations", tok, nil); status != http.StatusUnauthorized {
			t.Errorf("revoked token: %d, want 401", status)
		}
		_, _, list = op.get("/tokens")
		if !regexp.MustCompile(`data-id="` + jti + `"[^>]*data-status="revoked"`).MatchString(list) {
			t.Error("the revoked token is not listed as revoked")
		}

		// An API key for HTTP Basic.
		status, _, body = op.post("/tokens", url.Values{"organization": {"carrier-b"}, "kind": {"api-key"}, "ttl": {""}})
		m, id = secretArea.FindStringSubmatch(body), issuedID.FindStringSubmatch(body)
		if status != 200 || m == nil || id == nil || !strings.HasPrefix(id[1], "apikey-") {
			t.Fatalf("issue key: %d\n%.2000s", status, body)
		}
		key := html.UnescapeString(m[1])
		if status := basicRequest(t, h.base+"/api/v1/obligations", "carrier-b", key); status != 200 {
			t.Fatalf("the issued key: %d", status)
		}
		op.get("/tokens")
		if status, _, _ := op.post("/tokens/"+id[1]+"/revoke", nil); status != http.StatusSeeOther {
			t.Fatalf("revoke key: %d", status)
		}
		if status := basicRequest(t, h.base+"/api/v1/obligations", "carrier-b", key); status != http.StatusUnauthorized {
			t.Errorf("revoked key: %d, want 401", status)
		}

		// Bad input is shown next to its field; an unknown id is 404.
		for name, form := range map[string]url.Values{
			"too long":     {"organization": {"carrier-a"}, "kind": {"token"}, "ttl": {"100000h"}},
			"not a ttl":    {"organization": {"carrier-a"}, "kind": {"token"}, "ttl": {"soon"}},
			"unknown org":  {"organization": {"nobody"}, "kind": {"token"}},
			"unknown kind": {"organization": {"carrier-a"}, "kind": {"password"}},
		} {
			op.get("/tokens")
			status, _, body := op.post("/tokens", form)
			if status != http.StatusBadRequest || !strings.Contains(body, `class="field-error"`) || secretArea.MatchString(body) {
				t.Errorf("%s: %d, want 400 with a field error and no secret", name, status)
			}
		}
		op.get("/tokens")
		if status, _, _ := op.post("/tokens/"+jti+"x/revoke", nil); status != http.StatusNotFound {
			t.Errorf("revoke an unknown id: %d, want 404", status)
		}
		if status, _, _ := op.post("/tokens/"+jti+"/revoke", nil); status != http.StatusConflict {
			t.Errorf("revoke twice: %d, want 409", status)
		}
	})

	t.Run("users: operators everyone, approvers their own organization", func(t *testing.T) {
		_, _, body := op.get("/users")
		for org, p := range demoPeople(t, dir) {
			if !strings.Contains(body, `data-username="`+p.Username+`"`) {
				t.Errorf("operator's list lacks %s of %s", p.Username, org)
			}
		}
		status, _, body := op.post("/users", url.Values{"organization": {"carrier-a"}, "username": {"Bad Name!"}, "role": {"approver"}, "password": {"long enough password"}})
		if status != http.StatusBadRequest || !strings.Contains(body, `id="username-error"`) {
			t.Errorf("bad username: %d\n%.300s", status, body)
		}
		status, _, body = op.post("/users", url.Values{"organization": {"carrier-a"}, "username": {"approver-a"}, "role": {"approver"}, "password": {"short"}})
		if status != http.StatusBadRequest || !strings.Contains(body, `id="password-error"`) {
			t.Errorf("short password: %d", status)
		}
		status, hdr, _ := op.post("/users", url.Values{"organization": {"carrier-a"}, "username": {"approver-a"}, "role": {"approver"}, "password": {"approver password 1"}})
		if status != http.StatusSeeOther || hdr.Get("Location") != "/users?done=user-added" {
			t.Fatalf("add approver: %d %s", status, hdr.Get("Location"))
		}
		op.get("/users")
		status, _, _ = op.post("/users", url.Values{"organization": {"carrier-a"}, "username": {"approver-a"}, "role": {"viewer"}, "password": {"approver password 1"}})
		if status != http.StatusConflict {
			t.Errorf("taken username: %d, want 409", status)
		}

		ap := newBrowser(t, h.base)
		ap.get("/login")
		if status, _, _ := ap.post("/login", url.Values{"username": {"approver-a"}, "password": {"approver password 1"}}); status != http.StatusSeeOther {
			t.Fatalf("approver sign-in: %d", status)
		}
		status, _, body = ap.get("/users")
		if status != 200 || !strings.Contains(body, `data-username="demo-carrier-a"`) || !strings.Contains(body, `data-username="approver-a"`) {
			t.Fatalf("approver's users: %d\n%.600s", status, body)
		}
		if strings.Contains(body, "demo-carrier-b") || strings.Contains(body, "demo-hub-admin") || strings.Contains(body, `value="carrier-b"`) {
			t.Error("an approver sees another organization's people or may add to it")
		}
		if status, _, _ := ap.post("/users", url.Values{"organization": {"carrier-b"}, "username": {"planted-b"}, "role": {"reporter"}, "password": {"planted password 1"}}); status != http.StatusForbidden {
			t.Errorf("approver adds to carrier-b: %d, want 403", status)
		}
		ap.get("/users")
		if status, _, _ := ap.post("/users", url.Values{"organization": {"carrier-a"}, "username": {"op-by-approver"}, "role": {"operator"}, "password": {"planted password 1"}}); status < 400 {
			t.Errorf("approver adds an operator: %d", status)
		}
		for _, path := range []string{"/users/demo-carrier-b/disable", "/users/demo-carrier-b/password", "/users/nobody-at-all/disable"} {
			ap.get("/users")
			if status, _, body := ap.post(path, url.Values{"password": {"another password 1"}}); status != http.StatusNotFound {
				t.Errorf("approver POST %s: %d, want 404 (as for an unknown user)\n%.300s", path, status, body)
			}
		}
		for _, p := range operatorPages {
			if status, _, _ := ap.get(p); status != http.StatusForbidden {
				t.Errorf("approver GET %s: %d, want 403", p, status)
			}
		}
		// The approver manages its own organization's people.
		ap.get("/users")
		status, hdr, _ = ap.post("/users", url.Values{"organization": {"carrier-a"}, "username": {"carrier-a.viewer"}, "role": {"viewer"}, "password": {"viewer password 11"}})
		if status != http.StatusSeeOther {
			t.Fatalf("approver adds a viewer: %d", status)
		}
		ap.get("/users")
		if status, _, _ := ap.post("/users/carrier-a.viewer/password", url.Values{"password": {"viewer password 22"}}); status != http.StatusSeeOther {
			t.Errorf("approver sets a password: %d", status)
		}
		ap.get("/users")
		if status, _, _ := ap.post("/users/carrier-a.viewer/disable", nil); status != http.StatusSeeOther {
			t.Errorf("approver disables: %d", status)
		}
		_, _, body = ap.get("/users")
		if !regexp.MustCompile(`data-username="carrier-a\.viewer"[^>]*data-disabled="true"`).MatchString(body) {
			t.Error("the disabled user is not shown disabled")
		}
		// The audit log names the person who acted.
		_, _, audit := op.get("/audit")
		for _, want := range []string{`data-action="user.disabled" data-actor="carrier-a/approver-a"`, `data-action="user.added" data-actor="hub-admin/demo-hub-admin"`} {
			if !strings.Contains(audit, want) {
				t.Errorf("audit log lacks %s", want)
			}
		}
	})

	t.Run("every other demo role is refused", func(t *testing.T) {
		for org := range demoPeople(t, dir) {
			if org == "hub-admin" {
				continue
			}
			b := signIn(t, h.base, dir, org)
			for _, p := range append(operatorPages, "/users") {
				status, _, body := b.get(p)
				if status != http.StatusForbidden {
					t.Errorf("%s GET %s: %d, want 403", org, p, status)
				}
				if strings.Contains(body, leakID) || strings.Contains(body, heldID) || strings.Contains(body, "apikey-") {
					t.Errorf("%s GET %s shows operators' data", org, p)
				}
			}
			b.get("/account")
			for _, p := range []string{"/tokens", "/audit/verify", "/users", "/tokens/" + leakID + "/revoke", "/users/demo-carrier-a/disable"} {
				status, _, body := b.post(p, url.Values{"organization": {org}, "kind": {"token"}, "username": {"planted-" + org}, "role": {"viewer"}, "password": {"planted password 1"}})
				if status != http.StatusForbidden && status != http.StatusNotFound {
					t.Errorf("%s POST %s: %d, want 403 or 404", org, p, status)
				}
				if secretArea.MatchString(body) {
					t.Errorf("%s POST %s got a secret", org, p)
				}
			}
			if status, _, _ := b.get("/account"); status != 200 {
				t.Errorf("%s GET /account: %d", org, status)
			}
		}
		// Nothing they tried was written: no token issued by them, no user planted.
		_, _, body := op.get("/users")
		if strings.Contains(body, "planted-") {
			t.Error("a non-operator added a user")
		}
		_, _, audit := op.get("/audit")
		if regexp.MustCompile(`data-action="(token.issued|user.added|user.disabled)" data-actor="[a-z-]+/demo-(carrier|ict|nisc|mic|cabinet|finance)`).MatchString(audit) {
			t.Error("a non-operator's act is in the audit log")
		}
	})

	t.Run("own password", func(t *testing.T) {
		b := signIn(t, h.base, dir, "mic")
		p := demoPeople(t, dir)["mic"]
		b.get("/account")
		if status, _, body := b.post("/account", url.Values{"current_password": {"wrong one"}, "new_password": {"new mic password 1"}, "new_password_again": {"new mic password 1"}}); status != http.StatusBadRequest || !strings.Contains(body, `id="current_password-error"`) {
			t.Errorf("wrong current password: %d", status)
		}
		if status, _, body := b.post("/account", url.Values{"current_password": {p.Password}, "new_password": {"new mic password 1"}, "new_password_again": {"new mic password 2"}}); status != http.StatusBadRequest || !strings.Contains(body, `id="new_password_again-error"`) {
			t.Errorf("mismatch: %d", status)
		}
		if status, _, body := b.post("/account", url.Values{"current_password": {p.Password}, "new_password": {"short"}, "new_password_again": {"short"}}); status != http.StatusBadRequest || !strings.Contains(body, `id="new_password-error"`) {
			t.Errorf("weak: %d", status)
		}
		status, hdr, _ := b.post("/account", url.Values{"current_password": {p.Password}, "new_password": {"new mic password 1"}, "new_password_again": {"new mic password 1"}})
		if status != http.StatusSeeOther || hdr.Get("Location") != "/login" {
			t.Fatalf("change: %d %s", status, hdr.Get("Location"))
		}
		if status, _, _ := b.get("/account"); status != http.StatusSeeOther {
			t.Errorf("the session survived the change: %d", status)
		}
		n := newBrowser(t, h.base)
		n.get("/login")
		if status, _, _ := n.post("/login", url.Values{"username": {p.Username}, "password": {"new mic password 1"}}); status != http.StatusSeeOther {
			t.Errorf("sign in with the new password: %d", status)
		}
		_, _, audit := op.get("/audit")
		if !strings.Contains(audit, `data-action="user.password" data-actor="mic/`+p.Username+`"`) {
			t.Error("the audit log does not name who changed the password")
		}
	})

	t.Run("audit log: pages newest first, verify intact", func(t *testing.T) {
		_, _, body := op.get("/audit")
		seqs := regexp.MustCompile(`<tr data-seq="(\d+)"`).FindAllStringSubmatch(body, -1)
		if len(seqs) != 50 {
			t.Fatalf("first page: %d entries, want 50", len(seqs))
		}
		prev := int64(1 << 62)
		for _, s := range seqs {
			var n int64
			fmt.Sscan(s[1], &n)
			if n >= prev {
				t.Fatalf("not newest first: %d after %d", n, prev)
			}
			prev = n
		}
		next := regexp.MustCompile(`href="(/audit\?before=\d+)" rel="next"`).FindStringSubmatch(body)
		if next == nil {
			t.Fatal("no link to older entries")
		}
		_, _, older := op.get(html.UnescapeString(next[1]))
		first := regexp.MustCompile(`<tr data-seq="(\d+)"`).FindStringSubmatch(older)
		if first == nil || first[1] != fmt.Sprint(prev-1) {
			t.Errorf("older page starts at %v, want %d", first, prev-1)
		}
		if !strings.Contains(body, "JST") && !strings.Contains(body, "日本時間") {
			t.Error("times are not said to be Japan time")
		}
		if status, _, _ := op.get("/audit?before=x"); status != http.StatusBadRequest {
			t.Errorf("before=x: %d", status)
		}
		op.get("/audit?lang=en")
		status, _, body := op.post("/audit/verify", nil)
		if status != 200 || !strings.Contains(body, `data-result="intact"`) || !strings.Contains(body, "The audit log is intact") {
			t.Fatalf("verify: %d\n%.1500s", status, body)
		}
		for _, want := range []string{`data-action="token.issued" data-actor="hub-admin/demo-hub-admin"`, `data-action="token.revoked" data-actor="hub-admin/demo-hub-admin"`} {
			if !strings.Contains(body, want) {
				t.Errorf("audit log lacks %s", want)
			}
		}
	})
}
