package ris

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/outage"
)

var carriers = []outage.Carrier{
	{ID: "carrier-a", ASNs: []int64{64500}, Prefixes: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8:100::/48")}},
	{ID: "carrier-b", ASNs: []int64{64501}, Prefixes: []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")}},
}

func announce(ts, path, prefix string) string {
	return `{"type":"ris_message","data":{"timestamp":` + ts + `,"peer":"192.0.2.1","peer_asn":"64496","id":"x","host":"rrc06","type":"UPDATE","path":[` + path + `],"community":[[64496,1]],"origin":"igp","announcements":[{"next_hop":"192.0.2.1","prefixes":["` + prefix + `"]}]}}`
}

func withdraw(ts, peer, prefix string) string {
	return `{"type":"ris_message","data":{"timestamp":` + ts + `,"peer":"` + peer + `","peer_asn":"64496","host":"rrc06","type":"UPDATE","path":[],"withdrawals":["` + prefix + `"]}}`
}

func TestParse(t *testing.T) {
	u, ok, err := Parse([]byte(announce("1783692000.25", "64496,3356,[64510,64511]", "203.0.113.0/25")))
	if err != nil || !ok {
		t.Fatalf("Parse: %v %v", ok, err)
	}
	want := Update{Time: time.Date(2026, 7, 10, 14, 0, 0, 250_000_000, time.UTC), Peer: "192.0.2.1", PeerASN: 64496, Host: "rrc06",
		Path: []int64{64496, 3356, 64510, 64511}, Origin: 0, Announcements: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/25")}}
	if diff := cmp.Diff(want, u, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }), cmp.Comparer(func(a, b time.Time) bool { return a.Sub(b).Abs() < time.Millisecond })); diff != "" {
		t.Errorf("update (-want +got):\n%s", diff)
	}
	for _, line := range []string{`{"type":"ris_subscribe_ok","data":{}}`, `{"type":"ris_message","data":{"type":"KEEPALIVE","timestamp":1}}`} {
		if _, ok, err := Parse([]byte(line)); ok || err != nil {
			t.Errorf("%s: ok=%v err=%v, want skipped", line, ok, err)
		}
	}
	for _, line := range []string{`{`, announce("1783692000", "64496", "203.0.113.0/33"), `{"type":"ris_message","data":{"type":"UPDATE","timestamp":1783692000,"path":["x"]}}`} {
		if _, _, err := Parse([]byte(line)); err == nil {
			t.Errorf("%s: no error", line)
		}
	}
}

func TestDetector(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []string // symptom prefixes concerns
	}{
		{name: "hijack of a more-specific", lines: []string{announce("1783692000", "64496,3356,64666", "203.0.113.128/25")},
			want: []string{"routing-anomaly [203.0.113.128/25] [carrier-a] [64666]"}},
		{name: "hijack of the registered network, seen by many peers, signals once", lines: []string{
			announce("1783692000", "64496,3356,64666", "198.51.100.0/24"),
			announce("1783692001", "64497,174,64666", "198.51.100.0/24"),
			announce("1783692002", "64498,2914,64666", "198.51.100.0/24")},
			want: []string{"routing-anomaly [198.51.100.0/24] [carrier-b] [64666]"}},
		{name: "legitimate origin ignored", lines: []string{
			announce("1783692000", "64496,3356,64500", "203.0.113.0/24"),
			announce("1783692000", "64496,3356,64500", "2001:db8:100::/56")}},
		{name: "a less-specific covering the carrier is not its prefix", lines: []string{announce("1783692000", "64496,64666", "203.0.0.0/16")}},
		{name: "unrelated prefix ignored", lines: []string{announce("1783692000", "64496,64666", "192.0.2.0/24")}},
		{name: "withdrawal burst", lines: burstLines(20, 10), want: []string{"routing-withdrawal [203.0.113.0/24] [carrier-a] []"}},
		{name: "withdrawals too slow", lines: burstLines(20, 30)},
		{name: "too few withdrawals", lines: burstLines(19, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewDetector(Config{Carriers: carriers})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			err = Read(strings.NewReader(strings.Join(tc.lines, "\n")), func(u Update) error {
				for _, s := range d.Observe(u) {
					if err := s.Validate(); err != nil {
						t.Errorf("invalid signal: %v", err)
					}
					got = append(got, string(s.Symptom)+" "+fmtList(s.Prefixes)+" "+fmtList(s.Concerns)+" "+fmtList(s.UpstreamASNs))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("signals (-want +got):\n%s", diff)
			}
		})
	}
}

// burstLines makes n withdrawals of carrier-a's network by different peers,
// step seconds apart.
func burstLines(n, step int) []string {
	var out []string
	for i := range n {
		out = append(out, withdraw(strconv.Itoa(1783692000+i*step), "192.0.2."+strconv.Itoa(i+1), "203.0.113.0/24"))
	}
	return out
}

func fmtList[T any](v []T) string { return fmt.Sprint(v) }

func FuzzParse(f *testing.F) {
	f.Add([]byte(announce("1783692000.5", "64496,[64510,64511]", "203.0.113.0/25")))
	f.Add([]byte(withdraw("1783692000", "192.0.2.1", "2001:db8::/32")))
	f.Fuzz(func(t *testing.T, b []byte) {
		u, ok, err := Parse(b)
		if ok && err == nil {
			d, _ := NewDetector(Config{Carriers: carriers})
			d.Observe(u)
		}
	})
}
