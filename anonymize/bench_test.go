package anonymize

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// BenchmarkAnonymize measures the ceptoar profile, leak check included, over
// the whole corpus; MB/s is of submitted JSON.
func BenchmarkAnonymize(b *testing.B) {
	a := newTestAnonymizer(b)
	cs := loadCorpus(b)
	var n int64
	for _, c := range cs {
		n += int64(len(c.raw))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, c := range cs {
			res, err := a.Anonymize(c.bundle, c.expect.Submitter, ProfileCEPTOAR)
			if err != nil || res.Withheld {
				b.Fatal(err, res)
			}
		}
	}
}

// BenchmarkScrub measures string scrubbing alone on the corpus texts.
func BenchmarkScrub(b *testing.B) {
	a := newTestAnonymizer(b)
	var strs []string
	var n int64
	for _, c := range loadCorpus(b) {
		for _, o := range c.bundle.Objects {
			walkStrings(o.Props, func(_, v string) bool { strs = append(strs, v); n += int64(len(v)); return true })
		}
	}
	s := a.getScrubber()
	b.SetBytes(n)
	b.ResetTimer()
	for b.Loop() {
		for _, x := range strs {
			s.scrub(x)
		}
	}
}

// BenchmarkAnonymizeIndicators measures the shape of `kakehashi bench`: one
// incident and many indicators with short English text (ASCII fast paths).
func BenchmarkAnonymizeIndicators(b *testing.B) {
	a := newTestAnonymizer(b)
	bd := indicatorBundle(b, 100)
	raw, _ := json.Marshal(bd)
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for b.Loop() {
		if res, err := a.Anonymize(bd, "carrier-a", ProfileCEPTOAR); err != nil || res.Withheld {
			b.Fatal(err, res)
		}
	}
}

// BenchmarkAnonymizeIndicators1000 is BenchmarkAnonymizeIndicators with a
// thousand objects, as intake anonymizes a bench bundle: cleaned and encoded
// on every core (eachRec).
func BenchmarkAnonymizeIndicators1000(b *testing.B) {
	a := newTestAnonymizer(b)
	bd := indicatorBundle(b, 1000)
	raw, _ := json.Marshal(bd)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if res, err := a.Anonymize(bd, "carrier-a", ProfileCEPTOAR); err != nil || res.Withheld {
			b.Fatal(err, res)
		}
	}
}

// indicatorBundle is an incident of carrier-a and n-1 attacker indicators,
// as kakehashi bench submits them.
func indicatorBundle(tb testing.TB, n int) *stix.Bundle {
	tb.Helper()
	var sb strings.Builder
	sb.WriteString(`{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[`)
	sb.WriteString(`{"type":"incident","spec_version":"2.1","id":"incident--00000000-0000-4000-8000-000000000000","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z","name":"DDoS wave 0","created_by_ref":"identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11"}`)
	for k := 1; k < n; k++ {
		fmt.Fprintf(&sb, `,{"type":"indicator","spec_version":"2.1","id":"indicator--%08x-0000-4000-8000-%012x","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z","name":"Flood source","description":"Source of the flood seen on the edge routers.","indicator_types":["malicious-activity"],"pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z","pattern":"[ipv4-addr:value = '198.18.%d.%d']","created_by_ref":"identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11"}`, k, k, (k/250)%250, k%250+1)
	}
	sb.WriteString(`]}`)
	bd, err := stix.DecodeBundle([]byte(sb.String()), stix.Limits{})
	if err != nil {
		tb.Fatal(err)
	}
	return bd
}
