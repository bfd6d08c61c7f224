package anonymize

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/kakehashi-hub/kakehashi/stix"
)

var testKey = []byte("0123456789abcdef-test-key")

func testNow() time.Time { return time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC) }

func loadParties(tb testing.TB) []Party {
	tb.Helper()
	data, err := os.ReadFile("testdata/registry.json")
	if err != nil {
		tb.Fatal(err)
	}
	var ps []Party
	if err := json.Unmarshal(data, &ps); err != nil {
		tb.Fatal(err)
	}
	return ps
}

func newTestAnonymizer(tb testing.TB) *Anonymizer {
	tb.Helper()
	a, err := NewAnonymizer(loadParties(tb), Options{PseudonymKey: testKey, Now: testNow})
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

type expectation struct {
	Submitter  string   `json:"submitter"`
	Secrets    []string `json:"secrets"`
	Indicators []string `json:"indicators"`
}

type corpusCase struct {
	name   string
	raw    []byte
	bundle *stix.Bundle
	expect expectation
}

func loadCorpus(tb testing.TB) []corpusCase {
	tb.Helper()
	files, err := filepath.Glob("testdata/corpus/*.expect.json")
	if err != nil || len(files) < 20 {
		tb.Fatalf("corpus: %d reports, want at least 20 (%v)", len(files), err)
	}
	var cs []corpusCase
	for _, f := range files {
		bf := strings.TrimSuffix(f, ".expect.json") + ".json"
		raw, err := os.ReadFile(bf)
		if err != nil {
			tb.Fatal(err)
		}
		b, err := stix.DecodeBundle(raw, stix.Limits{})
		if err != nil {
			tb.Fatalf("%s: %v", bf, err)
		}
		var e expectation
		ed, _ := os.ReadFile(f)
		if err := json.Unmarshal(ed, &e); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		cs = append(cs, corpusCase{name: filepath.Base(bf), raw: raw, bundle: b, expect: e})
	}
	return cs
}

// testNorm is the test's own normal form, written independently of the
// package: NFKC, full case folding, no white space, defanged dots undone.
func testNorm(s string) string {
	s = cases.Fold().String(norm.NFKC.String(s))
	s = strings.NewReplacer("[.]", ".", "(.)", ".", "[@]", "@").Replace(s)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000' || r == '\u200b' {
			return -1
		}
		return r
	}, s)
}

// texts returns every string of the serialized bundle, as written and decoded.
func texts(tb testing.TB, b *stix.Bundle) []string {
	data, err := json.Marshal(b)
	if err != nil {
		tb.Fatal(err)
	}
	out := []string{string(data)}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		tb.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				out = append(out, k)
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			out = append(out, x)
		case float64:
			out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
		}
	}
	walk(v)
	return out
}

func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, norm.NFKC.String(s))
}

func isPhoneLike(s string) bool {
	return strings.Trim(s, "0123456789+-() ") == "" && len(digitsOnly(s)) >= 9
}

// assertNoSecrets fails for every secret found in any string of b.
func assertNoSecrets(t *testing.T, b *stix.Bundle, secrets []string) {
	t.Helper()
	ts := texts(t, b)
	for _, sec := range secrets {
		ns := testNorm(sec)
		nsn := ""
		if isPhoneLike(sec) {
			nsn = nationalNumber(sec)
		}
		for _, x := range ts {
			if strings.Contains(testNorm(x), ns) {
				t.Errorf("secret %q survives in %.200q", sec, x)
				break
			}
			if nsn != "" && len(x) < 200 && strings.Contains(digitsOnly(x), nsn) {
				t.Errorf("phone secret %q survives in %.200q", sec, x)
				break
			}
		}
	}
}

func TestCorpus(t *testing.T) {
	a := newTestAnonymizer(t)
	for _, c := range loadCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			if err := stix.Validate(c.bundle); err != nil {
				t.Fatalf("input is not valid STIX: %v", err)
			}
			for _, p := range []Profile{ProfileCEPTOAR, ProfilePublic} {
				res, err := a.Anonymize(c.bundle, c.expect.Submitter, p)
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				if res.Withheld {
					t.Fatalf("%s: withheld: %v", p, res.Hits)
				}
				if err := stix.Validate(res.Bundle); err != nil {
					out, _ := json.MarshalIndent(res.Bundle, "", " ")
					t.Fatalf("%s: output is not valid STIX: %v\n%s", p, err, out)
				}
				assertNoSecrets(t, res.Bundle, c.expect.Secrets)
				if hits := a.LeakCheck(res.Bundle, c.expect.Submitter); len(hits) > 0 {
					t.Errorf("%s: leak check on released copy: %v", p, hits)
				}
				if p != ProfileCEPTOAR {
					continue
				}
				out, _ := json.Marshal(res.Bundle)
				var all strings.Builder
				for _, x := range texts(t, res.Bundle) {
					all.WriteString(x)
					all.WriteByte('\n')
				}
				for _, ind := range c.expect.Indicators {
					if !strings.Contains(all.String(), ind) {
						t.Errorf("indicator %q lost from the ceptoar copy:\n%s", ind, out)
					}
				}
				if res.Pseudonym == "" || !strings.Contains(string(out), res.Pseudonym) {
					t.Errorf("pseudonym %q not attached", res.Pseudonym)
				}
				if !strings.Contains(string(out), stix.CEPTOARIdentityID) {
					t.Errorf("created_by_ref is not the T-CEPTOAR identity")
				}
			}
		})
	}
}

func TestIdentifiedUnchanged(t *testing.T) {
	a := newTestAnonymizer(t)
	c := loadCorpus(t)[0]
	res, err := a.Anonymize(c.bundle, c.expect.Submitter, ProfileIdentified)
	if err != nil || res.Withheld {
		t.Fatal(err, res)
	}
	got, _ := json.Marshal(res.Bundle)
	want, _ := json.Marshal(c.bundle)
	if string(got) != string(want) {
		t.Error("identified copy differs from the submission")
	}
}

func TestUnknownSubmitterAndProfile(t *testing.T) {
	a := newTestAnonymizer(t)
	c := loadCorpus(t)[0]
	if _, err := a.Anonymize(c.bundle, "nobody", ProfileCEPTOAR); err == nil {
		t.Error("unknown submitter accepted")
	}
	if _, err := a.Anonymize(c.bundle, "carrier-a", Profile("open")); err == nil {
		t.Error("unknown profile accepted")
	}
	if _, err := NewAnonymizer(nil, Options{PseudonymKey: []byte("short")}); err == nil {
		t.Error("short key accepted")
	}
}

func TestScrub(t *testing.T) {
	a := newTestAnonymizer(t)
	s := a.getScrubber()
	defer a.putScrubber(s)
	tests := []struct {
		name, in, want string
	}{
		{"name", "Outage at Sakura Telecom today", "Outage at [carrier] today"},
		{"name with suffix", "Sakura Telecom Inc. said", "[carrier] said"},
		{"japanese name with suffix", "さくらテレコム株式会社の設備", "[carrier]の設備"},
		{"full width", "ＳＡＫＵＲＡ　ＴＥＬＥＣＯＭ網", "[carrier]網"},
		{"alias word boundary", "risk tolerance and SKT ops", "risk tolerance and [carrier] ops"},
		{"person no space", "担当は山田太郎です", "担当は[person]です"},
		{"person with space", "担当は山田 太郎です", "担当は[person]です"},
		{"person reversed", "Suzuki Hanako called", "[person] called"},
		{"subdomain", "see https://vpn.corp.sakura-telecom.example/login", "see https://[domain]/login"},
		{"lookalike names the party", "phish at sakura-telecom-support.example.com", "phish at [carrier]-support.example.com"},
		{"other lookalike kept", "phish at secure-sakura-pay.example.com", "phish at secure-sakura-pay.example.com"},
		{"email", "mail foo.bar@example.org now", "mail [email] now"},
		{"phone domestic", "call 03-1234-5678.", "call [phone]."},
		{"phone intl", "call +81-3-1234-5678 or +81312345678", "call [phone] or [phone]"},
		{"phone full width", "０３－１２３４－５６７８まで", "[phone]まで"},
		{"phone mobile", "被害者 080-7777-8888 が", "被害者 [phone] が"},
		{"date kept", "on 2026-07-10 at 10:00", "on 2026-07-10 at 10:00"},
		{"registered ipv4", "host 203.0.113.45 and 198.51.100.200", "host [internal-ip] and 198.51.100.200"},
		{"private ipv4 cidr", "lateral to 192.168.50.0/24.", "lateral to [internal-ip]."},
		{"cgnat", "pool 100.64.1.1", "pool [internal-ip]"},
		{"ipv6", "from 2001:db8:100:5::20, to 2001:db8:dead::1", "from [internal-ip], to 2001:db8:dead::1"},
		{"ipv6 link local", "gw fe80::1ff:fe23:4567:890a", "gw [internal-ip]"},
		{"ipv4 mapped", "at ::ffff:10.0.0.6 now", "at [internal-ip] now"},
		{"asn", "AS64500, ASN 64500, as 64500 and AS645001", "[asn], [asn], [asn] and AS645001"},
		{"defanged", "vpn.sakura-telecom[.]example", "[domain]"},
		{"postal", "〒100-0005 東京都千代田区丸の内1-2-3 さくらビル", "[address] [address] さくらビル"},
		{"address chome", "大阪市北区梅田3丁目1番1号に", "[address]に"},
		{"identity id", "see identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11", "see [carrier]"},
		{"no secrets", "Mirai botnet traffic", "Mirai botnet traffic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := s.scrub(tc.in)
			if got != tc.want {
				t.Errorf("scrub(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestLeakCheckCatchesInjection simulates a transform bug: after the
// transform an object is added whose description hides a registry term
// behind \u escapes. The leak check must find it with the right pointer.
func TestLeakCheckCatchesInjection(t *testing.T) {
	a := newTestAnonymizer(t)
	c := loadCorpus(t)[0]
	res, err := a.Anonymize(c.bundle, c.expect.Submitter, ProfileCEPTOAR)
	if err != nil || res.Withheld {
		t.Fatal(err, res)
	}
	if hits := a.LeakCheck(res.Bundle, "carrier-a"); len(hits) != 0 {
		t.Fatalf("clean copy has hits: %v", hits)
	}
	tests := []struct {
		name, raw, pointerSuffix string
		kind                     Kind
	}{
		{"escaped name", `{"type":"note","spec_version":"2.1","id":"note--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c81","created":"2026-07-10T00:00:00.000Z","modified":"2026-07-10T00:00:00.000Z","content":"ok","object_refs":["incident--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c82"],"abstract":"\u3055\u304f\u3089\u30c6\u30ec\u30b3\u30e0"}`, "/abstract", KindCarrier},
		{"escaped domain in key", `{"type":"note","spec_version":"2.1","id":"note--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c81","created":"2026-07-10T00:00:00.000Z","modified":"2026-07-10T00:00:00.000Z","content":"ok","object_refs":["incident--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c82"],"x_note":{"mail.sakura\u002dtelecom.example":1}}`, "/x_note/mail.sakura-telecom.example", KindDomain},
		{"ip in nested list", `{"type":"note","spec_version":"2.1","id":"note--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c81","created":"2026-07-10T00:00:00.000Z","modified":"2026-07-10T00:00:00.000Z","content":"ok","object_refs":["incident--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c82"],"external_references":[{"source_name":"x","description":"host 203.0.113.9"}]}`, "/external_references/0/description", KindInternalIP},
		{"asn number", `{"type":"autonomous-system","spec_version":"2.1","id":"autonomous-system--0b6a9c56-0f4c-5d4b-9a39-3f2a5d6e7c81","number":64500}`, "/number", KindASN},
		{"phone", `{"type":"note","spec_version":"2.1","id":"note--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c81","created":"2026-07-10T00:00:00.000Z","modified":"2026-07-10T00:00:00.000Z","content":"tel \uff10\uff13\uff0d1234-5678","object_refs":["incident--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c82"]}`, "/content", KindPhone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := stix.DecodeObject([]byte(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			b := &stix.Bundle{ID: res.Bundle.ID, Objects: append(append([]*stix.Object(nil), res.Bundle.Objects...), o)}
			want := Hit{Pointer: "/objects/" + itoa(len(b.Objects)-1) + tc.pointerSuffix, Kind: tc.kind}
			hits := a.LeakCheck(b, "carrier-a")
			if len(hits) != 1 || hits[0] != want {
				t.Errorf("hits = %v, want [%v]", hits, want)
			}
			if other := a.LeakCheck(b, "carrier-b"); len(other) != 0 {
				t.Errorf("carrier-b hits = %v, want none", other)
			}
		})
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestPseudonym(t *testing.T) {
	a := newTestAnonymizer(t)
	jul := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	p1 := a.Pseudonym("carrier-a", jul)
	if p1 != a.Pseudonym("carrier-a", jul.Add(20*24*time.Hour)) {
		t.Error("pseudonym not stable within a month")
	}
	if p1 == a.Pseudonym("carrier-a", jul.Add(40*24*time.Hour)) {
		t.Error("pseudonym does not rotate")
	}
	if p1 == a.Pseudonym("carrier-b", jul) {
		t.Error("two sources share a pseudonym")
	}
	if !strings.HasPrefix(p1, "src-") || len(p1) != 20 {
		t.Errorf("pseudonym %q has the wrong form", p1)
	}
	// 2026-06-30T20:00Z is already July in Japan.
	if got := RotationMonthly.Period(time.Date(2026, 6, 30, 20, 0, 0, 0, time.UTC)); got != "2026-07" {
		t.Errorf("period = %s", got)
	}
}

func TestFigures(t *testing.T) {
	a := newTestAnonymizer(t)
	var c corpusCase
	for _, cc := range loadCorpus(t) {
		if strings.HasPrefix(cc.name, "03-") {
			c = cc
		}
	}
	res, err := a.Anonymize(c.bundle, c.expect.Submitter, ProfileCEPTOAR)
	if err != nil || res.Withheld {
		t.Fatal(err, res)
	}
	for _, o := range res.Bundle.Objects {
		if o.Type != "incident" {
			continue
		}
		ext, _ := extensionOf(o.Props, stix.TelecomExtensionID)
		if ext["occurred_at"] != "2026-07-10T00:00:00.000Z" || ext["recovered_at"] != "2026-07-10T00:55:00.000Z" || ext["aware_at"] != "2026-07-10T00:01:00.000Z" {
			t.Errorf("times: %v %v %v", ext["occurred_at"], ext["aware_at"], ext["recovered_at"])
		}
		svcs := ext["services"].([]any)
		s0 := svcs[0].(map[string]any)
		s1 := svcs[1].(map[string]any)
		if s0[BandProperty] != "30,000–99,999" || s1[BandProperty] != "≥1,000,000" || s0["affected_users"] != nil || s0["user_profile"] != nil {
			t.Errorf("services: %v", svcs)
		}
	}
}

// TestLeakCheckOwnMatcher injects into a released copy text that the
// scrubber's detector does not see as a registry term, and asserts that the
// leak check, which has its own matcher, finds it (kind and pointer, never
// the text), and that look-alikes that are not the term are not hits.
func TestLeakCheckOwnMatcher(t *testing.T) {
	a := newTestAnonymizer(t)
	c := loadCorpus(t)[0]
	res, err := a.Anonymize(c.bundle, c.expect.Submitter, ProfileCEPTOAR)
	if err != nil || res.Withheld {
		t.Fatal(err, res)
	}
	s := a.getScrubber()
	defer a.putScrubber(s)
	tests := []struct {
		name, text string
		kinds      []Kind // acceptable kinds of the hit (the first term found names it); none for no hit
		blind      bool   // the scrubber's detector does not see it
	}{
		{"name joined by a comma", "Sakura,Telecom", []Kind{KindCarrier, KindDomain}, true},
		{"name spelled with pluses", "s+a+k+u+r+a+t+e+l+e+c+o+m", []Kind{KindCarrier, KindDomain}, true},
		{"reading with brackets", "「ヤ」「マ」「ダ」", []Kind{KindPerson}, true},
		{"short alias with pluses", "S+K+T", []Kind{KindCarrier}, true},
		{"ipv4 with spaces", "203 0 113 7", []Kind{KindInternalIP}, true},
		{"ipv4 with dot words", "203 dot 0 dot 113 dot 7", []Kind{KindInternalIP}, true},
		{"ipv4 as bare hex", "CB007107", []Kind{KindInternalIP}, true},
		{"ipv6 full with dashes", "2001-0db8-0100-0000-0000-0000-0000-0007", []Kind{KindInternalIP}, false},
		{"phone with spaces", "+81 3 1234 5678", []Kind{KindPhone}, false},
		{"asn", "as 64500", []Kind{KindASN}, false},
		{"identity uuid without dashes", "6d0bd1b65a1c4c7e9a536f1b1d9c2b11", []Kind{KindIdentity}, false},
		{"e-mail of a peer", "sato@kaede-net.example", []Kind{KindEmail, KindPerson, KindDomain}, false},
		{"short alias inside a word", "risk tolerance and desktop", nil, false},
		{"name across a full stop inside words", "failed in Aichi. Rollback", nil, false},
		{"name across a comma at a boundary", "Ichi,Ro", []Kind{KindPerson}, true},
		{"another AS number", "AS645001", nil, false},
		{"address outside the networks", "203.0.114.7 and 3405804039", nil, false},
		{"attacker text", "Emotet C2 45.142.212.100 hxxp://evil[.]example", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, spans := s.detect(tc.text, mode{party: -1, except: -1}); tc.blind && len(spans) > 0 {
				t.Fatalf("the scrubber's detector sees %q: not a test of the leak check's own matcher", tc.text)
			}
			raw, _ := json.Marshal(map[string]any{"type": "note", "spec_version": "2.1", "id": "note--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c81",
				"created": "2026-07-10T00:00:00.000Z", "modified": "2026-07-10T00:00:00.000Z", "content": tc.text,
				"object_refs": []string{"incident--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c82"}})
			o, err := stix.DecodeObject(raw)
			if err != nil {
				t.Fatal(err)
			}
			b := &stix.Bundle{ID: res.Bundle.ID, Objects: append(append([]*stix.Object(nil), res.Bundle.Objects...), o)}
			hits := a.leakCheck(b, -1, s)
			if len(tc.kinds) == 0 {
				if len(hits) != 0 {
					t.Errorf("hits %v for %q", hits, tc.text)
				}
				return
			}
			if len(hits) != 1 || hits[0].Pointer != "/objects/"+itoa(len(b.Objects)-1)+"/content" || !slices.Contains(tc.kinds, hits[0].Kind) {
				t.Errorf("hits = %v, want one at /content of kind %v", hits, tc.kinds)
			}
		})
	}
}

func TestLeakStringClasses(t *testing.T) {
	l := &leakScan{path: []string{"objects", "1", PseudonymProperty}}
	if c := l.classOf("src-abcdefghijklmnop"); c != classSkip {
		t.Errorf("pseudonym: class %d", c)
	}
	if c := l.classOf("src-abcdefghijklmno1"); c != classText {
		t.Errorf("not a pseudonym (digit 1): class %d", c)
	}
	l.path = []string{"objects", "1", "modified"}
	if c := l.classOf("2026-07-10T00:00:00.000Z"); c != classSkip {
		t.Errorf("timestamp: class %d", c)
	}
	if c := l.classOf("2026-07-10T00:00:00.000Y SKT"); c != classText {
		t.Errorf("not a timestamp: class %d", c)
	}
	for _, s := range []string{"indicator--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c81", "a3f1c2e4b5d6978812ab34cd56ef7890a1b2c3d4e5f60718293a4b5c6d7e8f90"} {
		if c := l.classOf(s); c != classStructure {
			t.Errorf("%s: class %d", s, c)
		}
	}
	a := newTestAnonymizer(t)
	var sk skeletonBuf
	// In an identifier a short alias is found only as a long term would be.
	if _, found := a.leak.find(&sk, "x-skt-thing--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c81", -1, -1, classStructure); found {
		t.Error("short alias found in an identifier")
	}
	if _, found := a.leak.find(&sk, "x-sakura-telecom--0b6a9c56-0f4c-4d4b-9a39-3f2a5d6e7c81", -1, -1, classStructure); !found {
		t.Error("long name not found in an identifier's type")
	}
	if _, found := a.leak.find(&sk, "Sakura Telecom", -1, -1, classSkip); found {
		t.Error("a skipped string was searched")
	}
	if _, found := a.leak.find(&sk, "Sakura Telecom", a.byID["carrier-b"], -1, classText); found {
		t.Error("carrier-a's name found among carrier-b's terms")
	}
	if _, found := a.leak.find(&sk, "Sakura Telecom", -1, a.byID["carrier-a"], classText); found {
		t.Error("the skipped party's name was found")
	}
}

// TestObjectsCarryTheirCanonicalJSON: every object the anonymizer makes
// carries, as Raw, exactly stix.Canonical of its properties. The leak check
// scans Raw and intake serves these bytes for the objects it does not change
// (sharing's encodings), so what is checked is what is sent.
func TestObjectsCarryTheirCanonicalJSON(t *testing.T) {
	a := newTestAnonymizer(t)
	n := 0
	for _, c := range loadCorpus(t) {
		for _, p := range []Profile{ProfileCEPTOAR, ProfilePublic} {
			res, err := a.Anonymize(c.bundle, c.expect.Submitter, p)
			if err != nil {
				t.Fatalf("%s (%s): %v", c.name, p, err)
			}
			if res.Withheld {
				continue
			}
			for _, o := range res.Bundle.Objects {
				want, err := stix.Canonical(o.Props)
				if err != nil {
					t.Fatalf("%s (%s): %s: %v", c.name, p, o.ID, err)
				}
				if !bytes.Equal(o.Raw, want) {
					t.Errorf("%s (%s): %s carries\n%s\nnot its canonical JSON\n%s", c.name, p, o.ID, o.Raw, want)
				}
				n++
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d objects checked; the corpus should give hundreds", n)
	}
}

// TestAnonymizeOnEveryCore: a transform that cleans and encodes its objects
// on every core (eachRec) makes, byte for byte, the copy one core makes, and
// finds the same leaks: over the corpus, both profiles, and a bundle of a
// thousand objects, with every object in a goroutine's share (parallelFrom 1).
func TestAnonymizeOnEveryCore(t *testing.T) {
	one := newTestAnonymizer(t)
	one.parallelFrom = 1 << 30
	every := newTestAnonymizer(t)
	every.parallelFrom = 1
	bundles := map[string]*stix.Bundle{}
	submitters := map[string]string{}
	for _, c := range loadCorpus(t) {
		bundles[c.name], submitters[c.name] = c.bundle, c.expect.Submitter
	}
	bundles["1000 indicators"], submitters["1000 indicators"] = indicatorBundle(t, 1000), "carrier-a"
	for name, b := range bundles {
		for _, p := range []Profile{ProfileCEPTOAR, ProfilePublic} {
			sameCopy(t, name+" ("+string(p)+")", one, every, b, submitters[name], p)
		}
	}
}

// sameCopy fails t unless a and b anonymize bd into the same copy.
func sameCopy(t *testing.T, name string, a, b *Anonymizer, bd *stix.Bundle, submitter string, p Profile) {
	t.Helper()
	ra, errA := a.Anonymize(bd, submitter, p)
	rb, errB := b.Anonymize(bd, submitter, p)
	if (errA == nil) != (errB == nil) {
		t.Fatalf("%s: errors %v and %v", name, errA, errB)
	}
	if errA != nil {
		return
	}
	if ra.Withheld != rb.Withheld || !reflect.DeepEqual(ra.Hits, rb.Hits) || !reflect.DeepEqual(ra.Origins, rb.Origins) {
		t.Fatalf("%s: withheld %v %v, hits %v %v", name, ra.Withheld, rb.Withheld, ra.Hits, rb.Hits)
	}
	if ra.Withheld {
		return
	}
	if !bytes.Equal(serialize(ra.Bundle), serialize(rb.Bundle)) {
		t.Fatalf("%s: the copies differ:\n%s\n%s", name, serialize(ra.Bundle), serialize(rb.Bundle))
	}
}

// TestAnonymizeIsDeterministic: the same bundle always gets the same copy.
// The kind of a victim-side observable's placeholder once depended on Go's
// map order (the first tainted property victimSide met), so an e-mail
// address with a person's display name was redacted as [email] in one run
// and [person] in the next.
func TestAnonymizeIsDeterministic(t *testing.T) {
	a := newTestAnonymizer(t)
	for _, c := range loadCorpus(t) {
		for _, p := range []Profile{ProfileCEPTOAR, ProfilePublic} {
			for range 10 {
				sameCopy(t, c.name+" ("+string(p)+")", a, a, c.bundle, c.expect.Submitter, p)
			}
		}
	}
}

// TestLeakCheckOnEveryCore: the leak check of a large copy, object by object
// on every core, finds the same hits in the same order as the scan of the
// whole copy, including where an object's JSON is broken (the scan stops
// there). The corpus reports as submitted are full of terms to find.
func TestLeakCheckOnEveryCore(t *testing.T) {
	one := newTestAnonymizer(t)
	one.parallelFrom = 1 << 30
	every := newTestAnonymizer(t)
	every.parallelFrom = 1
	checked := 0
	for _, c := range loadCorpus(t) {
		b := &stix.Bundle{ID: c.bundle.ID}
		for _, o := range c.bundle.Objects {
			withRaw, err := newObject(o.Props)
			if err != nil {
				t.Fatal(err)
			}
			b.Objects = append(b.Objects, withRaw)
		}
		broken := &stix.Bundle{ID: b.ID, Objects: slices.Clone(b.Objects)}
		broken.Objects[len(broken.Objects)/2] = &stix.Object{Raw: []byte(`{"name": "Sakura Telecom"`)}
		broken.Objects = append(broken.Objects, nil)
		for name, bd := range map[string]*stix.Bundle{"as submitted": b, "one object broken": broken} {
			for _, submitter := range []string{c.expect.Submitter, "unknown"} {
				want, got := one.LeakCheck(bd, submitter), every.LeakCheck(bd, submitter)
				if !reflect.DeepEqual(want, got) {
					t.Errorf("%s, %s, %s: whole scan\n%v\nobject by object\n%v", c.name, name, submitter, want, got)
				}
				checked += len(want)
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d hits compared; the corpus as submitted should give many", checked)
	}
}
