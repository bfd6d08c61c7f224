package anonymize

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
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
// valid STIX copy, and no registry term in a released copy (a withheld one
// is fail-closed and fine).
func FuzzAnonymize(f *testing.F) {
	for _, c := range loadCorpus(f) {
		f.Add(string(c.raw), uint8(0), uint8(0))
	}
	f.Add("outage near ", uint8(3), uint8(7))
	f.Add("担当：", uint8(7), uint8(14))
	f.Add("x\u200bSakura", uint8(1), uint8(200))
	a := newTestAnonymizer(f)
	every := newTestAnonymizer(f) // cleans and encodes on every core (TestAnonymizeOnEveryCore)
	every.parallelFrom = 1
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
			sameCopy(t, string(p), a, every, b, "carrier-a", p)
			res, err := a.Anonymize(b, "carrier-a", p)
			if err != nil {
				t.Fatal(err)
			}
			if res.Withheld {
				// Fail closed. The leak check removes every character that
				// is not a letter or a digit, so random text can join a name
				// across punctuation the scrubber does not step over
				// ("ＳA ＫＵＲA ! ＴＥＬ"): withholding is then the intended
				// outcome. The hits must still say where and what, not the text.
				for _, h := range res.Hits {
					if h.Kind == "" || !strings.HasPrefix(h.Pointer, "/") {
						t.Fatalf("%s: hit %+v without pointer or kind", p, h)
					}
				}
				continue
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

// leakTerms are protected values of the test registry, each with the forms
// of issue #11 it may be written in and the skeletons (testSkeleton) that
// must not survive in a released copy.
var leakTerms = []struct {
	forms  []string
	checks []string
}{
	{[]string{"Sakura Telecom", "Sakura-Telecom", "Sakura_Telecom", "Sakura.Telecom", "Sakura/Telecom", "Sakura・Telecom", "SakuraTelecom", "SakuraTelecomCore",
		"sakuratelecomvpn", "noc01.sakura-telecom", "Sakura Telecom Inc.", "Ｓａｋｕｒａ－Ｔｅｌｅｃｏｍ"}, []string{"sakuratelecom"}},
	{[]string{"さくらテレコム", "さくら・テレコム", "サクラテレコム", "ｻｸﾗﾃﾚｺﾑ", "さくらてれこむ", "sakura terekomu", "(株)さくらテレコム"}, []string{"サクラテレコム"}},
	{[]string{"Kaede Networks", "Kaede-Networks", "KaedeNetworksNOC", "カエデネットワークス", "かえでねっとわーくす", "ｶｴﾃﾞﾈｯﾄﾜｰｸｽ"}, []string{"kaedenetworks", "カエデネットワクス"}},
	{[]string{"Tsubaki Mobile", "Tsubaki_Mobile", "TsubakiMobileCore", "ツバキモバイル", "ﾂﾊﾞｷﾓﾊﾞｲﾙ", "椿モバイル", "tsubaki mobairu"}, []string{"tsubakimobile", "ツバキモバイル", "椿モバイル", "tsubakimobairu"}},
	{[]string{"山田 太郎", "山田太郎", "山田さん", "山田様", "ヤマダ", "やまだ", "ﾔﾏﾀﾞ", "Yamada", "Mr. Yamada", "Yamada-san", "yamada.taro"}, []string{"山田", "ヤマダ", "yamada"}},
	{[]string{"Hanako Suzuki", "Suzuki Hanako", "Ms. Suzuki", "Hanako", "ハナコ", "はなこさん"}, []string{"hanako", "ハナコ"}},
	{[]string{"yamada@sakura-telecom.example", "yamada[at]sakura-telecom.example", "yamada(at)sakura-telecom(dot)example", "yamada at sakura-telecom dot example",
		"yamada＠sakura-telecom。example", "yamada [at] sakura-telecom [dot] example", "yamada{at}sakura-telecom{.}example"}, []string{"yamada", "sakuratelecom"}},
	{[]string{"203.0.113.7", "203-0-113-7", "ip-203-0-113-7.pool", "203_0_113_7", "3405803783", "0xcb007107", "203.000.113.007", "203[.]0[.]113[.]7", "２０３．０．１１３．７"},
		[]string{"20301137", "203000113007", "3405803783", "0xcb007107"}},
	{[]string{"03-1234-5678", "0312345678", "+81-3-1234-5678", "+81 3 1234 5678", "０３－１２３４－５６７８", "(03) 1234-5678"}, []string{"312345678"}},
	{[]string{"AS64500", "ASN 64500", "AS-64500", "AS番号64500"}, []string{"as64500", "asn64500", "as番号64500"}},
}

// lookalikes are Cyrillic and Greek letters that look like Latin ones.
var lookalikes = strings.NewReplacer("a", "\u0430", "e", "\u0435", "o", "\u043e", "c", "\u0441", "p", "\u0440", "x", "\u0445",
	"A", "\u0410", "K", "\u039a", "T", "\u03a4", "M", "\u041c", "H", "\u0397", "S", "\u0405")

// macrons writes vowels with the Hepburn macron or an accent.
var macrons = strings.NewReplacer("o", "ō", "u", "ū", "a", "ā", "e", "é", "O", "Ō")

// fuzzCase changes a form the way people do: as written, upper case,
// lower case, full width, with a zero-width space or a soft hyphen
// between every character, with look-alike Cyrillic and Greek letters, with
// a combining mark, a variation selector or a Hangul filler after every
// character, with macrons and accents, or percent- or entity-encoded.
func fuzzCase(s string, how uint8) string {
	between := func(sep string) string {
		var sb strings.Builder
		for _, r := range s {
			sb.WriteRune(r)
			sb.WriteString(sep)
		}
		return sb.String()
	}
	switch how % 14 {
	case 6:
		return lookalikes.Replace(s)
	case 7:
		return between("\u0332")
	case 8:
		return between("\u034f")
	case 9:
		return between("\ufe0f")
	case 10:
		return macrons.Replace(s)
	case 11:
		return strings.ReplaceAll(between(""), " ", "\u3164")
	case 12:
		var sb strings.Builder
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&sb, "%%%02X", s[i])
		}
		return sb.String()
	case 13:
		var sb strings.Builder
		for _, r := range s {
			fmt.Fprintf(&sb, "&#%d;", r)
		}
		return sb.String()
	}
	switch how % 6 {
	case 1:
		return strings.ToUpper(s)
	case 2:
		return strings.ToLower(s)
	case 3:
		return strings.Map(func(r rune) rune {
			if r > ' ' && r < 0x7f {
				return r - '!' + '！'
			}
			return r
		}, s)
	case 4, 5:
		sep := "\u200b"
		if how%6 == 5 {
			sep = "\u00ad"
		}
		var sb strings.Builder
		for i, r := range s {
			if i > 0 {
				sb.WriteString(sep)
			}
			sb.WriteRune(r)
		}
		return sb.String()
	}
	return s
}

// FuzzLeakForms takes a protected term, one of the forms of issue #11 it is
// written in, a change of case or width, and text around it, and asserts
// that the copy either no longer holds the term's skeleton or is withheld.
func FuzzLeakForms(f *testing.F) {
	for i := range leakTerms {
		for j := range leakTerms[i].forms {
			f.Add(uint8(i), uint8(j), uint8(j), "incident at ", " today")
		}
	}
	f.Add(uint8(0), uint8(0), uint8(3), "ｘ", "ｙ")
	for how := uint8(6); how < 14; how++ {
		for i := range leakTerms {
			f.Add(uint8(i), uint8(0), how, "incident at ", " today")
		}
	}
	a := newTestAnonymizer(f)
	f.Fuzz(func(t *testing.T, term, form, how uint8, before, after string) {
		lt := leakTerms[int(term)%len(leakTerms)]
		written := fuzzCase(lt.forms[int(form)%len(lt.forms)], how)
		b := formBundle(t, "carrier-a", before+" "+written+" "+after)
		if stix.Validate(b) != nil {
			return
		}
		for _, p := range []Profile{ProfileCEPTOAR, ProfilePublic} {
			res, err := a.Anonymize(b, "carrier-a", p)
			if err != nil {
				t.Fatal(err)
			}
			if res.Withheld {
				continue
			}
			for _, x := range copyTexts(t, res.Bundle) {
				// The copy as a browser would show it: percent- and
				// entity-decoded.
				sx := testSkeleton(x) + "\n" + testSkeleton(testDecode(x))
				for _, c := range lt.checks {
					if strings.Contains(sx, testSkeleton(c)) {
						t.Fatalf("%s: %q (written %q) released in %q", p, c, written, x)
					}
				}
			}
		}
	})
}

// testDecode undoes percent-encoding (when it is valid) and HTML character
// references, with the standard library.
func testDecode(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		s = d
	}
	return html.UnescapeString(s)
}
