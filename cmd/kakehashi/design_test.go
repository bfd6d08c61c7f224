package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/kakehashi-hub/kakehashi/crypto/pgp"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gpgHome is a throwaway gpg home with some keys imported.
type gpgHome struct {
	t    *testing.T
	dir  string
	path string
}

func newGPG(t *testing.T, keyFiles ...string) *gpgHome {
	t.Helper()
	path, err := exec.LookPath("gpg")
	if err != nil {
		t.Skip("gpg not installed (apt-get install gnupg); .ci/run installs it")
	}
	g := &gpgHome{t: t, dir: t.TempDir(), path: path}
	for _, f := range keyFiles {
		if out, err := g.run(nil, "--import", f); err != nil {
			t.Fatalf("gpg --import %s: %v\n%s", f, err, out)
		}
	}
	return g
}

func (g *gpgHome) run(stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command(g.path, append([]string{"--homedir", g.dir, "--batch", "--yes", "--pinentry-mode", "loopback", "--trust-model", "always"}, args...)...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return append(out.Bytes(), errb.Bytes()...), err
	}
	return out.Bytes(), nil
}

// decrypt runs gpg --decrypt and returns the plaintext and gpg's status text.
func (g *gpgHome) decrypt(msg []byte) ([]byte, string, error) {
	cmd := exec.Command(g.path, "--homedir", g.dir, "--batch", "--yes", "--pinentry-mode", "loopback", "--trust-model", "always", "--decrypt")
	cmd.Stdin = bytes.NewReader(msg)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.Bytes(), errb.String(), err
}

func designBundle(incidentID, artifactID, modified string, payload []byte) []byte {
	return designBundleMIME(incidentID, artifactID, modified, "application/pdf", payload)
}

func designBundleMIME(incidentID, artifactID, modified, mime string, payload []byte) []byte {
	return []byte(fmt.Sprintf(`{"type":"bundle","id":"bundle--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d","objects":[
	{"type":"incident","spec_version":"2.1","id":"%s","created":"2026-07-10T01:10:00.000Z","modified":"%s",
	 "name":"Core router misconfiguration","created_by_ref":"identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11",
	 "object_marking_refs":["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"],
	 "extensions":{"extension-definition--5f2b0473-bd73-4291-aaed-c406b2665a04":{"extension_type":"property-extension",
	   "report_kind":"service-outage","occurred_at":"2026-07-10T00:00:00Z","recovered_at":"2026-07-10T03:00:00Z","failed_equipment":"core",
	   "services":[{"service_class":"other","impact":"stop","affected_users":40000}],"sensitive_design_refs":["%s"]}}},
	{"type":"artifact","spec_version":"2.1","id":"%s","mime_type":"%s","payload_bin":"%s",
	 "object_marking_refs":["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]}]}`,
		incidentID, modified, artifactID, artifactID, mime, base64.StdEncoding.EncodeToString(payload)))
}

// artifactPayload finds an artifact in a bundle and returns its decoded payload and mime type.
func artifactPayload(t *testing.T, raw []byte, id string) ([]byte, string) {
	t.Helper()
	var b struct {
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("not a bundle: %v", err)
	}
	for _, o := range b.Objects {
		if o["id"] == id {
			p, err := base64.StdEncoding.DecodeString(o["payload_bin"].(string))
			if err != nil {
				t.Fatal(err)
			}
			mt, _ := o["mime_type"].(string)
			return p, mt
		}
	}
	return nil, ""
}

func get(t *testing.T, url, tok string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestSensitiveDesignsWithRealGPG(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	keys := filepath.Join(dir, demoKeysDir)
	micGPG := newGPG(t, filepath.Join(keys, "mic.asc"))
	carrierAGPG := newGPG(t, filepath.Join(keys, "carrier-a.asc"))
	carrierBGPG := newGPG(t, filepath.Join(keys, "carrier-b.asc"))

	marker := []byte("KAKEHASHI-PLAINTEXT-DESIGN-MARKER-7f3a")
	plain := make([]byte, 512<<10)
	if _, err := rand.Read(plain); err != nil {
		t.Fatal(err)
	}
	copy(plain[1000:], marker)
	const inc1, art1 = "incident--aa11bb22-cc33-4d44-8e55-ff6677889900", "artifact--bb22cc33-dd44-4e55-9f66-0011223344aa"
	status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], designBundle(inc1, art1, "2026-07-10T01:10:00.000Z", plain))
	if status != http.StatusCreated {
		t.Fatalf("submit design: %d %v", status, resp)
	}
	firstID := resp["submission_id"]

	// The regulator decrypts the design from its channel with standard gpg, to the exact bytes.
	_, ids, raw := export(t, h.base, tokens["mic"], "accident-reports")
	_ = ids
	enc, mt := artifactPayload(t, raw, art1)
	if mt != "application/pgp-encrypted" || enc == nil {
		t.Fatalf("stored design: mime %q, payload %d bytes", mt, len(enc))
	}
	if bytes.Contains(enc, marker) {
		t.Fatal("the design reached the channel in plaintext")
	}
	got, status2, err := micGPG.decrypt(enc)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("gpg --decrypt with mic's key: %v (%d bytes, want %d)\n%s", err, len(got), len(plain), status2)
	}
	if got, _, err := carrierAGPG.decrypt(enc); err != nil || !bytes.Equal(got, plain) {
		t.Errorf("the submitter cannot decrypt its own design: %v", err)
	}
	if _, _, err := carrierBGPG.decrypt(enc); err == nil {
		t.Error("carrier-b, not entitled, decrypted the design")
	}
	// Community channels never carry designs.
	for _, c := range []struct{ org, ch string }{{"carrier-b", "isac-members"}, {"ict-isac", "isac-internal"}} {
		if _, _, raw := export(t, h.base, tokens[c.org], c.ch); bytes.Contains(raw, []byte(art1)) || bytes.Contains(raw, []byte("pgp-encrypted")) {
			t.Errorf("%s carries the design", c.ch)
		}
	}

	// The hub's public key, and a design gpg encrypted to it: decrypted and re-encrypted.
	status, hubAsc := get(t, h.base+"/api/v1/keys/hub.asc", tokens["carrier-a"])
	if status != 200 || !bytes.Contains(hubAsc, []byte("BEGIN PGP PUBLIC KEY BLOCK")) {
		t.Fatalf("hub.asc: %d", status)
	}
	hubFile := filepath.Join(t.TempDir(), "hub.asc")
	_ = os.WriteFile(hubFile, hubAsc, 0o600)
	sender := newGPG(t, hubFile, filepath.Join(keys, "carrier-b.asc"))
	plain2 := []byte("design sent pre-encrypted to the hub\n")
	toHub, err := sender.run(plain2, "--encrypt", "--recipient", "hub@kakehashi.invalid", "--output", "-")
	if err != nil {
		t.Fatalf("gpg --encrypt to the hub: %v\n%s", err, toHub)
	}
	const inc2, art2 = "incident--cc33dd44-ee55-4f66-8a77-112233445566", "artifact--dd44ee55-ff66-4a77-8b88-223344556677"
	if status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], designBundleMIME(inc2, art2, "2026-07-10T01:10:00.000Z", "application/pgp-encrypted", toHub)); status != 201 {
		t.Fatalf("submit pre-encrypted design: %d %v", status, resp)
	}
	_, _, raw = export(t, h.base, tokens["mic"], "accident-reports")
	enc2, _ := artifactPayload(t, raw, art2)
	if got, _, err := micGPG.decrypt(enc2); err != nil || !bytes.Equal(got, plain2) {
		t.Errorf("a design encrypted to the hub was not re-encrypted to the regulator: %v %q", err, got)
	}

	// A design encrypted to other keys only passes through as is.
	toOther, err := sender.run([]byte("for carrier-b only\n"), "--encrypt", "--recipient", "carrier-b@demo.kakehashi.invalid", "--output", "-")
	if err != nil {
		t.Fatalf("gpg --encrypt to carrier-b: %v\n%s", err, toOther)
	}
	const inc3, art3 = "incident--ee55ff66-aa77-4b88-9c99-334455667788", "artifact--ff66aa77-bb88-4c99-8daa-445566778899"
	if status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], designBundleMIME(inc3, art3, "2026-07-10T01:10:00.000Z", "application/pgp-encrypted", toOther)); status != 201 {
		t.Fatalf("submit foreign-encrypted design: %d %v", status, resp)
	}
	_, _, raw = export(t, h.base, tokens["mic"], "accident-reports")
	if enc3, mt := artifactPayload(t, raw, art3); !bytes.Equal(enc3, toOther) || mt != "application/pgp-encrypted" {
		t.Error("a design encrypted to other keys was changed")
	}

	// A tampered message to the hub is refused, never silently accepted.
	tampered := bytes.Clone(toHub)
	tampered[len(tampered)-10] ^= 0xff
	const inc4, art4 = "incident--a1b2c3d4-e5f6-4a7b-8c9d-556677889900", "artifact--b2c3d4e5-f6a7-4b8c-9d0e-667788990011"
	status, resp = request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], designBundleMIME(inc4, art4, "2026-07-10T01:10:00.000Z", "application/pgp-encrypted", tampered))
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(resp["details"]), "integrity") {
		t.Errorf("tampered design: %d %v, want 422 naming the integrity check", status, resp)
	}

	// An identical re-submission of a design is idempotent even though encryption is randomized.
	status, again := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], designBundle(inc1, art1, "2026-07-10T01:10:00.000Z", plain))
	if status != http.StatusOK || again["submission_id"] != firstID {
		t.Errorf("re-submitting the same design: %d %v, want 200 with submission %v", status, again["submission_id"], firstID)
	}

	// The plaintext was written nowhere: not in the database files, not in the log.
	for _, name := range []string{dbFile, dbFile + "-wal", dbFile + "-shm"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		if bytes.Contains(b, marker) || bytes.Contains(b, []byte(base64.StdEncoding.EncodeToString(plain[:3000]))) {
			t.Errorf("%s holds the plaintext design", name)
		}
	}
	if strings.Contains(h.stderr.String(), string(marker)) {
		t.Error("the log holds the plaintext design")
	}

	// Signed export, verified by gpg against the published hub key; tampering is detected.
	status, signed := get(t, h.base+"/api/v1/exports/accident-reports?sign=true", tokens["mic"])
	if status != 200 || !bytes.Contains(signed, []byte("BEGIN PGP MESSAGE")) {
		t.Fatalf("signed export: %d", status)
	}
	verifier := newGPG(t, hubFile)
	out, st, err := verifier.decrypt(signed)
	if err != nil || !strings.Contains(st, "Good signature") || !bytes.Contains(out, []byte(`"type":"bundle"`)) {
		t.Fatalf("gpg does not verify the signed export: %v\n%s", err, st)
	}
	bad := bytes.Clone(signed)
	mid := bytes.Index(bad, []byte("\n\n")) + 40
	if bad[mid] == 'A' {
		bad[mid] = 'B'
	} else {
		bad[mid] = 'A'
	}
	if _, st, err := verifier.decrypt(bad); err == nil && strings.Contains(st, "Good signature") {
		t.Error("gpg accepted a tampered signed export")
	}
	// Signed and encrypted to the caller's organization.
	status, sealedExport := get(t, h.base+"/api/v1/exports/accident-reports?sign=true&encrypt=true", tokens["mic"])
	if status != 200 {
		t.Fatalf("encrypted export: %d %s", status, sealedExport)
	}
	micVerifier := newGPG(t, filepath.Join(keys, "mic.asc"), hubFile)
	if out, st, err := micVerifier.decrypt(sealedExport); err != nil || !strings.Contains(st, "Good signature") || !bytes.Contains(out, []byte(inc1)) {
		t.Errorf("mic cannot decrypt and verify its export: %v\n%s", err, st)
	}
	if status, _ := get(t, h.base+"/api/v1/exports/public?encrypt=true", ""); status != 400 {
		t.Errorf("encrypting the public export without a token: %d, want 400", status)
	}

	// kakehashi export produces the same, offline from the data directory.
	e, exported, errb := testEnv("")
	if code := run(t.Context(), []string{"export", "--data", dir, "--channel", "accident-reports", "--org", "mic", "--encrypt"}, e); code != exitOK {
		t.Fatalf("kakehashi export: exit %d: %s", code, errb)
	}
	if plainOut, st, err := micVerifier.decrypt(exported.Bytes()); err != nil || !strings.Contains(st, "Good signature") || !bytes.Contains(plainOut, []byte(inc1)) {
		t.Errorf("kakehashi export --encrypt is not readable by mic with gpg: %v\n%s", err, st)
	}
	e, _, _ = testEnv("")
	if code := run(t.Context(), []string{"export", "--data", dir, "--channel", "accident-reports", "--org", "carrier-b"}, e); code != exitUsage {
		t.Errorf("export of a channel the organization may not read: exit %d, want 2", code)
	}
	auditIntact(t, dir)
}

func TestOrganizationKeyUpload(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer func() { h.stop(t) }()
	tokens := readTokens(t, dir)
	g := newGPG(t)
	export := func(spec, uid string) []byte {
		if out, err := g.run(nil, "--passphrase", "", "--quick-gen-key", uid, spec, "default", "never"); err != nil {
			t.Fatalf("gpg --quick-gen-key %s: %v\n%s", spec, err, out)
		}
		pub, err := g.run(nil, "--armor", "--export", uid)
		if err != nil {
			t.Fatal(err)
		}
		return pub
	}
	good := export("future-default", "New Kaede Key <kaede-new@demo.kakehashi.invalid>")
	weak := export("rsa2048", "Weak Kaede Key <kaede-weak@demo.kakehashi.invalid>")
	put := func(tok, org string, body []byte) (int, map[string]any) {
		req, _ := http.NewRequest("PUT", h.base+"/api/v1/organizations/"+org+"/pgp-key", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/pgp-keys")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	if status, m := put(tokens["carrier-b"], "carrier-b", weak); status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(m["description"]), "3072") {
		t.Errorf("weak RSA key: %d %v, want 400 naming the 3072-bit minimum", status, m)
	}
	if status, _ := put(tokens["carrier-c"], "carrier-b", good); status != http.StatusForbidden {
		t.Errorf("carrier-c setting carrier-b's key: %d, want 403", status)
	}
	status, m := put(tokens["carrier-b"], "carrier-b", good)
	if status != 200 || len(fmt.Sprint(m["fingerprint"])) < 40 {
		t.Fatalf("upload: %d %v", status, m)
	}
	status, got := get(t, h.base+"/api/v1/organizations/carrier-b/pgp-key", tokens["mic"])
	if status != 200 || !bytes.Contains(got, []byte(fmt.Sprint(m["fingerprint"]))) {
		t.Errorf("the new key is not the one in use: %d %s", status, got)
	}
	// The operators change keys only in the registry file (SHARING.md §5):
	// through the API they cannot re-key an organization, and the answer is
	// the same for an organization that does not exist.
	statusAdmin, bodyAdmin := put(tokens["hub-admin"], "mic", good)
	statusNone, bodyNone := put(tokens["hub-admin"], "no-such-org", good)
	if statusAdmin != http.StatusForbidden || statusNone != statusAdmin || bodyAdmin["description"] != bodyNone["description"] {
		t.Errorf("admin re-keying mic: %d %v; unknown org: %d %v; want the same 403", statusAdmin, bodyAdmin, statusNone, bodyNone)
	}
	// carrier-b sees the change of its key; nobody else sees carrier-b's changes.
	status, raw := get(t, h.base+"/api/v1/organizations/carrier-b/pgp-key/changes", tokens["carrier-b"])
	var changes struct {
		Changes []sharing.KeyChange `json:"changes"`
	}
	if err := json.Unmarshal(raw, &changes); err != nil || status != 200 {
		t.Fatalf("key changes: %d %s", status, raw)
	}
	if n := len(changes.Changes); n == 0 || changes.Changes[n-1].Fingerprint != m["fingerprint"] || changes.Changes[n-1].Source != sharing.KeySourceAPI || changes.Changes[n-1].Actor != "carrier-b" {
		t.Errorf("carrier-b's key changes = %+v, want the upload last", changes.Changes)
	}
	if status, _ := get(t, h.base+"/api/v1/organizations/carrier-b/pgp-key/changes", tokens["carrier-c"]); status != http.StatusNotFound {
		t.Errorf("carrier-c reading carrier-b's key changes: %d, want 404", status)
	}

	// The operators' way: a new key for carrier-b in the registry file. At
	// the next start it replaces the uploaded key, and carrier-b sees who
	// changed it.
	h.stop(t)
	reg, err := sharing.LoadRegistry(filepath.Join(dir, "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	pair, err := pgp.GenerateKeyPair("Kaede Networks rotated", "kaede-rotated@demo.kakehashi.invalid")
	if err != nil {
		t.Fatal(err)
	}
	orgs := reg.Organizations()
	for _, o := range orgs {
		if o.ID == "carrier-b" {
			o.PGPPublicKey = pair.Public
		}
	}
	yml, err := sharing.MarshalRegistry(orgs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "registry.yaml"), yml, 0o600); err != nil {
		t.Fatal(err)
	}
	h = startHub(t, "--demo", "--data", dir)
	status, got = get(t, h.base+"/api/v1/organizations/carrier-b/pgp-key", tokens["mic"])
	if status != 200 || !bytes.Contains(got, []byte(pair.Fingerprint)) {
		t.Errorf("after the registry change the key in use is not the registry's: %d %s", status, got)
	}
	status, raw = get(t, h.base+"/api/v1/organizations/carrier-b/pgp-key/changes", tokens["carrier-b"])
	changes.Changes = nil
	if err := json.Unmarshal(raw, &changes); err != nil || status != 200 {
		t.Fatalf("key changes: %d %s", status, raw)
	}
	if n := len(changes.Changes); n < 3 || changes.Changes[n-1].Fingerprint != pair.Fingerprint || changes.Changes[n-1].Source != sharing.KeySourceRegistry || changes.Changes[n-1].Actor != "registry" {
		t.Errorf("carrier-b's key changes after the registry change = %+v", changes.Changes)
	}
	if status, _ := put(tokens["carrier-b"], "carrier-b", []byte("not a key")); status != http.StatusBadRequest {
		t.Errorf("garbage key: %d, want 400", status)
	}
}

// TestDesignAtTheSizeLimit sends a 16 MiB design (PROFILE.md §1: payload_bin
// up to 16 MiB) through the API and decrypts it with gpg; one byte more is refused.
func TestDesignAtTheSizeLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("16 MiB round trip skipped in -short mode")
	}
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	micGPG := newGPG(t, filepath.Join(dir, demoKeysDir, "mic.asc"))
	plain := make([]byte, 16<<20)
	if _, err := rand.Read(plain); err != nil {
		t.Fatal(err)
	}
	const inc, art = "incident--0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "artifact--1c2d3e4f-5a6b-4c7d-9e8f-0a1b2c3d4e5f"
	status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], designBundle(inc, art, "2026-07-10T01:10:00.000Z", plain))
	if status != http.StatusCreated {
		t.Fatalf("16 MiB design: %d %v", status, resp["description"])
	}
	_, _, raw := export(t, h.base, tokens["mic"], "accident-reports")
	enc, _ := artifactPayload(t, raw, art)
	got, st, err := micGPG.decrypt(enc)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("gpg --decrypt of the 16 MiB design: %v (%d bytes)\n%s", err, len(got), st)
	}
	status, resp = request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"],
		designBundle("incident--2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a", "artifact--3e4f5a6b-7c8d-4e9f-8a0b-2c3d4e5f6a7b", "2026-07-10T01:10:00.000Z", append(plain, 1, 2, 3)))
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("a design over 16 MiB: %d %v, want 413", status, resp["description"])
	}
}
