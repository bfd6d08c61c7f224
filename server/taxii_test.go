package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// Conformance tests of the TAXII 2.1 endpoints (STIX-TAXII-NOTES §4,
// docs/taxii.md) through the real app and a real SQLite database.

const (
	tlpGreen = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	tlpClear = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
)

var taxiiTimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

// indicatorID is a valid, deterministic STIX id for test indicator n.
func indicatorID(n int) string {
	return fmt.Sprintf("indicator--%08x-0000-4000-8000-%012x", n, n)
}

// indicator is a carrier-a indicator with the given TLP marking and modified.
func indicator(n int, modified, marking string) map[string]any {
	return map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": indicatorID(n),
		"created": "2026-07-10T01:00:00.000Z", "modified": modified,
		"name": fmt.Sprintf("Scanner %d", n), "indicator_types": []string{"malicious-activity"},
		"pattern": fmt.Sprintf("[ipv4-addr:value = '198.18.%d.%d']", (n/250)%250, n%250+1), "pattern_type": "stix",
		"valid_from": "2026-07-10T00:00:00Z", "object_marking_refs": []string{marking},
	}
}

func envelopeOf(objs ...map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"objects": objs})
	return b
}

// taxiiReq is one TAXII request; auth is a whole Authorization header value.
type taxiiReq struct {
	method, path, auth, accept, contentType string
	body                                    []byte
}

type taxiiResp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (f *fixture) taxii(r taxiiReq) taxiiResp {
	f.t.Helper()
	if r.method == "" {
		r.method = "GET"
	}
	req := httptest.NewRequest(r.method, r.path, bytes.NewReader(r.body))
	if r.auth != "" {
		req.Header.Set("Authorization", r.auth)
	}
	if r.accept != "-" {
		req.Header.Set("Accept", orDefault(r.accept, taxiiMediaType))
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	resp, err := f.srv.App().Test(req, -1)
	if err != nil {
		f.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := taxiiResp{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			f.t.Fatalf("%s %s: body is not JSON: %v\n%s", r.method, r.path, err, raw)
		}
	}
	return out
}

func bearer(tok string) string { return "Bearer " + tok }

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func colPath(ch sharing.Channel, rest string) string {
	return "/taxii2/hub/collections/" + sharing.CollectionOf(ch).ID + "/" + rest
}

// post adds objects to intake as org and returns the status resource.
func (f *fixture) post(auth string, body []byte) taxiiResp {
	f.t.Helper()
	r := f.taxii(taxiiReq{method: "POST", path: colPath(sharing.ChannelIntake, "objects/"), auth: auth, contentType: taxiiMediaType, body: body})
	if r.status != http.StatusAccepted {
		f.t.Fatalf("POST intake: %d %s", r.status, r.raw)
	}
	return r
}

func indicatorIDs(body map[string]any) []string {
	var ids []string
	for _, id := range objectIDs(body) {
		if strings.HasPrefix(id, "indicator--") {
			ids = append(ids, id)
		}
	}
	return ids
}

func objectIDs(body map[string]any) []string {
	var ids []string
	objs, _ := body["objects"].([]any)
	for _, o := range objs {
		ids = append(ids, o.(map[string]any)["id"].(string))
	}
	return ids
}

// taxiiWorld is a fixture with content: carrier-a posted indicators 1–3 in
// TLP:GREEN (isac-members), indicator 4 in TLP:CLEAR (public too), then a
// second version of indicator 1.
type taxiiWorld struct {
	*fixture
	a, b, mic, admin string // Authorization headers
	v1, v2           string
	statusID         string
}

func newTAXIIWorld(t *testing.T) *taxiiWorld {
	f := newFixture(t, 0)
	w := &taxiiWorld{fixture: f, a: bearer(f.token("carrier-a", "carrier")), b: bearer(f.token("carrier-b", "carrier")),
		mic: bearer(f.token("mic", "regulator")), admin: bearer(f.token("hub-admin", "admin")),
		v1: "2026-07-10T01:00:00.000Z", v2: "2026-07-11T02:00:00.000Z"}
	r := f.post(w.a, envelopeOf(indicator(1, w.v1, tlpGreen), indicator(2, w.v1, tlpGreen), indicator(3, w.v1, tlpGreen)))
	w.statusID = r.body["id"].(string)
	f.clock.Set(f.clock.Now().Add(time.Second))
	f.post(w.a, envelopeOf(indicator(4, w.v1, tlpClear)))
	f.clock.Set(f.clock.Now().Add(time.Second))
	f.post(w.a, envelopeOf(indicator(1, w.v2, tlpGreen)))
	return w
}

func TestTAXIIDiscoveryAndAPIRoot(t *testing.T) {
	w := newTAXIIWorld(t)
	tests := []struct {
		name   string
		req    taxiiReq
		status int
		check  func(t *testing.T, r taxiiResp)
	}{
		{"discovery without credentials", taxiiReq{path: "/taxii2/"}, 200, func(t *testing.T, r taxiiResp) {
			if r.body["title"] == nil || r.body["default"] != "/taxii2/hub/" {
				t.Errorf("discovery = %v", r.body)
			}
			if d := cmp.Diff([]any{"/taxii2/hub/"}, r.body["api_roots"]); d != "" {
				t.Errorf("api_roots: %s", d)
			}
		}},
		{"discovery without the trailing slash", taxiiReq{path: "/taxii2"}, 200, nil},
		{"discovery with bare taxii media type", taxiiReq{path: "/taxii2/", accept: "application/taxii+json"}, 200, nil},
		{"discovery with */*", taxiiReq{path: "/taxii2/", accept: "*/*"}, 200, nil},
		{"discovery with a list of media types", taxiiReq{path: "/taxii2/", accept: "text/html, application/taxii+json;version=2.1;q=0.9"}, 200, nil},
		{"discovery without Accept", taxiiReq{path: "/taxii2/", accept: "-"}, 200, nil},
		{"discovery asking for JSON", taxiiReq{path: "/taxii2/", accept: "application/json"}, 406, nil},
		{"discovery asking for TAXII 2.0", taxiiReq{path: "/taxii2/", accept: "application/taxii+json;version=2.0"}, 406, nil},
		{"discovery asking for STIX", taxiiReq{path: "/taxii2/", accept: "application/stix+json;version=2.1"}, 406, nil},
		{"api root without credentials", taxiiReq{path: "/taxii2/hub/"}, 200, func(t *testing.T, r taxiiResp) {
			if d := cmp.Diff([]any{taxiiMediaType}, r.body["versions"]); d != "" {
				t.Errorf("versions: %s", d)
			}
			if r.body["max_content_length"] != float64(32<<20) {
				t.Errorf("max_content_length = %v", r.body["max_content_length"])
			}
		}},
		{"api root with a bearer token", taxiiReq{path: "/taxii2/hub/", auth: w.a}, 200, nil},
		{"api root with a bad token", taxiiReq{path: "/taxii2/hub/", auth: "Bearer nonsense"}, 401, nil},
		{"api root with a bad accept", taxiiReq{path: "/taxii2/hub/", accept: "text/html"}, 406, nil},
		{"unknown path under taxii2", taxiiReq{path: "/taxii2/other/"}, 404, nil},
		{"unknown path under the api root", taxiiReq{path: "/taxii2/hub/nothing/", auth: w.a}, 404, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.taxii(tc.req)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if ct := r.header.Get("Content-Type"); ct != taxiiMediaType {
				t.Errorf("Content-Type = %q, want %q", ct, taxiiMediaType)
			}
			if r.status >= 400 {
				checkErrorShape(t, r.status, r.body)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestTAXIICollections(t *testing.T) {
	w := newTAXIIWorld(t)
	type col struct {
		Alias    string
		CanRead  bool
		CanWrite bool
	}
	list := func(auth string) []col {
		r := w.taxii(taxiiReq{path: "/taxii2/hub/collections/", auth: auth})
		if r.status != 200 {
			t.Fatalf("collections: %d %s", r.status, r.raw)
		}
		var out []col
		for _, c := range r.body["collections"].([]any) {
			m := c.(map[string]any)
			out = append(out, col{m["alias"].(string), m["can_read"].(bool), m["can_write"].(bool)})
			ch, _ := sharing.ParseChannel(m["alias"].(string))
			if m["id"] != sharing.CollectionOf(ch).ID {
				t.Errorf("%s: id %v, want %s", ch, m["id"], sharing.CollectionOf(ch).ID)
			}
			if d := cmp.Diff([]any{"application/stix+json;version=2.1"}, m["media_types"]); d != "" {
				t.Errorf("media_types: %s", d)
			}
		}
		return out
	}
	tests := []struct {
		name string
		auth string
		want []col
	}{
		{"anonymous sees public", "", []col{{"public", true, false}}},
		{"carrier sees its channels and intake", w.a, []col{{"isac-members", true, false}, {"public", true, false}, {"sector-events", true, false}, {"intake", true, true}}},
		{"carrier over basic is the same principal", basic("carrier-a", w.apiKey(t, "carrier-a")), []col{{"isac-members", true, false}, {"public", true, false}, {"sector-events", true, false}, {"intake", true, true}}},
		{"regulator sees the statutory channels", w.mic, []col{{"accident-reports", true, false}, {"disaster-reports", true, false}, {"public", true, false}, {"sector-events-regulator", true, false}}},
		{"admin sees only public", w.admin, []col{{"public", true, false}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, list(tc.auth)); d != "" {
				t.Errorf("collections (-want +got):\n%s", d)
			}
		})
	}

	// Collection ids are UUIDs derived from the channel name: stable across
	// restarts and hubs.
	for _, c := range sharing.Collections() {
		if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(c.ID) {
			t.Errorf("%s: id %q is not a UUID", c.Channel, c.ID)
		}
		if again := sharing.CollectionOf(c.Channel); again.ID != c.ID {
			t.Errorf("%s: id not stable", c.Channel)
		}
	}

	// Pinned: clients keep these in their configuration (docs/taxii.md).
	for ch, id := range map[sharing.Channel]string{sharing.ChannelPublic: "edc0ed16-bebe-5a03-a860-1d73ea45165a",
		sharing.ChannelISACMembers: "a970a4f3-21fe-580d-a401-b92318b313e1", sharing.ChannelIntake: "40c9e891-41b0-5531-b2d3-25dd6dcb0761"} {
		if got := sharing.CollectionOf(ch).ID; got != id {
			t.Errorf("%s: id %s, want the documented %s", ch, got, id)
		}
	}

	single := []struct {
		name   string
		path   string
		auth   string
		status int
	}{
		{"by id", colPath(sharing.ChannelISACMembers, ""), w.a, 200},
		{"by alias", "/taxii2/hub/collections/isac-members/", w.a, 200},
		{"without the trailing slash", strings.TrimSuffix(colPath(sharing.ChannelISACMembers, ""), "/"), w.a, 200},
		{"public without credentials", colPath(sharing.ChannelPublic, ""), "", 200},
		{"a channel without credentials", colPath(sharing.ChannelISACMembers, ""), "", 401},
		{"a channel not in the caller's audience", colPath(sharing.ChannelAccidentReports, ""), w.a, 404},
		{"intake for a regulator", colPath(sharing.ChannelIntake, ""), w.mic, 404},
		{"unknown collection", "/taxii2/hub/collections/3f1a2b3c-0000-4000-8000-000000000000/", w.a, 404},
		{"a bad basic password", colPath(sharing.ChannelISACMembers, ""), basic("carrier-a", "wrong"), 401},
		{"basic for an unknown organization", colPath(sharing.ChannelISACMembers, ""), basic("carrier-z", "x"), 401},
	}
	for _, tc := range single {
		t.Run(tc.name, func(t *testing.T) {
			r := w.taxii(taxiiReq{path: tc.path, auth: tc.auth})
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if r.status == 401 {
				ch := strings.Join(r.header.Values("WWW-Authenticate"), " | ")
				if !strings.Contains(ch, "Bearer") || !strings.Contains(ch, "Basic") {
					t.Errorf("WWW-Authenticate = %q, want Bearer and Basic challenges", ch)
				}
			}
			if r.status >= 400 {
				checkErrorShape(t, r.status, r.body)
			}
		})
	}
}

// apiKey issues a Basic API key for org straight through the store.
func (f *fixture) apiKey(t *testing.T, org string) string {
	t.Helper()
	k, secret, err := sharing.NewAPIKey(org, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.CreateAPIKey(context.Background(), k, sharing.AuditEvent{Actor: "operator", Action: sharing.AuditTokenIssue, Subject: k.ID, Detail: map[string]any{"kind": "api-key"}}); err != nil {
		t.Fatal(err)
	}
	return secret
}

func TestTAXIIObjectsAndFilters(t *testing.T) {
	w := newTAXIIWorld(t)
	all := []string{indicatorID(2), indicatorID(3), indicatorID(4), indicatorID(1)} // by date_added: 1 moved last with v2
	tests := []struct {
		name   string
		path   string
		auth   string
		status int
		want   []string
		more   bool
	}{
		{"objects, latest versions by date added", colPath(sharing.ChannelISACMembers, "objects/"), w.a, 200, all, false},
		{"alias path", "/taxii2/hub/collections/isac-members/objects/", w.b, 200, all, false},
		{"public without credentials", colPath(sharing.ChannelPublic, "objects/"), "", 200, []string{indicatorID(4)}, false},
		{"match[type]", colPath(sharing.ChannelISACMembers, "objects/?match[type]=indicator"), w.a, 200, all, false},
		{"match[type] of absent type", colPath(sharing.ChannelISACMembers, "objects/?match[type]=malware,tool"), w.a, 200, nil, false},
		{"match[id] ORed", colPath(sharing.ChannelISACMembers, "objects/?match[id]="+indicatorID(3)+","+indicatorID(2)), w.a, 200, []string{indicatorID(2), indicatorID(3)}, false},
		{"match[version]=all", colPath(sharing.ChannelISACMembers, "objects/?match[version]=all&match[id]="+indicatorID(1)), w.a, 200, []string{indicatorID(1), indicatorID(1)}, false},
		{"match[version]=first", colPath(sharing.ChannelISACMembers, "objects/?match[version]=first&match[id]="+indicatorID(1)), w.a, 200, []string{indicatorID(1)}, false},
		{"match[version]=first,last", colPath(sharing.ChannelISACMembers, "objects/?match[version]=first,last&match[id]="+indicatorID(1)), w.a, 200, []string{indicatorID(1), indicatorID(1)}, false},
		{"match[version]=timestamp", colPath(sharing.ChannelISACMembers, "objects/?match[version]=2026-07-10T01:00:00Z"), w.a, 200, []string{indicatorID(1), indicatorID(2), indicatorID(3), indicatorID(4)}, false},
		{"match[spec_version]=2.1", colPath(sharing.ChannelISACMembers, "objects/?match[spec_version]=2.1"), w.a, 200, all, false},
		{"match[spec_version]=2.0", colPath(sharing.ChannelISACMembers, "objects/?match[spec_version]=2.0"), w.a, 200, nil, false},
		{"unknown match field is ignored", colPath(sharing.ChannelISACMembers, "objects/?match[colour]=red"), w.a, 200, all, false},
		{"limit", colPath(sharing.ChannelISACMembers, "objects/?limit=2&match[type]=indicator"), w.a, 200, all[:2], true},
		{"added_after", colPath(sharing.ChannelISACMembers, "objects/?added_after=2000-01-01T00:00:00Z"), w.a, 200, all, false},
		{"added_after in the future", colPath(sharing.ChannelISACMembers, "objects/?added_after=2999-01-01T00:00:00.000000Z"), w.a, 200, nil, false},
		{"intake: own submissions", colPath(sharing.ChannelIntake, "objects/"), w.a, 200, all, false},
		{"intake: another carrier has none", colPath(sharing.ChannelIntake, "objects/"), w.b, 200, nil, false},
		{"not in audience", colPath(sharing.ChannelISACMembers, "objects/"), w.mic, 404, nil, false},
		{"without credentials", colPath(sharing.ChannelISACMembers, "objects/"), "", 401, nil, false},
		{"bad added_after", colPath(sharing.ChannelISACMembers, "objects/?added_after=yesterday"), w.a, 400, nil, false},
		{"limit 0", colPath(sharing.ChannelISACMembers, "objects/?limit=0"), w.a, 400, nil, false},
		{"limit not a number", colPath(sharing.ChannelISACMembers, "objects/?limit=ten"), w.a, 400, nil, false},
		{"limit twice", colPath(sharing.ChannelISACMembers, "objects/?limit=1&limit=2"), w.a, 400, nil, false},
		{"match[id] not an id", colPath(sharing.ChannelISACMembers, "objects/?match[id]=indicator-1"), w.a, 400, nil, false},
		{"match[id] empty element", colPath(sharing.ChannelISACMembers, "objects/?match[id]="+indicatorID(1)+","), w.a, 400, nil, false},
		{"match[type] not a type", colPath(sharing.ChannelISACMembers, "objects/?match[type]=Indicator!"), w.a, 400, nil, false},
		{"match[version]=all with last", colPath(sharing.ChannelISACMembers, "objects/?match[version]=all,last"), w.a, 400, nil, false},
		{"match[version] nonsense", colPath(sharing.ChannelISACMembers, "objects/?match[version]=newest"), w.a, 400, nil, false},
		{"match[spec_version] nonsense", colPath(sharing.ChannelISACMembers, "objects/?match[spec_version]=two"), w.a, 400, nil, false},
		{"garbage next", colPath(sharing.ChannelISACMembers, "objects/?next=xyz"), w.a, 400, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.taxii(taxiiReq{path: tc.path, auth: tc.auth})
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if ct := r.header.Get("Content-Type"); ct != taxiiMediaType {
				t.Errorf("Content-Type = %q", ct)
			}
			if r.status != 200 {
				checkErrorShape(t, r.status, r.body)
				return
			}
			// Only the submitted indicators: channel copies also carry the
			// hub's support objects (markings, the CEPTOAR identity).
			if d := cmp.Diff(tc.want, indicatorIDs(r.body)); d != "" {
				t.Errorf("objects (-want +got):\n%s", d)
			}
			if r.body["more"] != tc.more {
				t.Errorf("more = %v, want %v", r.body["more"], tc.more)
			}
			_, hasNext := r.body["next"]
			if hasNext != tc.more {
				t.Errorf("next present = %v, want %v", hasNext, tc.more)
			}
			first, last := r.header.Get("X-TAXII-Date-Added-First"), r.header.Get("X-TAXII-Date-Added-Last")
			if len(tc.want) > 0 && (!taxiiTimeRE.MatchString(first) || !taxiiTimeRE.MatchString(last) || first > last) {
				t.Errorf("X-TAXII-Date-Added-First/Last = %q, %q", first, last)
			}
		})
	}
}

func TestTAXIIVersionSelection(t *testing.T) {
	w := newTAXIIWorld(t)
	get := func(q string) []any {
		r := w.taxii(taxiiReq{path: colPath(sharing.ChannelISACMembers, "objects/"+indicatorID(1)+"/"+q), auth: w.a})
		if r.status != 200 {
			t.Fatalf("%s: %d %s", q, r.status, r.raw)
		}
		var mods []any
		for _, o := range r.body["objects"].([]any) {
			mods = append(mods, o.(map[string]any)["modified"])
		}
		return mods
	}
	tests := []struct {
		query string
		want  []any
	}{
		{"", []any{w.v2}},
		{"?match[version]=last", []any{w.v2}},
		{"?match[version]=first", []any{w.v1}},
		{"?match[version]=all", []any{w.v1, w.v2}},
		{"?match[version]=" + w.v1, []any{w.v1}},
		{"?match[version]=" + w.v1 + "," + w.v2, []any{w.v1, w.v2}},
		{"?match[version]=2026-07-10T01:00:00.000000Z", []any{w.v1}},
		{"?match[version]=2030-01-01T00:00:00Z", nil},
	}
	for _, tc := range tests {
		t.Run("object"+tc.query, func(t *testing.T) {
			if tc.want == nil {
				r := w.taxii(taxiiReq{path: colPath(sharing.ChannelISACMembers, "objects/"+indicatorID(1)+"/"+tc.query), auth: w.a})
				if r.status != 404 {
					t.Fatalf("status %d, want 404", r.status)
				}
				return
			}
			if d := cmp.Diff(tc.want, get(tc.query)); d != "" {
				t.Errorf("versions (-want +got):\n%s", d)
			}
		})
	}

	// versions, manifest and the object endpoint's errors.
	r := w.taxii(taxiiReq{path: colPath(sharing.ChannelISACMembers, "objects/"+indicatorID(1)+"/versions/"), auth: w.a})
	if r.status != 200 || !cmp.Equal([]any{w.v1, w.v2}, r.body["versions"]) || r.body["more"] != false {
		t.Errorf("versions: %d %s", r.status, r.raw)
	}
	if !taxiiTimeRE.MatchString(r.header.Get("X-TAXII-Date-Added-First")) || !taxiiTimeRE.MatchString(r.header.Get("X-TAXII-Date-Added-Last")) {
		t.Errorf("versions headers: %v", r.header)
	}
	r = w.taxii(taxiiReq{path: colPath(sharing.ChannelISACMembers, "objects/"+indicatorID(1)+"/versions/?limit=1"), auth: w.a})
	if r.status != 200 || !cmp.Equal([]any{w.v1}, r.body["versions"]) || r.body["more"] != true || r.body["next"] == nil {
		t.Errorf("versions limit 1: %d %s", r.status, r.raw)
	}
	r = w.taxii(taxiiReq{path: colPath(sharing.ChannelISACMembers, "objects/"+indicatorID(1)+"/versions/?limit=1&next="+url.QueryEscape(r.body["next"].(string))), auth: w.a})
	if r.status != 200 || !cmp.Equal([]any{w.v2}, r.body["versions"]) || r.body["more"] != false {
		t.Errorf("versions page 2: %d %s", r.status, r.raw)
	}

	r = w.taxii(taxiiReq{path: colPath(sharing.ChannelISACMembers, "manifest/?match[version]=all&match[id]="+indicatorID(1)), auth: w.a})
	if r.status != 200 {
		t.Fatalf("manifest: %d %s", r.status, r.raw)
	}
	recs := r.body["objects"].([]any)
	if len(recs) != 2 {
		t.Fatalf("manifest records: %s", r.raw)
	}
	for i, rec := range recs {
		m := rec.(map[string]any)
		if m["id"] != indicatorID(1) || m["version"] != []string{w.v1, w.v2}[i] || m["media_type"] != stixMediaType || !taxiiTimeRE.MatchString(m["date_added"].(string)) {
			t.Errorf("manifest record %d: %v", i, m)
		}
	}
	if r.header.Get("X-TAXII-Date-Added-First") != recs[0].(map[string]any)["date_added"] || r.header.Get("X-TAXII-Date-Added-Last") != recs[1].(map[string]any)["date_added"] {
		t.Errorf("manifest headers %v vs %s", r.header, r.raw)
	}

	errs := []struct {
		name   string
		method string
		path   string
		auth   string
		status int
	}{
		{"object not in the collection", "GET", colPath(sharing.ChannelISACMembers, "objects/"+indicatorID(99)+"/"), w.a, 404},
		{"object id malformed", "GET", colPath(sharing.ChannelISACMembers, "objects/not-an-id/"), w.a, 404},
		{"object in a collection not visible", "GET", colPath(sharing.ChannelAccidentReports, "objects/"+indicatorID(1)+"/"), w.a, 404},
		{"versions of an absent object", "GET", colPath(sharing.ChannelISACMembers, "objects/"+indicatorID(99)+"/versions/"), w.a, 404},
		{"public object only in isac-members", "GET", colPath(sharing.ChannelPublic, "objects/"+indicatorID(1)+"/"), "", 404},
		{"manifest not visible", "GET", colPath(sharing.ChannelAccidentReports, "manifest/"), w.a, 404},
		{"manifest bad filter", "GET", colPath(sharing.ChannelISACMembers, "manifest/?limit=-1"), w.a, 400},
		{"delete from a readable channel", "DELETE", colPath(sharing.ChannelISACMembers, "objects/"+indicatorID(1)+"/"), w.a, 403},
		{"delete from public without credentials", "DELETE", colPath(sharing.ChannelPublic, "objects/"+indicatorID(4)+"/"), "", 403},
		{"delete from intake", "DELETE", colPath(sharing.ChannelIntake, "objects/"+indicatorID(1)+"/"), w.a, 403},
		{"delete from an invisible channel", "DELETE", colPath(sharing.ChannelAccidentReports, "objects/"+indicatorID(1)+"/"), w.a, 404},
		{"delete without credentials", "DELETE", colPath(sharing.ChannelISACMembers, "objects/"+indicatorID(1)+"/"), "", 401},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			r := w.taxii(taxiiReq{method: tc.method, path: tc.path, auth: tc.auth})
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			checkErrorShape(t, r.status, r.body)
			if ct := r.header.Get("Content-Type"); ct != taxiiMediaType {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestTAXIINextTokens(t *testing.T) {
	w := newTAXIIWorld(t)
	base := colPath(sharing.ChannelISACMembers, "objects/")
	r := w.taxii(taxiiReq{path: base + "?limit=1&match[type]=indicator", auth: w.a})
	next, _ := r.body["next"].(string)
	if r.status != 200 || next == "" {
		t.Fatalf("first page: %d %s", r.status, r.raw)
	}
	q := "&next=" + url.QueryEscape(next)
	tests := []struct {
		name   string
		path   string
		auth   string
		status int
	}{
		{"same filters", base + "?limit=1&match[type]=indicator" + q, w.a, 200},
		{"same filters, other limit", base + "?limit=5&match[type]=indicator" + q, w.a, 200},
		{"filters changed", base + "?limit=1&match[type]=malware" + q, w.a, 400},
		{"filter dropped", base + "?limit=1" + q, w.a, 400},
		{"added_after added", base + "?limit=1&match[type]=indicator&added_after=2000-01-01T00:00:00Z" + q, w.a, 400},
		{"other reader", base + "?limit=1&match[type]=indicator" + q, w.b, 400},
		{"other endpoint", colPath(sharing.ChannelISACMembers, "manifest/") + "?limit=1&match[type]=indicator" + q, w.a, 400},
		{"other collection", colPath(sharing.ChannelIntake, "objects/") + "?limit=1&match[type]=indicator" + q, w.a, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.taxii(taxiiReq{path: tc.path, auth: tc.auth})
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
		})
	}

	// The server maximum clamps a larger limit (TAXII 2.1 §3.4.1).
	w.srv.cfg.TAXIIMaxPageSize = 2
	r = w.taxii(taxiiReq{path: base + "?limit=100", auth: w.a})
	if got := len(objectIDs(r.body)); got != 2 || r.body["more"] != true {
		t.Errorf("limit over the maximum: %d objects, more %v", got, r.body["more"])
	}
	r = w.taxii(taxiiReq{path: base, auth: w.a})
	if got := len(objectIDs(r.body)); got != 2 {
		t.Errorf("no limit: %d objects, want the maximum 2", got)
	}
}

func TestTAXIIIntakeAndStatus(t *testing.T) {
	w := newTAXIIWorld(t)
	intake := colPath(sharing.ChannelIntake, "objects/")
	good := envelopeOf(indicator(10, w.v1, tlpGreen), indicator(11, w.v1, tlpGreen))
	bad := indicator(12, w.v1, tlpGreen)
	bad["created"] = "2026-13-01T00:00:00Z"
	badEnv := envelopeOf(indicator(13, w.v1, tlpGreen), bad)

	tests := []struct {
		name        string
		path        string
		auth        string
		contentType string
		accept      string
		body        []byte
		status      int
		check       func(t *testing.T, r taxiiResp)
	}{
		{"carrier posts an envelope", intake, w.a, taxiiMediaType, "", good, 202, func(t *testing.T, r taxiiResp) {
			want := map[string]any{"status": "complete", "total_count": 2.0, "success_count": 2.0, "failure_count": 0.0, "pending_count": 0.0}
			for k, v := range want {
				if r.body[k] != v {
					t.Errorf("%s = %v, want %v", k, r.body[k], v)
				}
			}
			if !taxiiTimeRE.MatchString(r.body["request_timestamp"].(string)) {
				t.Errorf("request_timestamp %v", r.body["request_timestamp"])
			}
			s := r.body["successes"].([]any)[0].(map[string]any)
			if s["id"] != indicatorID(10) || s["version"] != w.v1 {
				t.Errorf("success %v", s)
			}
		}},
		{"identical re-post is not an error", intake, w.a, taxiiMediaType, "", good, 202, func(t *testing.T, r taxiiResp) {
			if r.body["success_count"] != 2.0 || r.body["failure_count"] != 0.0 {
				t.Errorf("re-post: %s", r.raw)
			}
		}},
		{"bare taxii content type", intake, w.a, "application/taxii+json", "", envelopeOf(indicator(14, w.v1, tlpGreen)), 202, nil},
		{"basic credentials", intake, basic("carrier-a", w.apiKey(t, "carrier-a")), taxiiMediaType, "", envelopeOf(indicator(15, w.v1, tlpGreen)), 202, nil},
		{"invalid object: failures per object", intake, w.a, taxiiMediaType, "", badEnv, 202, func(t *testing.T, r taxiiResp) {
			if r.body["success_count"] != 0.0 || r.body["failure_count"] != 2.0 || r.body["total_count"] != 2.0 {
				t.Fatalf("counts: %s", r.raw)
			}
			f := r.body["failures"].([]any)
			bad := f[1].(map[string]any)
			if bad["id"] != indicatorID(12) || !strings.Contains(bad["message"].(string), "/created") {
				t.Errorf("failure of the bad object: %v", bad)
			}
			if ok := f[0].(map[string]any); !strings.Contains(ok["message"].(string), "all or nothing") {
				t.Errorf("failure of the good object: %v", ok)
			}
		}},
		{"json content type", intake, w.a, "application/json", "", good, 415, nil},
		{"stix content type", intake, w.a, "application/stix+json;version=2.1", "", good, 415, nil},
		{"taxii 2.0 content type", intake, w.a, "application/taxii+json;version=2.0", "", good, 415, nil},
		{"bad accept", intake, w.a, taxiiMediaType, "application/json", good, 406, nil},
		{"not JSON", intake, w.a, taxiiMediaType, "", []byte("{"), 400, nil},
		{"read-only channel", colPath(sharing.ChannelISACMembers, "objects/"), w.a, taxiiMediaType, "", good, 403, nil},
		{"public without credentials", colPath(sharing.ChannelPublic, "objects/"), "", taxiiMediaType, "", good, 401, nil},
		{"intake without credentials", intake, "", taxiiMediaType, "", good, 401, nil},
		{"intake for a regulator", intake, w.mic, taxiiMediaType, "", good, 404, nil},
		{"channel not visible", colPath(sharing.ChannelAccidentReports, "objects/"), w.a, taxiiMediaType, "", good, 404, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.taxii(taxiiReq{method: "POST", path: tc.path, auth: tc.auth, contentType: tc.contentType, accept: tc.accept, body: tc.body})
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if ct := r.header.Get("Content-Type"); ct != taxiiMediaType {
				t.Errorf("Content-Type = %q", ct)
			}
			if r.status >= 400 {
				checkErrorShape(t, r.status, r.body)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}

	// The submission went through the same intake as POST /api/v1/submissions:
	// it is stored, routed and readable there.
	r := w.taxii(taxiiReq{path: colPath(sharing.ChannelIntake, "objects/?match[id]="+indicatorID(10)), auth: w.a})
	if d := cmp.Diff([]string{indicatorID(10)}, objectIDs(r.body)); d != "" {
		t.Errorf("intake read-back: %s", d)
	}
	r = w.taxii(taxiiReq{path: colPath(sharing.ChannelISACMembers, "objects/?match[id]="+indicatorID(10)), auth: w.b})
	if d := cmp.Diff([]string{indicatorID(10)}, objectIDs(r.body)); d != "" {
		t.Errorf("routed to isac-members: %s", d)
	}

	statusTests := []struct {
		name   string
		id     string
		auth   string
		status int
	}{
		{"own status", w.statusID, w.a, 200},
		{"own status over basic", w.statusID, basic("carrier-a", w.apiKey(t, "carrier-a")), 200},
		{"another organization's", w.statusID, w.b, 404},
		{"without credentials", w.statusID, "", 401},
		{"unknown", "2b1c3d4e-0000-4000-8000-000000000000", w.a, 404},
	}
	for _, tc := range statusTests {
		t.Run("status: "+tc.name, func(t *testing.T) {
			r := w.taxii(taxiiReq{path: "/taxii2/hub/status/" + tc.id + "/", auth: tc.auth})
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if r.status == 200 && (r.body["id"] != tc.id || r.body["success_count"] != 3.0) {
				t.Errorf("status body: %s", r.raw)
			}
		})
	}
}

func TestBasicAuthOnAPI(t *testing.T) {
	f := newFixture(t, 0)
	key := f.apiKey(t, "carrier-a")
	bundle := readFixture(t, "outage.json")
	do := func(auth string) int {
		req := httptest.NewRequest("POST", "/api/v1/submissions", bytes.NewReader(bundle))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/json")
		resp, err := f.srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 401 {
			if v := resp.Header.Values("WWW-Authenticate"); !slices.ContainsFunc(v, func(s string) bool { return strings.HasPrefix(s, "Basic") }) ||
				!slices.ContainsFunc(v, func(s string) bool { return strings.HasPrefix(s, "Bearer") }) {
				t.Errorf("401 challenges %q, want Bearer and Basic", v)
			}
		}
		return resp.StatusCode
	}
	if got := do(basic("carrier-a", key)); got != http.StatusCreated {
		t.Fatalf("submit over basic: %d", got)
	}
	for name, auth := range map[string]string{
		"wrong key":          basic("carrier-a", key+"x"),
		"key of another org": basic("carrier-b", key),
		"not base64":         "Basic !!!",
		"no colon":           "Basic " + base64.StdEncoding.EncodeToString([]byte("carrier-a")),
	} {
		if got := do(auth); got != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, got)
		}
	}
	// Revoked keys stop working at once.
	keys, _ := f.db.FindAPIKeys(context.Background(), "carrier-a")
	if err := f.db.RevokeAPIKey(context.Background(), keys[0].ID, time.Now(), sharing.AuditEvent{Actor: "operator", Action: sharing.AuditTokenRevoke, Subject: keys[0].ID}); err != nil {
		t.Fatal(err)
	}
	if got := do(basic("carrier-a", key)); got != http.StatusUnauthorized {
		t.Errorf("revoked key: %d, want 401", got)
	}
}

// TestTAXIIPagingTenThousand posts 10,000 objects (9,500 indicators, and an
// attack pattern every 20th) through the intake in batches that all share one
// date_added (the test clock stands still), and reads them back from
// isac-members with limits 7, 100 and 1,000 using next: every id exactly once.
// Limit 1 walks the 500 attack patterns (match[type]), which sit among the
// indicators in the same date_added, and then everything: 10,000 requests.
func TestTAXIIPagingTenThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("posts 10,000 objects")
	}
	const total, batch = 10_000, 2_000
	f := newFixture(t, 0)
	a, b := bearer(f.token("carrier-a", "carrier")), bearer(f.token("carrier-b", "carrier"))
	want, patterns := map[string]bool{}, map[string]bool{}
	for start := 0; start < total; start += batch {
		objs := make([]map[string]any, 0, batch)
		for n := start; n < start+batch; n++ {
			o := indicator(1000+n, "2026-07-10T01:00:00.000Z", tlpGreen)
			if n%20 == 0 {
				o = map[string]any{"type": "attack-pattern", "spec_version": "2.1", "id": strings.Replace(indicatorID(1000+n), "indicator", "attack-pattern", 1),
					"created": "2026-07-10T01:00:00.000Z", "modified": "2026-07-10T01:00:00.000Z", "name": fmt.Sprintf("Pattern %d", n),
					"object_marking_refs": []string{tlpGreen}}
				patterns[o["id"].(string)] = true
			}
			objs = append(objs, o)
			want[o["id"].(string)] = true
		}
		r := f.post(a, envelopeOf(objs...))
		if r.body["success_count"] != float64(batch) {
			t.Fatalf("batch at %d: %s", start, r.raw)
		}
	}
	walk := func(limit int, filter string) (map[string]int, int) {
		seen := map[string]int{}
		pages := 0
		next := ""
		for {
			q := fmt.Sprintf("objects/?limit=%d%s", limit, filter)
			if next != "" {
				q += "&next=" + url.QueryEscape(next)
			}
			r := f.taxii(taxiiReq{path: colPath(sharing.ChannelISACMembers, q), auth: b})
			if r.status != 200 {
				t.Fatalf("limit %d page %d: %d %s", limit, pages, r.status, r.raw)
			}
			pages++
			ids := objectIDs(r.body)
			if len(ids) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(ids))
			}
			for _, id := range ids {
				seen[id]++
			}
			if r.body["more"] != true {
				return seen, pages
			}
			next = r.body["next"].(string)
		}
	}
	check := func(limit int, seen map[string]int, want map[string]bool) {
		t.Helper()
		got := 0
		for id, n := range seen {
			if n != 1 {
				t.Errorf("limit %d: %s served %d times", limit, id, n)
			}
			if want[id] {
				got++
			}
		}
		if got != len(want) {
			t.Errorf("limit %d: %d of the %d ids served", limit, got, len(want))
		}
	}
	for _, limit := range []int{7, 100, 1000} {
		seen, _ := walk(limit, "")
		check(limit, seen, want) // the hub's support objects (markings, identity) come along once each
	}
	seen, pages := walk(1, "&match[type]=attack-pattern")
	check(1, seen, patterns)
	if len(seen) != len(patterns) || pages != len(patterns) {
		t.Errorf("limit 1: %d ids in %d pages, want %d", len(seen), pages, len(patterns))
	}
	// And limit 1 over everything: 10,000 pages, each id exactly once.
	seen, pages = walk(1, "")
	check(1, seen, want)
	if pages != len(seen) {
		t.Errorf("limit 1 over everything: %d ids in %d pages", len(seen), pages)
	}
}
