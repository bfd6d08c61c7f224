package anonymize

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

func TestRomaji(t *testing.T) {
	tests := []struct {
		name, kana string
		want       []string
	}{
		{"plain", "サクラ", []string{"sakura"}},
		{"long vowel ou", "タロウ", []string{"tarou", "taro", "taroh", "taroo", "tarō", "tarô"}},
		{"digraph and geminate", "ネットワーク", []string{"nettowaaku", "nettowaku", "nettowāku", "nettowâku"}},
		{"long vowel oo", "サトオ", []string{"satoo", "sato", "satō", "satô"}},
		{"long vowel uu", "ユウコ", []string{"yuuko", "yuko", "yūko", "yûko"}},
		{"geminate before ch", "マッチャ", []string{"matcha"}},
		{"shi chi tsu fu ji", "シチツフジ", []string{"shichitsufuji"}},
		{"n", "ケンジ", []string{"kenji"}},
		{"mixed Latin kept", "ICTイサック", []string{"ICTisakku"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := romaji(tc.kana)
			if !ok {
				t.Fatalf("romaji(%q) not ok", tc.kana)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("romaji(%q) (-want +got):\n%s", tc.kana, diff)
			}
		})
	}
	if _, ok := romaji("ABC"); ok {
		t.Error("romaji of Latin text reported ok")
	}
}

func TestKanaOfRomaji(t *testing.T) {
	tests := []struct {
		word string
		want []string
		ok   bool
	}{
		{"Hanako", []string{"ハナコ", "ハナコウ"}, true},
		{"Ichiro", []string{"イチロ", "イチロウ"}, true},
		{"Suzuki", []string{"スズキ"}, true},
		{"Kenji", []string{"ケンジ"}, true},
		{"Shimbashi", []string{"シンバシ"}, true},
		{"Hattori", []string{"ハットリ", "ハットウリ"}, true},
		{"Sakura", []string{"サクラ"}, true},
		{"Telecom", nil, false},
		{"Smith", nil, false},
		{"x1", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.word, func(t *testing.T) {
			got, ok := kanaOfRomaji(tc.word)
			if ok != tc.ok || tc.ok && !cmp.Equal(tc.want, got) {
				t.Errorf("kanaOfRomaji(%q) = %q, %v; want %q, %v", tc.word, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestNameAndPersonForms(t *testing.T) {
	tk, err := loadTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	has := func(t *testing.T, got []string, want ...string) {
		t.Helper()
		set := map[string]bool{}
		for _, g := range got {
			set[g] = true
		}
		for _, w := range want {
			if !set[w] {
				t.Errorf("%q missing from %q", w, got)
			}
		}
	}
	t.Run("corporate forms", func(t *testing.T) {
		for in, want := range map[string]string{"Kaede Networks Co., Ltd.": "Kaede Networks", "さくらテレコム株式会社": "さくらテレコム",
			"(株)さくらテレコム": "さくらテレコム", "Sakura Telecom Inc.": "Sakura Telecom", "一般社団法人ICT-ISAC": "ICT-ISAC", "Group": "Group"} {
			if got := baseName(in); got != want {
				t.Errorf("baseName(%q) = %q, want %q", in, got, want)
			}
		}
	})
	t.Run("kanji name", func(t *testing.T) {
		has(t, nameForms(tk, "椿モバイル"), "椿モバイル", "ツバキモバイル", "tsubakimobairu")
	})
	t.Run("kana name", func(t *testing.T) {
		has(t, nameForms(tk, "さくらテレコム株式会社"), "さくらテレコム", "sakuraterekomu")
	})
	t.Run("romaji name", func(t *testing.T) { has(t, nameForms(tk, "Tsubaki"), "ツバキ") })
	t.Run("English name has no kana", func(t *testing.T) {
		if got := nameForms(tk, "Sakura Telecom"); len(got) != 2 {
			t.Errorf("nameForms = %q, want the name and its base only", got)
		}
	})
	t.Run("no dictionary", func(t *testing.T) {
		if got := readingForms(nil, "山田"); got != nil {
			t.Errorf("readings without a dictionary: %q", got)
		}
	})
	t.Run("kanji person with space", func(t *testing.T) {
		whole, parts := personForms(tk, "山田 太郎")
		has(t, parts, "山田", "太郎", "ヤマダ", "タロウ", "yamada", "tarou", "taro")
		has(t, whole, "山田 太郎", "太郎 山田", "ヤマダ タロウ", "yamada taro")
	})
	t.Run("kanji person without space", func(t *testing.T) {
		_, parts := personForms(tk, "佐藤花子")
		has(t, parts, "佐藤", "花子", "サトウ", "sato", "hanako")
	})
	t.Run("romaji person", func(t *testing.T) {
		_, parts := personForms(tk, "Kenji Watanabe")
		has(t, parts, "Kenji", "Watanabe", "ケンジ", "ワタナベ")
	})
	t.Run("empty person", func(t *testing.T) {
		if w, p := personForms(tk, "  "); w != nil || p != nil {
			t.Errorf("personForms of blank = %q, %q", w, p)
		}
	})
	t.Run("domain label", func(t *testing.T) {
		for in, want := range map[string]string{"sakura-telecom.example": "sakura-telecom", "foo.co.jp": "foo", "a.b.example": "a.b", "localhost": ""} {
			if got := domainLabel(in); got != want {
				t.Errorf("domainLabel(%q) = %q, want %q", in, got, want)
			}
		}
	})
}

func TestDictionaryLoadFailure(t *testing.T) {
	saved := loadTokenizer
	defer func() { loadTokenizer = saved }()
	loadTokenizer = func() (*tokenizer.Tokenizer, error) { return nil, errors.New("no dictionary") }
	if _, err := NewAnonymizer(loadParties(t), Options{PseudonymKey: testKey}); err == nil {
		t.Fatal("NewAnonymizer succeeded without its dictionary")
	}
}

func TestNewAnonymizerErrors(t *testing.T) {
	tests := []struct {
		name    string
		parties []Party
		opts    Options
	}{
		{"short key", nil, Options{PseudonymKey: []byte("short")}},
		{"bad rotation", nil, Options{PseudonymKey: testKey, Rotation: "daily"}},
		{"bad CEPTOAR identity", nil, Options{PseudonymKey: testKey, CEPTOARIdentity: "indicator--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11"}},
		{"party without id", []Party{{}}, Options{PseudonymKey: testKey}},
		{"party twice", []Party{{ID: "a"}, {ID: "a"}}, Options{PseudonymKey: testKey}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewAnonymizer(tc.parties, tc.opts); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestObfuscationAndNumbers(t *testing.T) {
	for in, want := range map[string]byte{"[.]x": '.', "(dot)": '.', "{DOT}": '.', "[at]": '@', "(@)": '@', "{At}": '@'} {
		if c, n := obfuscation(in); c != want || n == 0 {
			t.Errorf("obfuscation(%q) = %q, %d", in, c, n)
		}
	}
	for _, in := range []string{"[x]", "(date)", "[at", "ab", "(atom)"} {
		if _, n := obfuscation(in); n != 0 {
			t.Errorf("obfuscation(%q) matched", in)
		}
	}
	ints := []struct {
		in   string
		want string
		ok   bool
	}{
		{"3405803783", "203.0.113.7", true},
		{"0xcb007107", "203.0.113.7", true},
		{"167772161 ", "10.0.0.1", true},
		{"0312345678", "", false},          // a phone number
		{"1234567", "", false},             // too short
		{"34058037830", "", false},         // too long
		{"9999999999", "", false},          // above 2^32
		{"0xcb00710", "12.176.7.16", true}, // seven hex digits: 0x0cb00710
		{"0xcb0071", "", false},            // six: below 16.0.0.0, too likely something else
		{"0xcb0071071", "", false},         // nine hex digits
		{"3405803783x", "", false},         // not alone
		{"3405803783.5", "", false},        // a decimal fraction
	}
	for _, tc := range ints {
		addr, _, ok := parseIntIPv4([]byte(tc.in), 0)
		if ok != tc.ok || ok && addr != netip.MustParseAddr(tc.want) {
			t.Errorf("parseIntIPv4(%q) = %v, %v; want %s, %v", tc.in, addr, ok, tc.want, tc.ok)
		}
	}
}
