package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

const afternoonDir = "../../outage/testdata/afternoon"

// sseMessage is one Server-Sent Event as a test reads it.
type sseMessage struct {
	Kind string
	Data map[string]any
	Raw  string
	At   time.Time
}

// openStream reads GET /api/v1/events/stream as org until the test ends.
func openStream(t testing.TB, ctx context.Context, base, tok string) <-chan sseMessage {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseMessage, 100)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<22)
		var m sseMessage
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				m.Kind = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				m.Raw = strings.TrimPrefix(line, "data: ")
				var msg struct {
					Event map[string]any `json:"event"`
				}
				_ = json.Unmarshal([]byte(m.Raw), &msg)
				m.Data = msg.Event
			case line == "" && m.Kind != "":
				m.At = time.Now()
				out <- m
				m = sseMessage{}
			}
		}
	}()
	return out
}

// webhookSink records signed deliveries.
type webhookSink struct {
	mu     sync.Mutex
	bodies map[string][]string // path → bodies whose signature verified
	bad    int
}

func (w *webhookSink) handler(secrets map[string][]byte) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		defer w.mu.Unlock()
		secret := secrets[r.URL.Path]
		if secret == nil || !sharing.VerifySignature(secret, body, r.Header.Get(sharing.SignatureHeader)) {
			w.bad++
			rw.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.bodies[r.URL.Path] = append(w.bodies[r.URL.Path], string(body))
	})
}

func (w *webhookSink) get(path string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.bodies[path])
}

// afternoonRegistry writes the demo world plus what issue #16 needs: a
// fourth carrier that never signals, a sensor, and webhooks for mic,
// carrier-c and finance-isac on a loopback server.
func afternoonRegistry(t *testing.T, dir, hookURL string) map[string][]byte {
	t.Helper()
	if _, err := ensureDemoWorld(dir); err != nil {
		t.Fatal(err)
	}
	reg, err := sharing.LoadRegistry(filepath.Join(dir, "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	orgs := reg.Organizations()
	orgs = append(orgs,
		&sharing.Organization{ID: "carrier-d", Role: sharing.RoleCarrier, Identity: "identity--1d2d3d4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d",
			Name: "Momiji Broadband", Aliases: []string{"もみじブロードバンド"}, Networks: prefixes("100.64.10.0/24"), ASNs: []int64{64503}},
		&sharing.Organization{ID: "ris-sensor", Role: sharing.RoleSensor, Identity: "identity--2e3e4e5e-6f7a-4b2c-9d3e-4f5a6b7c8d9e", Name: "Route monitor"})
	secrets := map[string][]byte{}
	for _, o := range orgs {
		switch o.ID {
		case "mic", "carrier-c", "finance-isac":
			secret := []byte("s3cret-of-" + o.ID + "-0123456789")
			file := filepath.Join(dir, o.ID+".hook")
			if err := os.WriteFile(file, secret, 0o600); err != nil {
				t.Fatal(err)
			}
			o.Webhook = &sharing.Webhook{URL: hookURL + "/" + o.ID, SecretFile: file}
			secrets["/"+o.ID] = secret
		}
	}
	y, err := sharing.MarshalRegistry(orgs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "registry.yaml"), y, 0o600); err != nil {
		t.Fatal(err)
	}
	return secrets
}

// replayItem is one thing to send, at its (shifted) time.
type replayItem struct {
	at   time.Time
	kind string // signal, bgp, posts
	org  string
	body []byte
}

// afternoon reads testdata/afternoon with every time moved by shift. Posts
// are sent a minute at a time, at the end of their minute, so that a tick of
// the hub never closes a minute half sent.
func afternoon(t *testing.T, shift time.Duration) []replayItem {
	t.Helper()
	var items []replayItem
	var sigs []struct {
		ID           string         `json:"id"`
		Organization string         `json:"organization"`
		Extension    map[string]any `json:"extension"`
	}
	b, err := os.ReadFile(filepath.Join(afternoonDir, "signals.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sigs); err != nil {
		t.Fatal(err)
	}
	for _, s := range sigs {
		sig := s.Extension["signal"].(map[string]any)
		at, _ := time.Parse(time.RFC3339, sig["observed_at"].(string))
		at = at.Add(shift)
		sig["observed_at"] = at.UTC().Format(time.RFC3339)
		ts := stix.FormatTimestamp(at.Add(5 * time.Second))
		bundle := map[string]any{"type": "bundle", "id": "bundle--" + s.ID[len("incident--"):], "objects": []any{map[string]any{
			"type": "incident", "spec_version": "2.1", "id": s.ID, "created": ts, "modified": ts, "name": "Outage signal",
			"extensions": map[string]any{stix.TelecomExtensionID: s.Extension}}}}
		raw, _ := json.Marshal(bundle)
		items = append(items, replayItem{at: at, kind: "signal", org: s.Organization, body: raw})
	}
	f, err := os.ReadFile(filepath.Join(afternoonDir, "route-leak.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(f)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		d := m["data"].(map[string]any)
		at := time.Now()
		if ts, ok := d["timestamp"].(float64); ok {
			at = time.Unix(int64(ts), 0).Add(shift)
			d["timestamp"] = float64(at.Unix())
		} else {
			continue
		}
		raw, _ := json.Marshal(m)
		items = append(items, replayItem{at: at, kind: "bgp", body: append(raw, '\n')})
	}
	p, err := os.ReadFile(filepath.Join(afternoonDir, "posts.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	byMinute := map[time.Time]*bytes.Buffer{}
	for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		var post struct {
			Time time.Time `json:"time"`
			Text string    `json:"text"`
		}
		if err := json.Unmarshal([]byte(line), &post); err != nil {
			t.Fatal(err)
		}
		post.Time = post.Time.Add(shift)
		m := post.Time.Truncate(time.Minute)
		if byMinute[m] == nil {
			byMinute[m] = &bytes.Buffer{}
		}
		raw, _ := json.Marshal(post)
		byMinute[m].Write(append(raw, '\n'))
	}
	for m, buf := range byMinute {
		items = append(items, replayItem{at: m.Add(time.Minute - time.Millisecond), kind: "posts", body: buf.Bytes()})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].at.Before(items[j].at) })
	return items
}

func postLines(t testing.TB, url, tok, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

func getRaw(t *testing.T, url, tok string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// secretsOfCarriers are what no anonymized view or copy may show: the
// reporting carriers' names, ASNs, networks and ids, and the signals' ids.
var secretsOfCarriers = []string{"carrier-a", "carrier-b", "carrier-c", "Sakura", "さくら", "Kaede", "かえで", "Tsubaki", "つばき",
	"64500", "64501", "64502", "203.0.113", "198.51.100", "192.0.2.", "2001:db8", "incident--1f0c4a52"}

func assertNoSecrets(t *testing.T, what, text string) {
	t.Helper()
	for _, s := range secretsOfCarriers {
		if strings.Contains(text, s) {
			t.Errorf("%s leaks %q: %s", what, s, text)
		}
	}
}

// TestReplayAfternoonThroughHub replays outage/testdata/afternoon through a
// real hub on loopback (issue #16 §7): carriers' signals through the API, the
// route leak and the posts through the sensor endpoints, in time order with
// every time moved to now. One sector event opens at the second carrier's
// signal and grows to three carriers plus the routing anomaly; MIC sees it
// identified, carrier-c anonymized, finance-isac and carrier-d nothing; the
// webhooks receive it signed; the STIX channels carry it.
func TestReplayAfternoonThroughHub(t *testing.T) {
	sink := &webhookSink{bodies: map[string][]string{}}
	var secrets map[string][]byte
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sink.handler(secrets).ServeHTTP(w, r) }))
	defer hook.Close()
	dir := t.TempDir()
	secrets = afternoonRegistry(t, dir, hook.URL)
	h := startHub(t, "--demo", "--data", dir)
	stopped := false
	defer func() {
		if !stopped {
			h.stop(t)
		}
	}()
	tok := readTokens(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	streams := map[string]<-chan sseMessage{}
	for _, org := range []string{"mic", "carrier-b", "carrier-c", "carrier-d", "finance-isac", "nisc"} {
		streams[org] = openStream(t, ctx, h.base, tok[org])
	}

	// Attack: a carrier may not send outside-source lines.
	if code, _ := postLines(t, h.base+"/api/v1/signals/bgp", tok["carrier-a"], "application/x-ndjson", []byte("{}\n")); code != http.StatusForbidden {
		t.Errorf("carrier POST /signals/bgp: %d, want 403", code)
	}
	if code, _ := postLines(t, h.base+"/api/v1/signals/posts", tok["finance-isac"], "application/json", []byte("")); code != http.StatusForbidden {
		t.Errorf("finance-isac POST /signals/posts: %d, want 403", code)
	}

	last, _ := time.Parse(time.RFC3339, "2026-07-10T05:10:00Z")
	shift := time.Now().Add(-30 * time.Second).Truncate(time.Minute).Sub(last)
	var ackSecond time.Time
	for _, it := range afternoon(t, shift) {
		switch it.kind {
		case "signal":
			code, body := postLines(t, h.base+"/api/v1/submissions", tok[it.org], "application/json", it.body)
			if code != http.StatusCreated {
				t.Fatalf("signal of %s: %d %s", it.org, code, body)
			}
			var r struct {
				Obligations []any `json:"obligations"`
				Incidents   []any `json:"incidents"`
			}
			_ = json.Unmarshal(body, &r)
			if len(r.Obligations) != 0 || len(r.Incidents) != 0 {
				t.Errorf("an outage signal was classified: %s", body)
			}
			if it.org == "carrier-b" && ackSecond.IsZero() && strings.Contains(string(it.body), "packet-loss") {
				ackSecond = time.Now()
			}
		case "bgp", "posts":
			code, body := postLines(t, h.base+"/api/v1/signals/"+it.kind, tok["ris-sensor"], "application/x-ndjson", it.body)
			if code != http.StatusOK {
				t.Fatalf("POST /signals/%s: %d %s", it.kind, code, body)
			}
		}
	}

	// MIC: opened with carriers a and b, then grows to three carriers,
	// routing and user reports, identified.
	var micMsgs []sseMessage
	deadline := time.After(20 * time.Second)
	for done := false; !done; {
		select {
		case m := <-streams["mic"]:
			micMsgs = append(micMsgs, m)
			c, _ := m.Data["carriers"].([]any)
			src, _ := m.Data["sources"].([]any)
			done = len(c) == 3 && slices.Contains(src, any("routing")) && slices.Contains(src, any("user-reports"))
		case <-deadline:
			t.Fatalf("mic stream: the event never grew to three carriers, routing and user reports: %d messages", len(micMsgs))
		}
	}
	if micMsgs[0].Kind != "opened" || fmt.Sprint(micMsgs[0].Data["carriers"]) != "[carrier-a carrier-b]" {
		t.Errorf("first mic message %s %s, want opened by carrier-a and carrier-b", micMsgs[0].Kind, micMsgs[0].Raw)
	}
	latency := micMsgs[0].At.Sub(ackSecond)
	t.Logf("event opened on the stream %v after the second carrier's signal was acknowledged", latency)
	if latency > time.Second {
		t.Errorf("opened %v after the acknowledgement, want within 1s", latency)
	}
	eventID := micMsgs[0].Data["id"].(string)
	for _, m := range micMsgs {
		if m.Data["id"] != eventID {
			t.Errorf("a second event %v: the afternoon is one event", m.Data["id"])
		}
	}

	// carrier-c: anonymized, from the signal it sent on; no names, ASNs or
	// prefixes of the reporting carriers.
	var cMsg sseMessage
	select {
	case cMsg = <-streams["carrier-c"]:
	case <-time.After(5 * time.Second):
		t.Fatal("carrier-c saw nothing of the event it signalled")
	}
	assertNoSecrets(t, "carrier-c's stream", cMsg.Raw)
	if cMsg.Data["carriers"] != float64(3) {
		t.Errorf("carrier-c sees carriers %v, want 3", cMsg.Data["carriers"])
	}

	// GET /events and /events/{id}: who sees what. Streams go first; the
	// store follows within milliseconds.
	waitFor(t, 5*time.Second, "mic's GET /events to list the grown event", func() bool {
		code, body := getRaw(t, h.base+"/api/v1/events?status=open", tok["mic"])
		return code == 200 && strings.Contains(string(body), `"carriers":["carrier-a","carrier-b","carrier-c"]`)
	})
	for _, org := range []string{"carrier-c", "nisc", "ict-isac"} {
		code, body := getRaw(t, h.base+"/api/v1/events/"+eventID, tok[org])
		if code != 200 || !strings.Contains(string(body), `"carriers":3`) {
			t.Errorf("%s GET /events/{id}: %d %s", org, code, body)
		}
		assertNoSecrets(t, org+"'s view", string(body))
	}
	for _, org := range []string{"finance-isac", "carrier-d", "cabinet-office", "hub-admin", "ris-sensor"} {
		if code, body := getRaw(t, h.base+"/api/v1/events/"+eventID, tok[org]); code != http.StatusNotFound {
			t.Errorf("%s GET /events/{id}: %d %s, want 404", org, code, body)
		}
		if code, body := getRaw(t, h.base+"/api/v1/events", tok[org]); code != 200 || string(body) != `{"events":[]}` {
			t.Errorf("%s GET /events: %d %s, want none", org, code, body)
		}
	}
	for _, org := range []string{"finance-isac", "carrier-d"} {
		select {
		case m := <-streams[org]:
			t.Errorf("%s's stream got %s %s", org, m.Kind, m.Raw)
		default:
		}
	}

	// Webhooks: signed; mic identified, carrier-c anonymized, finance-isac nothing.
	waitFor(t, 10*time.Second, "mic's webhook to receive the grown event", func() bool {
		for _, b := range sink.get("/mic") {
			if strings.Contains(b, `"carriers":["carrier-a","carrier-b","carrier-c"]`) {
				return true
			}
		}
		return false
	})
	waitFor(t, 10*time.Second, "carrier-c's webhook", func() bool { return len(sink.get("/carrier-c")) > 0 })
	for _, b := range sink.get("/carrier-c") {
		assertNoSecrets(t, "carrier-c's webhook", b)
	}
	if n := len(sink.get("/finance-isac")); n != 0 || sink.bad != 0 {
		t.Errorf("finance-isac webhook got %d deliveries; %d deliveries failed the signature", n, sink.bad)
	}

	// STIX: the groupings in the event channels, through TAXII.
	gid := "grouping--" + strings.TrimPrefix(eventID, "sector-event--")
	taxii := func(org, col string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, h.base+"/taxii2/hub/collections/"+col+"/objects/", nil)
		req.Header.Set("Authorization", "Bearer "+tok[org])
		req.Header.Set("Accept", "application/taxii+json;version=2.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	waitFor(t, 10*time.Second, "the groupings in the TAXII collections", func() bool {
		_, reg := taxii("mic", "sector-events-regulator")
		_, an := taxii("carrier-c", "sector-events")
		return strings.Contains(reg, gid) && strings.Contains(reg, "carrier-c") && strings.Contains(an, gid) && strings.Contains(an, `"carriers":3`)
	})
	_, an := taxii("carrier-c", "sector-events")
	assertNoSecrets(t, "the sector-events collection", an)
	if code, body := taxii("finance-isac", "sector-events"); code != http.StatusNotFound {
		t.Errorf("finance-isac reads sector-events: %d %s", code, body)
	}
	if _, body := taxii("carrier-d", "sector-events"); strings.Contains(body, gid) {
		t.Errorf("carrier-d, which did not signal, reads the event: %s", body)
	}

	// The event outlives the hub (stored, closed at the next start), and the
	// hub's releases in the event channels pass audit verification.
	cancel()
	h.stop(t)
	stopped = true
	e, out, errb := testEnv("")
	if code := run(context.Background(), []string{"audit", "verify", "--data", dir}, e); code != exitOK {
		t.Errorf("audit verify: %d\n%s%s", code, out, errb)
	}
	h2 := startHub(t, "--demo", "--data", dir)
	defer h2.stop(t)
	code, body := getRaw(t, h2.base+"/api/v1/events?status=closed", tok["mic"])
	if code != 200 || !strings.Contains(string(body), eventID) {
		t.Errorf("after a restart, mic GET /events?status=closed: %d %s", code, body)
	}
}

// TestSignalsCommand runs the offline replay commands on the afternoon's
// route leak and posts: signals as JSON lines, progress and a summary.
func TestSignalsCommand(t *testing.T) {
	dir := t.TempDir()
	if _, err := ensureDemoWorld(dir); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, kind, file, summary, symptom string
	}{
		{name: "bgp", kind: "bgp", file: "route-leak.ndjson", summary: "bgp: 3 messages, 2 signals (routing-anomaly 2), 0 events", symptom: `"symptom":"routing-anomaly"`},
		{name: "posts", kind: "posts", file: "posts.ndjson", summary: "posts: 154 messages, 1 signals (user-report-surge 1), 0 events", symptom: `"symptom":"user-report-surge"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, out, errb := testEnv("")
			code := run(context.Background(), []string{"signals", tc.kind, "--registry", filepath.Join(dir, "registry.yaml"), "--progress", filepath.Join(afternoonDir, tc.file)}, e)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errb)
			}
			if !strings.Contains(errb.String(), "\r"+tc.kind+": ") || !strings.Contains(errb.String(), tc.summary) {
				t.Errorf("stderr %q, want progress and %q", errb, tc.summary)
			}
			if !strings.Contains(out.String(), tc.symptom) || !strings.Contains(out.String(), `"concerns":["carrier-a"]`) {
				t.Errorf("stdout %s", out)
			}
		})
	}
	e, _, errb := testEnv("")
	if code := run(context.Background(), []string{"signals", "dns"}, e); code != exitUsage {
		t.Errorf("signals dns: %d %s", code, errb)
	}
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !ok() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
