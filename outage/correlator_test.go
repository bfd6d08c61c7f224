package outage

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// clock is a fake clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func prefixes(s ...string) (out []netip.Prefix) {
	for _, p := range s {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}

// sig makes a signal observed at t0+min minutes.
func sig(id, org string, min int, sym Symptom, regions []string, asns []int64, pfx ...string) Signal {
	return Signal{ID: "incident--" + id, Organization: org, ObservedAt: t0.Add(time.Duration(min) * time.Minute), Symptom: sym,
		Regions: regions, UpstreamASNs: asns, Prefixes: prefixes(pfx...)}
}

func newTest(t *testing.T) (*Correlator, *clock, *[]Notification) {
	t.Helper()
	clk := &clock{t: t0}
	var mu sync.Mutex
	var got []Notification
	c, err := NewCorrelator(Config{Rules: DefaultRules(), Now: clk.Now, Notify: func(n Notification) {
		mu.Lock()
		got = append(got, n)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	return c, clk, &got
}

// step is one thing that happens in a correlation scenario.
type step struct {
	at  int // minutes after t0 on the clock
	sig *Signal
}

func TestCorrelate(t *testing.T) {
	tokyo := []string{"13"}
	osaka := []string{"27"}
	tests := []struct {
		name  string
		steps []step
		want  []string // notification kinds, each with the event's organizations
	}{
		{name: "two carriers same region open an event", steps: []step{
			{at: 0, sig: ptr(sig("a1", "carrier-a", 0, NoConnectivity, tokyo, nil))},
			{at: 3, sig: ptr(sig("b1", "carrier-b", 3, PacketLoss, tokyo, nil))},
		}, want: []string{"opened carrier-a,carrier-b"}},
		{name: "same carrier twice opens nothing", steps: []step{
			{at: 0, sig: ptr(sig("a1", "carrier-a", 0, NoConnectivity, tokyo, nil))},
			{at: 2, sig: ptr(sig("a2", "carrier-a", 2, NoConnectivity, tokyo, nil))},
		}},
		{name: "different symptom family opens nothing", steps: []step{
			{at: 0, sig: ptr(sig("a1", "carrier-a", 0, DNSFailure, tokyo, nil))},
			{at: 2, sig: ptr(sig("b1", "carrier-b", 2, CallFailure, tokyo, nil))},
		}},
		{name: "different regions and nothing shared opens nothing", steps: []step{
			{at: 0, sig: ptr(sig("a1", "carrier-a", 0, NoConnectivity, tokyo, []int64{64511}))},
			{at: 2, sig: ptr(sig("b1", "carrier-b", 2, NoConnectivity, osaka, []int64{64512}))},
		}},
		{name: "outside the window opens nothing", steps: []step{
			{at: 0, sig: ptr(sig("a1", "carrier-a", 0, NoConnectivity, tokyo, nil))},
			{at: 16, sig: ptr(sig("b1", "carrier-b", 16, NoConnectivity, tokyo, nil))},
		}},
		{name: "shared upstream ASN without a region opens an event", steps: []step{
			{at: 0, sig: ptr(sig("a1", "carrier-a", 0, NoConnectivity, tokyo, []int64{64511}))},
			{at: 5, sig: ptr(sig("b1", "carrier-b", 5, HighLatency, osaka, []int64{64511}))},
		}, want: []string{"opened carrier-a,carrier-b"}},
		{name: "overlapping prefix opens an event", steps: []step{
			{at: 0, sig: ptr(sig("a1", "carrier-a", 0, NoConnectivity, nil, nil, "203.0.113.0/24"))},
			{at: 1, sig: ptr(sig("r1", SourceRouting, 1, RoutingAnomaly, nil, []int64{64666}, "203.0.113.128/25"))},
		}, want: []string{"opened carrier-a,routing"}},
		{name: "quiet period closes", steps: []step{
			{at: 0, sig: ptr(sig("a1", "carrier-a", 0, NoConnectivity, tokyo, nil))},
			{at: 1, sig: ptr(sig("b1", "carrier-b", 1, NoConnectivity, tokyo, nil))},
			{at: 30},
			{at: 31},
		}, want: []string{"opened carrier-a,carrier-b", "closed carrier-a,carrier-b"}},
		{name: "a signal keeps it open", steps: []step{
			{at: 0, sig: ptr(sig("a1", "carrier-a", 0, NoConnectivity, tokyo, nil))},
			{at: 1, sig: ptr(sig("b1", "carrier-b", 1, NoConnectivity, tokyo, nil))},
			{at: 10, sig: ptr(sig("a2", "carrier-a", 10, NoConnectivity, tokyo, nil))},
			{at: 31},
			{at: 39},
			{at: 40},
		}, want: []string{"opened carrier-a,carrier-b", "updated carrier-a,carrier-b", "closed carrier-a,carrier-b"}},
		{name: "third carrier and a routing anomaly grow it", steps: []step{
			{at: 0, sig: ptr(sig("a1", "carrier-a", 0, NoConnectivity, tokyo, []int64{64511}, "203.0.113.0/24"))},
			{at: 2, sig: ptr(sig("b1", "carrier-b", 2, NoConnectivity, tokyo, []int64{64511}))},
			{at: 4, sig: ptr(sig("c1", "carrier-c", 4, PacketLoss, []string{"14"}, []int64{64511}))},
			{at: 5, sig: ptr(sig("r1", SourceRouting, 5, RoutingAnomaly, nil, []int64{64666}, "203.0.113.0/25"))},
		}, want: []string{"opened carrier-a,carrier-b", "updated carrier-a,carrier-b,carrier-c",
			"updated carrier-a,carrier-b,carrier-c,routing"}},
		{name: "a carrier and the routing source are two organizations", steps: []step{
			{at: 0, sig: ptr(sig("a1", "carrier-a", 0, NoConnectivity, nil, nil, "203.0.113.0/24"))},
			{at: 0, sig: ptr(sig("r1", SourceRouting, 0, RoutingWithdrawal, nil, nil, "203.0.113.0/24"))},
		}, want: []string{"opened carrier-a,routing"}},
		{name: "a user-report surge is not a voice and DNS bridge", steps: []step{
			{at: 0, sig: ptr(sig("a1", "carrier-a", 0, DNSFailure, tokyo, nil))},
			{at: 1, sig: ptr(sig("u1", SourceUserReports, 1, UserReportSurge, tokyo, nil))},
			{at: 2, sig: ptr(sig("b1", "carrier-b", 2, CallFailure, tokyo, nil))},
		}, want: []string{"opened carrier-a,user-reports"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, clk, got := newTest(t)
			for _, st := range tc.steps {
				clk.Set(t0.Add(time.Duration(st.at) * time.Minute))
				if st.sig == nil {
					c.Tick()
					continue
				}
				if _, err := c.Add(*st.sig); err != nil {
					t.Fatal(err)
				}
			}
			var kinds []string
			for _, n := range *got {
				kinds = append(kinds, string(n.Kind)+" "+strings.Join(n.Event.Organizations, ","))
			}
			if diff := cmp.Diff(tc.want, kinds); diff != "" {
				t.Errorf("notifications (-want +got):\n%s", diff)
			}
		})
	}
}

// marshal writes JSON as the hub's API does: without HTML escaping.
func marshal(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func ptr[T any](v T) *T { return &v }

func TestCorrelatorRejectsInvalid(t *testing.T) {
	c, _, got := newTest(t)
	s := sig("a1", "carrier-a", 0, "slow", []string{"13"}, nil)
	if _, err := c.Add(s); err == nil {
		t.Fatal("invalid signal accepted")
	}
	if len(*got) != 0 || len(c.Events("")) != 0 {
		t.Error("an invalid signal changed something")
	}
}

func TestEventSnapshotAndLookup(t *testing.T) {
	c, _, _ := newTest(t)
	c.Add(sig("a1", "carrier-a", 0, NoConnectivity, []string{"13"}, nil))
	res, _ := c.Add(sig("b1", "carrier-b", 1, NoConnectivity, []string{"13", "14"}, []int64{64511}))
	if !res.Opened {
		t.Fatalf("result %+v, want an opened event", res)
	}
	e, err := c.FindEventByID(res.EventID)
	if err != nil {
		t.Fatal(err)
	}
	c.Add(sig("c1", "carrier-c", 2, NoConnectivity, []string{"27"}, []int64{64511}))
	if len(e.Signals) != 2 || len(e.Regions) != 2 {
		t.Errorf("snapshot changed after the event grew: %+v", e)
	}
	e2, _ := c.FindEventByID(res.EventID)
	if e2.SignalCount != 3 || len(e2.Regions) != 3 {
		t.Errorf("grown event %+v", e2)
	}
	if _, err := c.FindEventByID("sector-event--nope"); err == nil {
		t.Error("unknown event found")
	}
	// The same signals make the same id: a replay is deterministic.
	c2, _, _ := newTest(t)
	c2.Add(sig("a1", "carrier-a", 0, NoConnectivity, []string{"13"}, nil))
	res2, _ := c2.Add(sig("b1", "carrier-b", 1, NoConnectivity, []string{"13", "14"}, []int64{64511}))
	if res2.EventID != res.EventID {
		t.Errorf("replay opened %s, first run %s", res2.EventID, res.EventID)
	}
}

func TestViews(t *testing.T) {
	carriers := []Carrier{
		{ID: "carrier-a", ASNs: []int64{64500}, Prefixes: prefixes("203.0.113.0/24", "2001:db8:100::/48")},
		{ID: "carrier-b", ASNs: []int64{64501}, Prefixes: prefixes("198.51.100.0/24")},
	}
	c, _, _ := newTest(t)
	c.Add(sig("a1", "carrier-a", 0, NoConnectivity, []string{"13"}, []int64{64511, 64500}, "203.0.113.0/24", "2001:db8:100::/48"))
	c.Add(sig("b1", "carrier-b", 1, PacketLoss, []string{"13"}, []int64{64511, 64501}, "198.51.100.0/25"))
	c.Add(sig("r1", SourceRouting, 2, RoutingAnomaly, nil, []int64{64666}, "203.0.113.0/25", "192.0.2.0/24"))
	ev := c.Events(StatusOpen)
	if len(ev) != 1 {
		t.Fatalf("%d events, want 1", len(ev))
	}
	id := ev[0].Identified()
	if diff := cmp.Diff(CarrierList{IDs: []string{"carrier-a", "carrier-b"}, Named: true}, id.Carriers); diff != "" {
		t.Errorf("identified carriers (-want +got):\n%s", diff)
	}
	if len(id.SignalIDs) != 3 || len(id.UpstreamASNs) != 4 {
		t.Errorf("identified view %+v", id)
	}
	an := ev[0].Anonymized(carriers)
	text := marshal(t, an)
	for _, secret := range []string{"carrier-a", "carrier-b", "64500", "64501", "203.0.113", "198.51.100", "2001:db8:100", "incident--"} {
		if strings.Contains(text, secret) {
			t.Errorf("anonymized view contains %q: %s", secret, text)
		}
	}
	for _, want := range []string{`"carriers":"<3"`, `"upstream_asns":[64511,64666]`, `"prefixes":["192.0.2.0/24"]`, `"sources":["routing"]`, `"signals":3`} {
		if !strings.Contains(text, want) {
			t.Errorf("anonymized view lacks %s: %s", want, text)
		}
	}
}

func TestCarrierListJSON(t *testing.T) {
	for _, tc := range []struct {
		l    CarrierList
		want string
	}{
		{CarrierList{Count: 1}, `"<3"`}, {CarrierList{Count: 2}, `"<3"`}, {CarrierList{Count: 3}, `3`}, {CarrierList{Count: 0}, `0`},
		{CarrierList{Named: true}, `[]`}, {CarrierList{Named: true, IDs: []string{"carrier-a"}}, `["carrier-a"]`},
	} {
		if b := marshal(t, tc.l); b != tc.want {
			t.Errorf("%+v → %s, want %s", tc.l, b, tc.want)
		}
	}
}

func TestCorrelatorBoundedAndConcurrent(t *testing.T) {
	rules := DefaultRules()
	rules.MaxPending = 1000
	clk := &clock{t: t0}
	c, err := NewCorrelator(Config{Rules: rules, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				// Each worker is one organization in its own region: nothing groups.
				c.Add(sig(fmt.Sprintf("%d-%d", w, i), fmt.Sprintf("carrier-%d", w), 0, NoConnectivity,
					[]string{fmt.Sprintf("%02d", w+1)}, []int64{int64(65000 + w)}))
				if i%100 == 0 {
					c.Tick()
					c.Events("")
				}
			}
		}()
	}
	wg.Wait()
	c.mu.Lock()
	live := c.live
	c.mu.Unlock()
	if live > rules.MaxPending {
		t.Errorf("%d held signals, bound %d", live, rules.MaxPending)
	}
	if n := len(c.Events("")); n != 0 {
		t.Errorf("%d events from organizations that share nothing", n)
	}
	clk.Add(20 * time.Minute)
	c.Tick()
	c.mu.Lock()
	live = c.live
	c.mu.Unlock()
	if live != 0 {
		t.Errorf("%d held signals after the window passed", live)
	}
}
