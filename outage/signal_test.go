package outage

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 7, 10, 14, 0, 0, 0, time.UTC)

func TestSignalValidate(t *testing.T) {
	valid := func() Signal {
		return Signal{ID: "incident--1", Organization: "carrier-a", ObservedAt: t0, Symptom: NoConnectivity,
			Regions: []string{"13"}, UpstreamASNs: []int64{64511}, Prefixes: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}}
	}
	tests := []struct {
		name string
		edit func(*Signal)
		want []string // pointers
	}{
		{name: "valid", edit: func(*Signal) {}},
		{name: "no observed_at", edit: func(s *Signal) { s.ObservedAt = time.Time{} }, want: []string{"/signal/observed_at"}},
		{name: "unknown symptom", edit: func(s *Signal) { s.Symptom = "slow" }, want: []string{"/signal/symptom"}},
		{name: "bad service class", edit: func(s *Signal) { s.ServiceClass = "5g" }, want: []string{"/signal/service_class"}},
		{name: "region 48 and 1", edit: func(s *Signal) { s.Regions = []string{"13", "48", "1", "00"} },
			want: []string{"/signal/regions/1", "/signal/regions/2", "/signal/regions/3"}},
		{name: "ASN 0 and too large", edit: func(s *Signal) { s.UpstreamASNs = []int64{0, 4294967296} },
			want: []string{"/signal/upstream_asns/0", "/signal/upstream_asns/1"}},
		{name: "host bits", edit: func(s *Signal) { s.Prefixes = []netip.Prefix{netip.MustParsePrefix("203.0.113.7/24")} },
			want: []string{"/signal/prefixes/0"}},
		{name: "no id nor org", edit: func(s *Signal) { s.ID, s.Organization = "", "" }, want: []string{"/id", "/created_by_ref"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := valid()
			tc.edit(&s)
			var got []string
			var ve *ValidationError
			if err := s.Validate(); errors.As(err, &ve) {
				for _, v := range ve.Violations {
					got = append(got, v.Pointer)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeSignal(t *testing.T) {
	ext := `{"extension_type":"property-extension","report_kind":"outage-signal","signal":{"observed_at":"2026-07-10T14:00:00Z",
		"symptom":"no-connectivity","service_class":"free-internet","regions":["14","13","13"],"upstream_asns":[64511],
		"prefixes":["203.0.113.0/24"],"note":"BGP sessions to AS64511 flapping"}}`
	s, err := DecodeSignal("incident--1", "carrier-a", []byte(ext))
	if err != nil {
		t.Fatal(err)
	}
	want := Signal{ID: "incident--1", Organization: "carrier-a", ObservedAt: t0, Symptom: NoConnectivity, ServiceClass: "free-internet",
		Regions: []string{"13", "14"}, UpstreamASNs: []int64{64511}, Prefixes: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")},
		Note: "BGP sessions to AS64511 flapping"}
	if diff := cmp.Diff(want, s, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("signal (-want +got):\n%s", diff)
	}

	_, err = DecodeSignal("incident--1", "carrier-a", []byte(`{"report_kind":"service-outage","occurred_at":"2026-07-10T14:00:00Z"}`))
	if !errors.Is(err, ErrNotSignal) {
		t.Errorf("service-outage: err = %v, want ErrNotSignal", err)
	}
	_, err = DecodeSignal("incident--1", "carrier-a", []byte(`{"report_kind":"outage-signal","signal":{"observed_at":"2026-07-10T14:00:00Z","symptom":"slow","regions":["99"],"prefixes":["not-a-net"]}}`))
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) != 3 {
		t.Errorf("bad signal: err = %v, want three violations", err)
	}
}

func FuzzDecodeSignal(f *testing.F) {
	f.Add([]byte(`{"report_kind":"outage-signal","signal":{"observed_at":"2026-07-10T14:00:00Z","symptom":"dns-failure","regions":["13"],"prefixes":["2001:db8::/32"]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeSignal("incident--1", "carrier-a", b)
		if err == nil {
			if err := s.Validate(); err != nil {
				t.Fatalf("decoded signal does not validate: %v", err)
			}
		}
	})
}
