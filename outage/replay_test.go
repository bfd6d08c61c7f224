package outage_test

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/outage/post"
	"github.com/kakehashi-hub/kakehashi/outage/ris"
)

// TestReplayAfternoon replays testdata/afternoon through the core: three
// carriers' signals (and one unrelated voice signal), a route leak of
// carrier-a's more-specifics by the upstream AS64511 in RIS Live lines, and
// a surge of posts about carrier-a. One sector event opens at the second
// carrier's signal and grows to three carriers plus the routing anomaly
// (and the user reports); it closes after the quiet period.
func TestReplayAfternoon(t *testing.T) {
	dir := filepath.Join("testdata", "afternoon")
	carriers := loadCarriers(t, filepath.Join(dir, "carriers.json"))

	type item struct {
		at  time.Time
		sig outage.Signal
	}
	var items []item
	var raw []struct {
		ID           string          `json:"id"`
		Organization string          `json:"organization"`
		Extension    json.RawMessage `json:"extension"`
	}
	readJSON(t, filepath.Join(dir, "signals.json"), &raw)
	for _, r := range raw {
		s, err := outage.DecodeSignal(r.ID, r.Organization, r.Extension)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, item{s.ObservedAt, s})
	}
	bgp, err := ris.NewDetector(ris.Config{Carriers: carriers})
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, filepath.Join(dir, "route-leak.ndjson"))
	if err := ris.Read(f, func(u ris.Update) error {
		for _, s := range bgp.Observe(u) {
			items = append(items, item{s.ObservedAt, s})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	posts, err := post.NewDetector(post.Config{Carriers: carriers})
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	if err := post.Read(open(t, filepath.Join(dir, "posts.ndjson")), func(p post.Post) error {
		last = p.Time
		for _, s := range posts.Observe(p) {
			// A minute's surge is known when the minute ends.
			items = append(items, item{s.ObservedAt.Add(time.Minute), s})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, s := range posts.Flush(last.Add(time.Minute)) {
		items = append(items, item{s.ObservedAt.Add(time.Minute), s})
	}
	slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })

	var now time.Time
	var log []string
	c, err := outage.NewCorrelator(outage.Config{Rules: outage.DefaultRules(), Now: func() time.Time { return now },
		Notify: func(n outage.Notification) {
			log = append(log, string(n.Kind)+" "+strings.Join(n.Event.Organizations, ","))
		}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		now = it.at.Add(2 * time.Second) // acknowledged two seconds after it was observed
		if _, err := c.Add(it.sig); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"opened carrier-a,carrier-b",
		"updated carrier-a,carrier-b,routing",
		"updated carrier-a,carrier-b,routing",
		"updated carrier-a,carrier-b,routing,user-reports",
		"updated carrier-a,carrier-b,carrier-c,routing,user-reports",
	}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Fatalf("notifications (-want +got):\n%s", diff)
	}
	events := c.Events(outage.StatusOpen)
	if len(events) != 1 {
		t.Fatalf("%d open events, want 1", len(events))
	}
	ev := events[0]
	id := ev.Identified()
	if diff := cmp.Diff([]string{"carrier-a", "carrier-b", "carrier-c"}, id.Carriers.IDs); diff != "" {
		t.Errorf("identified carriers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"routing", "user-reports"}, id.Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if !slices.Contains(id.Symptoms, outage.RoutingAnomaly) || !slices.Equal(id.Regions, []string{"13", "14", "27"}) {
		t.Errorf("identified view %+v", id)
	}

	an := ev.Anonymized(carriers)
	b, _ := json.Marshal(an)
	text := string(b)
	for _, secret := range []string{"carrier-", "Sakura", "さくら", "64500", "64501", "64502", "203.0.113", "198.51.100", "192.0.2.", "incident--"} {
		if strings.Contains(text, secret) {
			t.Errorf("anonymized view leaks %q: %s", secret, text)
		}
	}
	if an.Carriers.Count != 3 || !slices.Equal(an.UpstreamASNs, []int64{64511}) || len(an.Prefixes) != 0 {
		t.Errorf("anonymized view %s", text)
	}

	now = now.Add(outage.DefaultRules().Quiet)
	c.Tick()
	if got := log[len(log)-1]; got != "closed carrier-a,carrier-b,carrier-c,routing,user-reports" {
		t.Errorf("last notification %q, want the event closed", got)
	}
}

func loadCarriers(t *testing.T, path string) []outage.Carrier {
	var raw []struct {
		ID       string   `json:"id"`
		Names    []string `json:"names"`
		ASNs     []int64  `json:"asns"`
		Prefixes []string `json:"prefixes"`
	}
	readJSON(t, path, &raw)
	var out []outage.Carrier
	for _, r := range raw {
		c := outage.Carrier{ID: r.ID, Names: r.Names, ASNs: r.ASNs}
		for _, p := range r.Prefixes {
			c.Prefixes = append(c.Prefixes, netip.MustParsePrefix(p))
		}
		out = append(out, c)
	}
	return out
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func open(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
