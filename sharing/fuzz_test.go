package sharing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// Fuzz targets for the decoders of this package (STYLE.md, Tests). `make fuzz`
// runs each for a bounded time; `go test` runs their seeds as ordinary tests.

// fuzzLimits are small so that the fuzzer reaches the size refusals.
var fuzzLimits = stix.Limits{MaxObjects: 16, MaxDepth: 16, MaxStringBytes: 2048, MaxPayloadBytes: 1024}

// submissionSeeds are the bundles the other tests submit, each as sent, as a
// TAXII envelope and in the submission wrapper.
func submissionSeeds(f *testing.F) [][]byte {
	f.Helper()
	files, err := filepath.Glob("../cmd/kakehashi/testdata/*.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed bundles in ../cmd/kakehashi/testdata: %v", err)
	}
	files = append(files, "../stix/testdata/valid-bundle.json")
	var seeds [][]byte
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		var bundle struct {
			Objects json.RawMessage `json:"objects"`
		}
		if err := json.Unmarshal(b, &bundle); err != nil {
			f.Fatalf("%s: %v", p, err)
		}
		seeds = append(seeds, b,
			[]byte(`{"objects": `+string(bundle.Objects)+`}`),
			[]byte(`{"bundle": `+string(b)+`, "share_with": ["carrier-b", "mic"], "hold_for_review": true}`),
			[]byte(`{"bundle": `+string(b)+`, "share_with": ["nobody"], "hold": 1}`))
	}
	return append(seeds, []byte(`{"bundle": null}`), []byte(`{"type": "bundle", "objects": []}`), []byte(" [1, 2]"), []byte(`{"bundle": {}, "a/b~c": 1}`))
}

// FuzzParseSubmission feeds request bodies from every kind of caller to
// Intake.ParseSubmission and checks: no panic; callers that may not submit
// are ErrForbidden whatever the body; an accepted request names only
// registered organizations, carries the body's options, and its bundle
// re-encodes and parses to the same objects; a refusal is a *RefusedError
// whose every violation points into the body; the same body gets the same answer.
func FuzzParseSubmission(f *testing.F) {
	for i, s := range submissionSeeds(f) {
		f.Add(s, uint8(i%3))
	}
	f.Add([]byte(`{"type": "bundle", "id": "bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f", "objects": [{}]}`), uint8(5))
	f.Add([]byte(`{}`), uint8(255))
	reg, err := ParseRegistry([]byte(testRegistry), f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	in := &Intake{Registry: reg, Limits: fuzzLimits}
	again := &Intake{Registry: reg, Limits: stix.DefaultLimits()}
	orgs := reg.Organizations()
	f.Fuzz(func(t *testing.T, body []byte, who uint8) {
		var caller *Organization // 255: no organization at all
		if who != 255 {
			caller = orgs[int(who)%len(orgs)]
		}
		req, err := in.ParseSubmission(caller, body)
		if !MaySubmit(caller) {
			if req != nil || !errors.Is(err, ErrForbidden) {
				t.Fatalf("caller %v may not submit, got %v, %v; want ErrForbidden", caller, req, err)
			}
			return
		}
		req2, err2 := in.ParseSubmission(caller, body)
		if err != nil {
			checkRefusal(t, body, req, err)
			var re, re2 *RefusedError
			if !errors.As(err2, &re2) {
				t.Fatalf("the same body refused once, then %v", err2)
			}
			errors.As(err, &re)
			if diff := cmp.Diff(re, re2, cmpopts.SortSlices(func(a, b stix.Violation) bool { return a.Path+a.Message < b.Path+b.Message })); diff != "" {
				t.Fatalf("the same body refused differently (-first +second):\n%s", diff)
			}
			return
		}
		if err2 != nil || !sameRequest(req, req2) {
			t.Fatalf("the same body accepted once, then %v, %v", req2, err2)
		}
		checkAccepted(t, reg, body, req)
		// The accepted bundle, encoded again with its options, is the same request.
		wrapped, err := json.Marshal(map[string]any{"bundle": bundleJSON(t, req.Bundle), "share_with": req.ShareWith, "hold_for_review": req.HoldForReview})
		if err != nil {
			t.Fatal(err)
		}
		back, err := again.ParseSubmission(caller, wrapped)
		if err != nil {
			t.Fatalf("accepted %q, but its re-encoding %s is refused: %v", body, wrapped, err)
		}
		if !sameRequest(req, back) {
			t.Fatalf("re-encoding changed the request:\nbody %q\nre-encoded %s", body, wrapped)
		}
	})
}

// checkRefusal asserts that err refuses body for its content and says where.
func checkRefusal(t *testing.T, body []byte, req *SubmitRequest, err error) {
	t.Helper()
	var re *RefusedError
	if req != nil || !errors.As(err, &re) {
		t.Fatalf("refusal %v (request %v) is not a *RefusedError", err, req)
	}
	if re.Kind != RefusedMalformed && re.Kind != RefusedTooLarge && re.Kind != RefusedInvalid {
		t.Fatalf("refusal kind %d while parsing, want malformed, too large or invalid: %v", re.Kind, err)
	}
	if len(re.Violations) == 0 {
		t.Fatalf("refusal without violations: %v", err)
	}
	var doc any
	isJSON := json.Unmarshal(body, &doc) == nil
	for _, v := range re.Violations {
		if v.Message == "" {
			t.Fatalf("violation at %q without a message", v.Path)
		}
		if !isJSON {
			if v.Path != "" {
				t.Fatalf("the body is not JSON, yet the violation points at %q: %s", v.Path, v.Message)
			}
			continue
		}
		// The pointer, or for a missing member its parent, is in the body.
		if !resolves(doc, v.Path) && !resolves(doc, parentPointer(v.Path)) {
			t.Fatalf("violation %q: %s points nowhere in the body %q", v.Path, v.Message, body)
		}
	}
}

// checkAccepted asserts that an accepted request is self-consistent.
func checkAccepted(t *testing.T, reg *Registry, body []byte, req *SubmitRequest) {
	t.Helper()
	if req.Bundle == nil || len(req.Bundle.Objects) == 0 || len(req.Bundle.Objects) > fuzzLimits.MaxObjects {
		t.Fatalf("accepted %q with %v", body, req.Bundle)
	}
	if req.Bundle.ID != "" && !stix.ValidID(req.Bundle.ID, "bundle") {
		t.Fatalf("accepted bundle id %q", req.Bundle.ID)
	}
	for _, o := range req.Bundle.Objects {
		if o == nil || o.Props == nil {
			t.Fatalf("accepted %q with a nil object", body)
		}
	}
	for _, id := range req.ShareWith {
		if _, err := reg.FindOrganizationByID(id); err != nil {
			t.Fatalf("accepted share_with %q, not registered: %v", id, err)
		}
	}
	var opts struct {
		ShareWith []string `json:"share_with"`
		Hold      bool     `json:"hold_for_review"`
	}
	if isWrapper(bytes.TrimSpace(body)) {
		if err := json.Unmarshal(body, &opts); err != nil {
			t.Fatalf("accepted wrapper %q that does not decode: %v", body, err)
		}
	}
	if !slices.Equal(opts.ShareWith, req.ShareWith) || opts.Hold != req.HoldForReview {
		t.Fatalf("body %q asks share_with %q hold %v; parsed %q, %v", body, opts.ShareWith, opts.Hold, req.ShareWith, req.HoldForReview)
	}
}

// bundleJSON encodes a decoded bundle as it came: a bundle, or a TAXII
// envelope when it has no id.
func bundleJSON(t *testing.T, b *stix.Bundle) json.RawMessage {
	t.Helper()
	var out []byte
	var err error
	if b.ID == "" {
		out, err = json.Marshal(map[string]any{"objects": b.Objects})
	} else {
		out, err = json.Marshal(b)
	}
	if err != nil {
		t.Fatalf("encode accepted bundle: %v", err)
	}
	return out
}

// sameRequest compares two parsed requests by what they say: bundle id,
// object properties, recipients and hold.
func sameRequest(a, b *SubmitRequest) bool {
	if a.Bundle.ID != b.Bundle.ID || len(a.Bundle.Objects) != len(b.Bundle.Objects) || a.HoldForReview != b.HoldForReview ||
		!slices.Equal(a.ShareWith, b.ShareWith) {
		return false
	}
	for i := range a.Bundle.Objects {
		if !cmp.Equal(a.Bundle.Objects[i].Props, b.Bundle.Objects[i].Props) {
			return false
		}
	}
	return true
}

// resolves reports whether the JSON pointer p (RFC 6901) names a value in doc.
func resolves(doc any, p string) bool {
	if p == "" {
		return true
	}
	if !strings.HasPrefix(p, "/") {
		return false
	}
	cur := doc
	for _, tok := range strings.Split(p[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[tok]
			if !ok {
				return false
			}
			cur = next
		case []any:
			var i int
			if _, err := fmt.Sscanf(tok, "%d", &i); err != nil || fmt.Sprint(i) != tok || i < 0 || i >= len(v) {
				return false
			}
			cur = v[i]
		default:
			return false
		}
	}
	return true
}

func parentPointer(p string) string {
	if i := strings.LastIndex(p, "/"); i > 0 {
		return p[:i]
	}
	return ""
}

// registrySeeds are the registries the other tests read, and the demo registry.
func registrySeeds(f *testing.F) [][]byte {
	f.Helper()
	demo, err := os.ReadFile("testdata/registry-demo.yaml")
	if err != nil {
		f.Fatal(err)
	}
	return [][]byte{demo, []byte(goodRegistry), []byte(testRegistry),
		[]byte("organizations:\n  - {id: a, role: carrier, identity: identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11, name: \"\\xff\", networks: [\"10.1.2.3/8\"], default_tlp: red}\n"),
		[]byte("organizations: *x\n"), []byte("organizations: []\n"), []byte("- 1\n"), []byte("")}
}

// whereInRegistry is how a registry error names where the problem is: a
// line, an organization (by index or id), an id, or the file as a whole.
var whereInRegistry = regexp.MustCompile(`line \d+|organizations|organization [a-z0-9-]+|id "|not valid YAML`)

// FuzzParseRegistry feeds registry files to ParseRegistry and checks: no
// panic; an accepted registry is self-consistent (valid organizations found
// by their id and identity) and re-marshals (MarshalRegistry) and re-parses
// to the same organizations; a refusal says where the problem is.
func FuzzParseRegistry(f *testing.F) {
	for _, s := range registrySeeds(f) {
		f.Add(s)
	}
	dir := f.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys", "carrier-a.asc"), []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if readsOutside(data) {
			return
		}
		r, err := ParseRegistry(data, dir)
		if err != nil {
			if r != nil || !whereInRegistry.MatchString(err.Error()) {
				t.Fatalf("refusal %q (registry %v) does not say where", err, r)
			}
			return
		}
		orgs := r.Organizations()
		if len(orgs) == 0 {
			t.Fatalf("accepted %q with no organizations", data)
		}
		for _, o := range orgs {
			if err := o.Validate(); err != nil {
				t.Fatalf("accepted an invalid organization: %v", err)
			}
			if byID, err := r.FindOrganizationByID(o.ID); err != nil || byID != o {
				t.Fatalf("organization %s not found by its id: %v", o.ID, err)
			}
			if byIdentity, err := r.FindOrganizationByIdentity(o.Identity); err != nil || byIdentity != o {
				t.Fatalf("organization %s not found by its identity: %v", o.ID, err)
			}
		}
		y, err := MarshalRegistry(orgs)
		if err != nil {
			t.Fatalf("marshal accepted registry: %v", err)
		}
		back, err := ParseRegistry(y, t.TempDir())
		if err != nil {
			t.Fatalf("accepted %q, but its marshalled form is refused: %v\n%s", data, err, y)
		}
		if diff := cmp.Diff(orgs, back.Organizations(), cmpopts.EquateEmpty(), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
			t.Fatalf("marshal and parse changed the organizations (-parsed +re-parsed):\n%s\ninput %q\nmarshalled\n%s", diff, data, y)
		}
	})
}

// readsOutside reports whether a registry names a pgp_public_key_file outside
// the fuzz directory: the parser reads what the operator's file names, and
// the fuzzer must not make it read /dev/zero or the machine's files.
func readsOutside(data []byte) bool {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return false
	}
	var walk func(n *yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		if n == nil {
			return false
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				v := n.Content[i+1]
				if v.Kind == yaml.AliasNode && v.Alias != nil {
					v = v.Alias
				}
				if n.Content[i].Value == "pgp_public_key_file" && (v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" || !filepath.IsLocal(v.Value)) {
					return true
				}
			}
		}
		return slices.ContainsFunc(n.Content, walk)
	}
	return walk(&root)
}
