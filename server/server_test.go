package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/crypto/pgp"
	"github.com/kakehashi-hub/kakehashi/crypto/token"
	"github.com/kakehashi-hub/kakehashi/server/console"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
	"github.com/kakehashi-hub/kakehashi/store/sqlite"
)

type fixture struct {
	hubKey *pgp.SecretKey
	keys   *sharing.Keys
	t      *testing.T
	clock  *testClock
	srv    *Server
	db     *sqlite.DB
	signer *token.Signer
	keyJWK []byte
	reg    *sharing.Registry
}

func newFixture(t *testing.T, bodyLimit int) *fixture {
	t.Helper()
	dir := t.TempDir()
	reg, err := sharing.LoadRegistry("testdata/registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	key, err := token.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := token.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Now()}
	anon, err := anonymize.NewAnonymizer(reg.Parties(), anonymize.Options{PseudonymKey: []byte("test-pseudonym-key-0123456789"), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	hubPair, err := pgp.GenerateKeyPair("Kakehashi hub", "hub@kakehashi.invalid")
	if err != nil {
		t.Fatal(err)
	}
	hubKey, err := pgp.ParseSecretKey([]byte(hubPair.Secret))
	if err != nil {
		t.Fatal(err)
	}
	keys := &sharing.Keys{Store: db, Registry: reg, Now: clock.Now}
	in := &sharing.Intake{Store: db, Registry: reg, Now: clock.Now, Router: &sharing.Router{Registry: reg}, Copier: &sharing.Copier{Anonymizer: anon},
		Designs: &sharing.DesignVault{Hub: hubKey, Keys: keys, MACKey: []byte("test-mac-key"), Now: clock.Now}}
	access := &sharing.Access{Registry: reg, Tokens: db, APIKeys: db}
	con, err := console.New(console.Config{Registry: reg, Access: access,
		Users: &sharing.Users{Store: db, Registry: reg, Access: access, Now: clock.Now}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Intake: in, Signer: signer, Ready: db.Ping, BodyLimit: bodyLimit, Console: con,
		Access: access, Submissions: &sharing.Submissions{Store: db, Registry: reg},
		TAXII:       &sharing.TAXII{Store: db, Audit: db},
		Auditor:     &sharing.Auditor{Store: db, Sign: signer.SignPayload, Open: signer.VerifyPayload, Now: clock.Now},
		Obligations: &sharing.Obligations{Store: db, Now: clock.Now, Serialize: in.Locker()},
		Reports:     &sharing.Reports{Store: db, Registry: reg, Now: clock.Now},
		Releases:    &sharing.Releases{Store: db, Registry: reg, Now: clock.Now}, Keys: keys, HubKey: hubKey,
		Exports: &sharing.Exports{Store: db, Keys: keys, HubKey: hubKey}})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{hubKey: hubKey, keys: keys, t: t, clock: clock, srv: srv, db: db, signer: signer, keyJWK: key, reg: reg}
}

func (f *fixture) token(org, role string) string {
	f.t.Helper()
	raw, _, err := f.signer.Issue(org, role, time.Hour)
	if err != nil {
		f.t.Fatal(err)
	}
	return raw
}

// do sends a request through the app and decodes the JSON answer.
func (f *fixture) do(method, path, tok, contentType string, body []byte) (int, http.Header, map[string]any) {
	f.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := f.srv.App().Test(req, -1)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 && strings.Contains(resp.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			f.t.Fatalf("%s %s: body is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return resp.StatusCode, resp.Header, out
}

// listen serves the app on a loopback port until the test ends and returns its base URL.
func (f *fixture) listen() string {
	f.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- f.srv.Serve(ln) }()
	f.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = f.srv.Shutdown(ctx)
		<-done
	})
	return "http://" + ln.Addr().String()
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// customToken signs arbitrary claims with the hub's key.
func (f *fixture) customToken(mutate func(map[string]any)) string {
	f.t.Helper()
	now := time.Now()
	claims := map[string]any{"iss": token.Issuer, "aud": token.Audience, "sub": "carrier-a", "org": "carrier-a", "role": "carrier",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "custom-1"}
	mutate(claims)
	k, err := jwk.ParseKey(f.keyJWK)
	if err != nil {
		f.t.Fatal(err)
	}
	tok := jwt.New()
	for name, v := range claims {
		if err := tok.Set(name, v); err != nil {
			f.t.Fatal(err)
		}
	}
	b, err := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA, k))
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

func checkErrorShape(t *testing.T, status int, body map[string]any) {
	t.Helper()
	for _, k := range []string{"title", "http_status", "details"} {
		if _, ok := body[k]; !ok {
			t.Errorf("error body lacks %q: %v", k, body)
		}
	}
	if hs, _ := body["http_status"].(string); hs != http.StatusText(status) && hs != itoa(status) {
		t.Errorf("http_status = %v, want %d", body["http_status"], status)
	}
	d, _ := body["details"].(map[string]any)
	if _, ok := d["violations"].([]any); !ok {
		t.Errorf("details.violations missing: %v", body)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestAuthentication(t *testing.T) {
	f := newFixture(t, 0)
	bundle := readFixture(t, "outage.json")
	otherKey, _ := token.GenerateKey()
	other, _ := token.NewSigner(otherKey)
	wrongKey, _, _ := other.Issue("carrier-a", "carrier", time.Hour)
	past := &token.Signer{}
	*past = *f.signer
	past.Now = func() time.Time { return time.Now().Add(-3 * time.Hour) }
	expired, _, _ := past.Issue("carrier-a", "carrier", time.Hour)
	revoked, rc, _ := f.signer.Issue("carrier-a", "carrier", time.Hour)
	if err := f.db.RevokeToken(context.Background(), rc.ID, sharing.AuditEvent{Actor: "operator", Action: sharing.AuditTokenRevoke, Subject: rc.ID}); err != nil {
		t.Fatal(err)
	}
	deleted, _, _ := f.signer.Issue("carrier-z", "carrier", time.Hour) // not (any more) in the registry
	unsigned := func(alg string) string {
		enc := func(v any) string { b, _ := json.Marshal(v); return b64(b) }
		return enc(map[string]any{"alg": alg}) + "." + enc(map[string]any{"iss": "kakehashi", "aud": "kakehashi", "org": "carrier-a", "role": "carrier", "sub": "carrier-a", "jti": "n", "exp": time.Now().Add(time.Hour).Unix(), "nbf": time.Now().Unix(), "iat": time.Now().Unix()}) + "."
	}
	tests := []struct {
		name   string
		header string
	}{
		{"missing token", ""},
		{"not a bearer token", "Basic Y2Fycmllci1hOnB3"},
		{"expired", "Bearer " + expired},
		{"not yet valid", "Bearer " + f.customToken(func(c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() })},
		{"wrong issuer", "Bearer " + f.customToken(func(c map[string]any) { c["iss"] = "evil" })},
		{"wrong audience", "Bearer " + f.customToken(func(c map[string]any) { c["aud"] = "elsewhere" })},
		{"wrong key", "Bearer " + wrongKey},
		{"alg none", "Bearer " + unsigned("none")},
		{"HS256 signed with the public key", "Bearer " + hs256WithPublicKey(t, f)},
		{"revoked jti", "Bearer " + revoked},
		{"organization deleted from the registry", "Bearer " + deleted},
		{"role differs from the registry", "Bearer " + f.customToken(func(c map[string]any) { c["role"] = "regulator" })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api/v1/submissions", bytes.NewReader(bundle))
			req.Header.Set("Content-Type", "application/json")
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := f.srv.App().Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", resp.StatusCode)
			}
			if resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			checkErrorShape(t, 401, body)
		})
	}
	t.Run("valid token without the right", func(t *testing.T) {
		status, _, body := f.do("POST", "/api/v1/submissions", f.token("mic", "regulator"), "application/json", bundle)
		if status != http.StatusForbidden {
			t.Fatalf("status %d, want 403: %v", status, body)
		}
		checkErrorShape(t, 403, body)
	})
	if n, _ := f.db.CountRows(context.Background(), "objects"); n != 0 {
		t.Errorf("refused requests stored %d objects", n)
	}
}

func b64(b []byte) string {
	return strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(base64Std(b)), "=")
}

func TestSubmissionLifecycle(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	carrierA := f.token("carrier-a", "carrier")
	carrierB := f.token("carrier-b", "carrier")
	bundle := readFixture(t, "outage.json")

	status, hdr, body := f.do("POST", "/api/v1/submissions", carrierA, "application/stix+json;version=2.1", bundle)
	if status != http.StatusCreated {
		t.Fatalf("submit: status %d: %v", status, body)
	}
	id, _ := body["submission_id"].(string)
	if id == "" || hdr.Get("Location") != "/api/v1/submissions/"+id {
		t.Fatalf("submission_id %q, Location %q", id, hdr.Get("Location"))
	}
	for _, k := range []string{"incidents", "channels", "objects"} {
		if _, ok := body[k].([]any); !ok {
			t.Errorf("response lacks list %q: %v", k, body)
		}
	}

	status, _, got := f.do("GET", "/api/v1/submissions/"+id, carrierA, "", nil)
	if status != http.StatusOK {
		t.Fatalf("get own: %d %v", status, got)
	}
	// The intake answer's copy statuses are intake's own (not read back):
	// they must be what reading the submission gives.
	if chs, _ := body["channels"].([]any); len(chs) == 0 || !reflect.DeepEqual(body["channels"], got["channels"]) {
		t.Errorf("intake answered channels %v, reading back gives %v", body["channels"], got["channels"])
	}
	objs := got["bundle"].(map[string]any)["objects"].([]any)
	if len(objs) != 4 {
		t.Fatalf("read back %d objects, want 4", len(objs))
	}
	inc := objs[1].(map[string]any)
	if inc["id"] != "incident--7a6f5e4d-3c2b-4a19-8f7e-6d5c4b3a2f10" || inc["extensions"] == nil {
		t.Errorf("incident read back wrong: %v", inc)
	}

	if status, _, _ := f.do("GET", "/api/v1/submissions/"+id, carrierB, "", nil); status != http.StatusNotFound {
		t.Errorf("another carrier reading the submission: %d, want 404", status)
	}
	if status, _, _ := f.do("GET", "/api/v1/submissions/"+id, f.token("hub-admin", "admin"), "", nil); status != http.StatusNotFound {
		t.Errorf("admin reading incident content: %d, want 404", status)
	}
	if status, _, _ := f.do("GET", "/api/v1/submissions/does-not-exist", carrierA, "", nil); status != http.StatusNotFound {
		t.Errorf("unknown submission: %d, want 404", status)
	}

	// An identical re-submission is idempotent: same submission, nothing new stored.
	before, _ := f.db.CountRows(ctx, "objects")
	status, _, again := f.do("POST", "/api/v1/submissions", carrierA, "application/json", reformat(t, bundle))
	if status != http.StatusOK || again["submission_id"] != id {
		t.Fatalf("re-submission: %d %v, want 200 with submission %s", status, again["submission_id"], id)
	}
	if !reflect.DeepEqual(again["channels"], body["channels"]) {
		t.Errorf("re-submission answered channels %v, first answer %v", again["channels"], body["channels"])
	}
	if after, _ := f.db.CountRows(ctx, "objects"); after != before {
		t.Errorf("re-submission changed objects from %d to %d", before, after)
	}

	// A follow-up version (later modified) is a new version of the same incident.
	follow := bytes.ReplaceAll(bundle, []byte(`"modified": "2026-07-10T01:10:00.000Z",
      "name": "Voice core outage in Kanto"`), []byte(`"modified": "2026-07-10T03:00:00.000Z",
      "name": "Voice core outage in Kanto (2nd report)"`))
	status, _, fb := f.do("POST", "/api/v1/submissions", carrierA, "application/json", follow)
	if status != http.StatusCreated {
		t.Fatalf("follow-up: %d %v", status, fb)
	}
	if n, _ := f.db.CountRows(ctx, "objects"); n != before+1 {
		t.Errorf("follow-up stored %d objects in all, want %d (one new version)", n, before+1)
	}
}

func reformat(t *testing.T, b []byte) []byte {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	return out
}

func TestSubmissionRefusals(t *testing.T) {
	f := newFixture(t, 256<<10)
	ctx := context.Background()
	tok := f.token("carrier-a", "carrier")
	bundle := readFixture(t, "outage.json")
	deep := []byte(`{"type":"bundle","id":"bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f","objects":[{"type":"x-deep","x_v":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}]}`)
	big := []byte(`{"type":"bundle","id":"bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f","objects":[{"type":"note","x_pad":"` + strings.Repeat("a", 300<<10) + `"}]}`)
	badTime := bytes.Replace(bundle, []byte(`"created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z",
      "name": "Voice`), []byte(`"created": "2026-13-01T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z",
      "name": "Voice`), 1)
	conflict := bytes.Replace(bundle, []byte("Voice core outage in Kanto"), []byte("Changed without a new modified"), 1)
	onBehalf := bytes.ReplaceAll(bundle, []byte(`"created_by_ref": "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11",
      "object_marking_refs": ["marking-definition--55d920b0`), []byte(`"created_by_ref": "identity--2f4c8a3e-7b1d-4e6f-9a2c-5d8e1f3b7a90",
      "object_marking_refs": ["marking-definition--55d920b0`))
	if bytes.Equal(onBehalf, bundle) || bytes.Equal(badTime, bundle) {
		t.Fatal("fixture edit did not apply")
	}

	tests := []struct {
		name        string
		contentType string
		body        []byte
		status      int
		pointer     string
	}{
		{"wrong content type", "text/plain", bundle, 415, ""},
		{"no content type", "", bundle, 415, ""},
		{"not JSON", "application/json", []byte("{not json"), 400, ""},
		{"no objects", "application/json", []byte(`{"type":"bundle","id":"bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f"}`), 400, "/objects"},
		{"nesting deeper than 64", "application/json", deep, 400, ""},
		{"invalid timestamp", "application/json", badTime, 422, "/objects/1/created"},
		{"unknown wrapper option", "application/json", []byte(`{"bundle":` + string(bundle) + `,"shre_with":[]}`), 422, "/shre_with"},
		{"share_with names an unknown organization", "application/json", []byte(`{"bundle":` + string(bundle) + `,"share_with":["nobody"]}`), 422, "/share_with/0"},
		{"incident on behalf of another carrier", "application/json", onBehalf, 422, "/objects/1/created_by_ref"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := f.do("POST", "/api/v1/submissions", tok, tc.contentType, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, body)
			}
			checkErrorShape(t, status, body)
			if tc.pointer != "" && !hasViolation(body, tc.pointer) {
				t.Errorf("no violation at %s: %v", tc.pointer, body["details"])
			}
		})
	}
	// The body limit is enforced from Content-Length before the body is read
	// (body.go), so it is tested over a real loopback connection that
	// announces the size, sends only the first 16 KiB and waits for the answer.
	base := f.listen()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/submissions HTTP/1.1\r\nHost: kakehashi\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", tok, len(big))
	if _, err := conn.Write(big[:16<<10]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read the answer to an over-limit body: %v", err)
	}
	var tooLarge map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&tooLarge)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("over-limit body: %d, want 413: %v", resp.StatusCode, tooLarge)
	}
	checkErrorShape(t, 413, tooLarge)

	for _, table := range []string{"submissions", "objects", "submission_objects"} {
		if n, _ := f.db.CountRows(ctx, table); n != 0 {
			t.Errorf("refused submissions left %d rows in %s", n, table)
		}
	}

	// A changed object with the same version as a stored one is a conflict, and nothing of that bundle is stored.
	if status, _, body := f.do("POST", "/api/v1/submissions", tok, "application/json", bundle); status != 201 {
		t.Fatalf("submit: %d %v", status, body)
	}
	before, _ := f.db.CountRows(ctx, "submissions")
	status, _, body := f.do("POST", "/api/v1/submissions", tok, "application/json", conflict)
	if status != http.StatusConflict || !hasViolation(body, "/objects/1") {
		t.Fatalf("conflicting version: %d %v", status, body)
	}
	if after, _ := f.db.CountRows(ctx, "submissions"); after != before {
		t.Error("a conflicting submission was stored")
	}
}

func hasViolation(body map[string]any, pointer string) bool {
	d, _ := body["details"].(map[string]any)
	vs, _ := d["violations"].([]any)
	for _, v := range vs {
		if m, _ := v.(map[string]any); m["path"] == pointer {
			return true
		}
	}
	return false
}

func TestOpenEndpoints(t *testing.T) {
	f := newFixture(t, 0)
	admin := f.token("hub-admin", "admin")
	for _, p := range []string{"/login", "/healthz", "/readyz", "/.well-known/jwks.json", "/metrics",
		"/api/v1/stix/extension-definition/telecom-incident.json", "/api/v1/stix/telecom-extension.schema.json"} {
		req := httptest.NewRequest("GET", p, nil)
		if p == "/metrics" || strings.HasPrefix(p, "/api/") {
			req.Header.Set("Authorization", "Bearer "+admin)
		}
		resp, err := f.srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, resp.StatusCode, b)
		}
		if p == "/login" && !bytes.Contains(b, []byte(`name="username"`)) {
			t.Errorf("the sign-in page has no username field:\n%.300s", b)
		}
		if p == "/api/v1/stix/extension-definition/telecom-incident.json" {
			eb, err := stix.DecodeBundle(b, stix.Limits{})
			if err != nil || stix.Validate(eb) != nil || !bytes.Contains(b, []byte(stix.TelecomExtensionID)) {
				t.Errorf("the extension definition is not a valid bundle carrying it: %v\n%s", err, b)
			}
		}
		if p == "/metrics" && !bytes.Contains(b, []byte("kakehashi_http_requests_total")) {
			t.Errorf("/metrics lacks the request counter:\n%.500s", b)
		}
		if p == "/.well-known/jwks.json" {
			set, err := jwk.Parse(b)
			if err != nil || set.Len() != 1 {
				t.Errorf("JWKS unreadable: %v", err)
			}
		}
	}
	if status, _, _ := f.do("GET", "/metrics", "", "", nil); status != 401 {
		t.Errorf("/metrics without a token: %d, want 401", status)
	}
	if status, _, _ := f.do("GET", "/metrics", f.token("carrier-a", "carrier"), "", nil); status != 403 {
		t.Errorf("/metrics with a carrier's token: %d, want 403", status)
	}
	status, _, body := f.do("GET", "/nowhere", "", "", nil)
	if status != 404 {
		t.Errorf("unknown path: %d", status)
	}
	checkErrorShape(t, 404, body)
	_ = stix.SpecVersion
}

// TestSubmissionWarnings: what the reference validator would warn about is
// told in the answer, with pointers, and refuses nothing.
func TestSubmissionWarnings(t *testing.T) {
	f := newFixture(t, 0)
	tok := f.token("carrier-a", "carrier")
	ind := `{"type":"indicator","spec_version":"2.1","id":"indicator--0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f","created":"2026-07-10T01:00:00.000Z","modified":"2026-07-10T01:00:00.000Z",` +
		`"indicator_types":["very-bad-stuff"],"pattern":"[ipv4-addr:value = '198.18.0.9']","pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z","object_marking_refs":["` + stix.MarkingGreen + `"]}`
	body := []byte(`{"type":"bundle","id":"bundle--1c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f","objects":[` + ind + `]}`)
	status, _, resp := f.do("POST", "/api/v1/submissions", tok, "application/json", body)
	if status != 201 {
		t.Fatalf("status %d: %v", status, resp)
	}
	ws, _ := resp["warnings"].([]any)
	found := false
	for _, w := range ws {
		if w.(map[string]any)["path"] == "/objects/0/indicator_types/0" {
			found = true
		}
	}
	if !found {
		t.Errorf("warnings %v lack /objects/0/indicator_types/0", ws)
	}
	// The same bundle again: 200, and the same warnings.
	status, _, resp = f.do("POST", "/api/v1/submissions", tok, "application/json", body)
	if status != 200 || len(resp["warnings"].([]any)) != len(ws) {
		t.Errorf("re-submission: %d %v", status, resp["warnings"])
	}
}
