package anonymize

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

// The morphological analyser (kagome with the IPA dictionary) gives the
// readings of kanji names in the registry and finds person names (人名) in
// free text. Loading the dictionary takes about half a second and 150 MB, so
// it is loaded once per process, on first need, and shared: a Tokenizer is
// safe for concurrent use (its lattices come from a pool).
var ipaTokenizer = sync.OnceValues(func() (*tokenizer.Tokenizer, error) {
	return tokenizer.New(ipa.Dict(), tokenizer.OmitBosEos())
})

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// toKatakana maps hiragana to katakana (the two scripts spell the same
// sounds; people write a carrier's name in either), leaving the rest.
func toKatakana(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0x3041 && r <= 0x3096 || r == 0x309D || r == 0x309E {
			return r + 0x60
		}
		return r
	}, s)
}

// kanaReading returns the katakana reading of s as the IPA dictionary gives
// it (山田 → ヤマダ, 椿モバイル → ツバキモバイル). Latin and digit tokens are
// kept as written; a token with neither a reading nor kana spelling makes the
// whole reading unknown ("", false).
func kanaReading(tk *tokenizer.Tokenizer, s string) (string, bool) {
	var sb strings.Builder
	for _, tok := range tk.Tokenize(s) {
		if r, ok := tok.Reading(); ok && r != "" && r != "*" {
			sb.WriteString(r)
			continue
		}
		k := toKatakana(tok.Surface)
		for _, r := range k {
			if !(unicode.Is(unicode.Katakana, r) || r == 'ー' || r < utf8.RuneSelf || unicode.IsSpace(r)) {
				return "", false
			}
		}
		sb.WriteString(k)
	}
	return sb.String(), true
}

// Modified Hepburn for katakana (the romanization of passports and of most
// romaji in reports). Digraphs come first in lookup.
var kanaDigraphs = map[string]string{
	"キャ": "kya", "キュ": "kyu", "キョ": "kyo", "シャ": "sha", "シュ": "shu", "ショ": "sho", "シェ": "she",
	"チャ": "cha", "チュ": "chu", "チョ": "cho", "チェ": "che", "ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo",
	"ヒャ": "hya", "ヒュ": "hyu", "ヒョ": "hyo", "ミャ": "mya", "ミュ": "myu", "ミョ": "myo",
	"リャ": "rya", "リュ": "ryu", "リョ": "ryo", "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo",
	"ジャ": "ja", "ジュ": "ju", "ジョ": "jo", "ジェ": "je", "ビャ": "bya", "ビュ": "byu", "ビョ": "byo",
	"ピャ": "pya", "ピュ": "pyu", "ピョ": "pyo", "ティ": "ti", "ディ": "di", "ファ": "fa", "フィ": "fi",
	"フェ": "fe", "フォ": "fo", "ウィ": "wi", "ウェ": "we", "ウォ": "wo", "ヴァ": "va", "ヴィ": "vi",
	"ヴェ": "ve", "ヴォ": "vo", "トゥ": "tu", "ドゥ": "du",
}

var kanaMonographs = map[rune]string{
	'ア': "a", 'イ': "i", 'ウ': "u", 'エ': "e", 'オ': "o",
	'カ': "ka", 'キ': "ki", 'ク': "ku", 'ケ': "ke", 'コ': "ko", 'ガ': "ga", 'ギ': "gi", 'グ': "gu", 'ゲ': "ge", 'ゴ': "go",
	'サ': "sa", 'シ': "shi", 'ス': "su", 'セ': "se", 'ソ': "so", 'ザ': "za", 'ジ': "ji", 'ズ': "zu", 'ゼ': "ze", 'ゾ': "zo",
	'タ': "ta", 'チ': "chi", 'ツ': "tsu", 'テ': "te", 'ト': "to", 'ダ': "da", 'ヂ': "ji", 'ヅ': "zu", 'デ': "de", 'ド': "do",
	'ナ': "na", 'ニ': "ni", 'ヌ': "nu", 'ネ': "ne", 'ノ': "no",
	'ハ': "ha", 'ヒ': "hi", 'フ': "fu", 'ヘ': "he", 'ホ': "ho", 'バ': "ba", 'ビ': "bi", 'ブ': "bu", 'ベ': "be", 'ボ': "bo",
	'パ': "pa", 'ピ': "pi", 'プ': "pu", 'ペ': "pe", 'ポ': "po",
	'マ': "ma", 'ミ': "mi", 'ム': "mu", 'メ': "me", 'モ': "mo",
	'ヤ': "ya", 'ユ': "yu", 'ヨ': "yo", 'ラ': "ra", 'リ': "ri", 'ル': "ru", 'レ': "re", 'ロ': "ro",
	'ワ': "wa", 'ヰ': "i", 'ヱ': "e", 'ヲ': "o", 'ン': "n", 'ヴ': "vu",
	'ァ': "a", 'ィ': "i", 'ゥ': "u", 'ェ': "e", 'ォ': "o", 'ャ': "ya", 'ュ': "yu", 'ョ': "yo",
}

var (
	macron     = strings.NewReplacer("ou", "ō", "oo", "ō", "uu", "ū", "aa", "ā", "ee", "ē", "ii", "ī")
	circumflex = strings.NewReplacer("ou", "ô", "oo", "ô", "uu", "û", "aa", "â", "ee", "ê", "ii", "î")
)

// romaji returns the Hepburn spellings of a katakana string: as spelled
// (タロウ → tarou) and with long vowels shortened as on passports and most
// business cards (taro, and satoh for a final ou), with oo, the macron and
// the circumflex for a long vowel (satoo, satō, satô). Characters other than
// katakana are kept; ok is false when nothing was romanized.
func romaji(kana string) (out []string, ok bool) {
	rs := []rune(kana)
	var sb strings.Builder
	double := false
	any := false
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		var syl string
		if i+1 < len(rs) {
			if d, ok := kanaDigraphs[string(rs[i:i+2])]; ok {
				syl = d
				i++
			}
		}
		if syl == "" {
			switch {
			case r == 'ッ':
				double = true
				continue
			case r == 'ー':
				// Long vowel: repeat the last vowel in the spelled form.
				s := sb.String()
				if n := len(s); n > 0 && strings.IndexByte("aiueo", s[n-1]) >= 0 {
					sb.WriteByte(s[n-1])
				}
				continue
			default:
				if m, ok := kanaMonographs[r]; ok {
					syl = m
				} else {
					sb.WriteRune(r)
					double = false
					continue
				}
			}
		}
		any = true
		if double {
			if strings.HasPrefix(syl, "ch") {
				sb.WriteByte('t')
			} else if c := syl[0]; strings.IndexByte("aiueon", c) < 0 {
				sb.WriteByte(c)
			}
			double = false
		}
		sb.WriteString(syl)
	}
	if !any {
		return nil, false
	}
	spelled := sb.String()
	short := strings.NewReplacer("ou", "o", "oo", "o", "uu", "u", "ii", "i", "aa", "a", "ee", "e").Replace(spelled)
	out = []string{spelled}
	if short != spelled {
		out = append(out, short)
	}
	if strings.HasSuffix(spelled, "ou") {
		out = append(out, strings.TrimSuffix(spelled, "ou")+"oh")
	}
	// The other ways of writing a long vowel: oo (Satoo) and the Hepburn
	// macron or the circumflex (Satō, Satô). The matchers read ō and ô as o
	// (fold.go), so those two are found through the short form; they are
	// listed for what they are, spellings of the name.
	if oo := strings.ReplaceAll(spelled, "ou", "oo"); oo != spelled {
		out = append(out, oo)
	}
	if m := macron.Replace(spelled); m != spelled {
		out = append(out, m, circumflex.Replace(spelled))
	}
	return out, true
}

// romajiToKana is the inverse of the Hepburn tables, with the Kunrei-shiki
// spellings people also use (si, tu, hu …).
var romajiToKana = func() map[string]string {
	m := map[string]string{}
	for k, v := range kanaDigraphs {
		if _, dup := m[v]; !dup {
			m[v] = k
		}
	}
	for k, v := range kanaMonographs {
		if k >= 'ァ' && k <= 'ョ' && strings.ContainsRune("ァィゥェォャュョ", k) || k == 'ヰ' || k == 'ヱ' || k == 'ヲ' || k == 'ヂ' || k == 'ヅ' {
			continue
		}
		m[v] = string(k)
	}
	// Kunrei-shiki and common alternatives.
	for k, v := range map[string]string{"si": "シ", "ti": "チ", "tu": "ツ", "hu": "フ", "zi": "ジ", "sya": "シャ", "syu": "シュ", "syo": "ショ",
		"tya": "チャ", "tyu": "チュ", "tyo": "チョ", "zya": "ジャ", "zyu": "ジュ", "zyo": "ジョ", "jya": "ジャ", "jyu": "ジュ", "jyo": "ジョ", "wo": "ヲ"} {
		m[k] = v
	}
	return m
}()

// kanaOfRomaji parses a word of Hepburn (or Kunrei) romaji into katakana:
// hanako → ハナコ, ichiro → イチロ and イチロウ (a long o is often written as
// one). ok is false when the word is not romaji ("telecom").
func kanaOfRomaji(word string) ([]string, bool) {
	w := strings.ToLower(word)
	var sb strings.Builder
	for i := 0; i < len(w); {
		c := w[i]
		if c < 'a' || c > 'z' {
			return nil, false
		}
		// Doubled consonant: ッ (tch too).
		if i+1 < len(w) && (w[i+1] == c && strings.IndexByte("aiueon", c) < 0 || c == 't' && strings.HasPrefix(w[i+1:], "ch")) {
			sb.WriteRune('ッ')
			i++
			continue
		}
		matched := false
		for n := 3; n >= 1; n-- {
			if i+n <= len(w) {
				if k, ok := romajiToKana[w[i:i+n]]; ok {
					if n == 1 && c == 'n' && i+1 < len(w) && (strings.IndexByte("aiueoy", w[i+1]) >= 0) {
						continue // na, ni … not ン
					}
					sb.WriteString(k)
					i += n
					matched = true
					break
				}
			}
		}
		if !matched {
			if c == 'm' && i+1 < len(w) && strings.IndexByte("bmp", w[i+1]) >= 0 {
				sb.WriteRune('ン') // Hepburn m before b, m, p (Shimbashi)
				i++
				continue
			}
			return nil, false
		}
	}
	k := sb.String()
	out := []string{k}
	// A long o written as one letter (Ichiro, Sato) reads オウ.
	if long := longO(k); long != k {
		out = append(out, long)
	}
	return out, true
}

// longO adds ウ after every o-row kana that is not followed by a vowel kana.
func longO(k string) string {
	rs := []rune(k)
	var sb strings.Builder
	for i, r := range rs {
		sb.WriteRune(r)
		if strings.ContainsRune("オコソトノホモヨロゴゾドボポョ", r) && (i+1 == len(rs) || !strings.ContainsRune("アイウエオ", rs[i+1])) {
			sb.WriteRune('ウ')
		}
	}
	return sb.String()
}
