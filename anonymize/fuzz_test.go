package anonymize

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// fuzzTerms are registry values in the forms people write them; the fuzzer
// splices them into random text.
var fuzzTerms = []string{
	"Sakura Telecom", "ＳＡＫＵＲＡ　ＴＥＬＥＣＯＭ", "さくらテレコム株式会社", "SKT", "Kaede Networks Co., Ltd.", "カエデネットワークス", "椿モバイル",
	"山田 太郎", "山田太郎", "Hanako Suzuki", "Suzuki Hanako", "佐藤花子", "yamada@sakura-telecom.example", "ｙａｍａｄａ＠ｓａｋｕｒａ－ｔｅｌｅｃｏｍ．ｅｘａｍｐｌｅ",
	"03-1234-5678", "+81-3-1234-5678", "+81312345678", "０３－１２３４－５６７８", "06-6123-4567", "vpn.sakura-telecom.example", "sakura-tel[.]example",
	"https://portal.kaede-net.example/x", "203.0.113.77", "２０３．０．１１３．７", "2001:db8:100::1", "2001:DB8:200:1::9", "100.64.21.3", "AS64500", "ASN 64510",
	"identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11", "tsubaki-mobile.example", "052-987-6543",
}

// FuzzAnonymize places random text and registry terms in the free text of a
// report, or takes the whole input as a bundle, and asserts: no panic, a
// valid STIX copy, and no registry term in a released copy.
func FuzzAnonymize(f *testing.F) {
	for _, c := range loadCorpus(f) {
		f.Add(string(c.raw), uint8(0), uint8(0))
	}
	f.Add("outage near ", uint8(3), uint8(7))
	f.Add("担当：", uint8(7), uint8(14))
	f.Add("x\u200bSakura", uint8(1), uint8(200))
	a := newTestAnonymizer(f)
	template := loadCorpus(f)[0]
	f.Fuzz(func(t *testing.T, text string, t1, t2 uint8) {
		var b *stix.Bundle
		if strings.HasPrefix(strings.TrimSpace(text), "{") {
			var err error
			b, err = stix.DecodeBundle([]byte(text), stix.Limits{})
			if err != nil || stix.Validate(b) != nil {
				return
			}
		} else {
			s := text + fuzzTerms[int(t1)%len(fuzzTerms)] + text + fuzzTerms[int(t2)%len(fuzzTerms)]
			if t2 > 128 {
				s = fuzzTerms[int(t2)%len(fuzzTerms)] + s
			}
			b = withText(t, template.bundle, s)
		}
		for _, p := range []Profile{ProfileCEPTOAR, ProfilePublic} {
			res, err := a.Anonymize(b, "carrier-a", p)
			if err != nil {
				t.Fatal(err)
			}
			if res.Withheld {
				// Fail closed is correct, but scrubbing should have removed
				// every term: a withheld copy means a scrubber gap.
				t.Fatalf("%s: withheld %v for %q", p, res.Hits, text)
			}
			if err := stix.Validate(res.Bundle); err != nil {
				t.Fatalf("%s: invalid copy: %v", p, err)
			}
			for _, party := range []string{"carrier-a", "carrier-b", "carrier-c"} {
				if hits := a.LeakCheck(res.Bundle, party); len(hits) > 0 {
					t.Fatalf("%s: %s terms survive: %v", p, party, hits)
				}
			}
		}
	})
}

// withText returns a copy of b with s as the description and name of every
// SDO that has one, and as a note on the first incident.
func withText(t *testing.T, b *stix.Bundle, s string) *stix.Bundle {
	out := &stix.Bundle{ID: b.ID}
	for _, o := range b.Objects {
		if _, ok := o.Props["description"]; ok || o.Type == "indicator" || o.Type == "malware" {
			var m map[string]any
			raw, _ := json.Marshal(o.Props)
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			m["description"] = s
			if o.Type != "indicator" {
				m["name"] = s
			}
			no, err := stix.NewObject(m)
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(s) == "" {
				continue
			}
			o = no
		}
		out.Objects = append(out.Objects, o)
	}
	return out
}
