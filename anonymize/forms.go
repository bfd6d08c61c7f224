package anonymize

import (
	"strings"

	"github.com/ikawaha/kagome/v2/tokenizer"
	"golang.org/x/text/unicode/norm"
)

// The registry lists a name once or twice; people write it in many scripts.
// The functions here derive, from one registry name, the other spellings of
// the same name: the katakana reading of kanji (from the IPA dictionary), the
// Hepburn romaji of kana, and the katakana of a romaji name. Hiragana,
// half-width katakana and full-width Latin need no derived form: the
// matchers fold those themselves (NFKC, hiragana read as katakana).
//
// The scrubber and the leak check both start from these forms, each in its
// own normal form; a reading the dictionary gets wrong is therefore missed
// by both (docs/anonymize.md, "What is not caught").

// corporateWords are Latin corporate forms dropped from the end of a name.
var corporateWords = map[string]bool{
	"inc": true, "inc.": true, "co": true, "co.": true, "co.,": true, "ltd": true, "ltd.": true, "corp": true, "corp.": true,
	"corporation": true, "k.k.": true, "kk": true, "llc": true, "limited": true, "group": true, "holdings": true,
}

// corporateAffixes are Japanese corporate forms before or after a name.
var corporateAffixes = []string{"株式会社", "(株)", "有限会社", "(有)", "合同会社", "合資会社", "一般社団法人", "グループ", "ホールディングス"}

// baseName returns a name in NFKC without its corporate forms
// ("Kaede Networks Co., Ltd." → "Kaede Networks", "さくらテレコム株式会社" →
// "さくらテレコム").
func baseName(name string) string {
	s := strings.TrimSpace(norm.NFKC.String(name))
	for changed := true; changed; {
		changed = false
		f := strings.Fields(s)
		for len(f) > 1 && corporateWords[strings.ToLower(strings.TrimLeft(f[len(f)-1], ","))] {
			f = f[:len(f)-1]
			changed = true
		}
		s = strings.TrimRight(strings.Join(f, " "), ", ")
		for _, a := range corporateAffixes {
			if t := strings.TrimSpace(strings.TrimSuffix(s, a)); t != s && t != "" {
				s, changed = t, true
			}
			if t := strings.TrimSpace(strings.TrimPrefix(s, a)); t != s && t != "" {
				s, changed = t, true
			}
		}
	}
	return s
}

// readingForms returns the other-script spellings of one word or name
// (without corporate forms): for kanji its katakana reading and that
// reading's romaji; for kana its romaji; for a romaji name (every word
// romaji) its katakana. tk may be nil (no kanji readings).
func readingForms(tk *tokenizer.Tokenizer, s string) []string {
	var out []string
	k := toKatakana(s)
	if hasHan(k) {
		if tk == nil {
			return nil
		}
		r, ok := kanaReading(tk, k)
		if !ok {
			return nil
		}
		out = append(out, r)
		k = r
	}
	if isKanaText(k) {
		if rs, ok := romaji(k); ok {
			out = append(out, rs...)
		}
		return out
	}
	// Romaji → katakana, when every word is romaji.
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' || r == '.' || r == '・' })
	if len(words) == 0 {
		return out
	}
	plain, long := make([]string, 0, len(words)), make([]string, 0, len(words))
	for _, w := range words {
		ks, ok := kanaOfRomaji(w)
		if !ok {
			return out
		}
		plain = append(plain, ks[0])
		long = append(long, ks[len(ks)-1])
	}
	out = append(out, strings.Join(plain, " "))
	if l := strings.Join(long, " "); l != out[len(out)-1] {
		out = append(out, l)
	}
	return out
}

// isKanaText reports text that is katakana (and long-vowel marks), with any
// Latin letters, digits and separators around it, and at least one kana.
func isKanaText(s string) bool {
	kana := false
	for _, r := range s {
		switch {
		case r >= 0x30A1 && r <= 0x30FA || r == 'ー':
			kana = true
		case r < 0x80, r == '・', r == '　':
		default:
			return false
		}
	}
	return kana
}

// nameForms returns the spellings of an organization name to protect: as
// registered, without corporate forms, and its readings in other scripts.
func nameForms(tk *tokenizer.Tokenizer, name string) []string {
	base := baseName(name)
	out := []string{name, base}
	return append(out, readingForms(tk, base)...)
}

// personParts splits a contact's name into its parts (surname and given
// name, in whatever order it was written): at white space, or for a kanji
// name written without a space, where the dictionary ends the surname
// (佐藤花子 → 佐藤, 花子).
func personParts(tk *tokenizer.Tokenizer, name string) []string {
	f := strings.Fields(norm.NFKC.String(name))
	if len(f) != 1 || tk == nil || !hasHan(f[0]) {
		return f
	}
	toks := tk.Tokenize(f[0])
	if len(toks) == 2 {
		p0, p1 := toks[0].POS(), toks[1].POS()
		if len(p0) > 3 && len(p1) > 3 && p0[2] == "人名" && p1[2] == "人名" {
			return []string{toks[0].Surface, toks[1].Surface}
		}
	}
	return f
}

// personForms returns the spellings of a contact's name to protect: each
// part alone (a surname is how colleagues write a person: 山田さん, Mr.
// Yamada), the whole name in both orders, and all of them in the other
// scripts (山田 太郎 → ヤマダ タロウ → yamada tarou, yamada taro).
func personForms(tk *tokenizer.Tokenizer, name string) (whole, parts []string) {
	ps := personParts(tk, name)
	if len(ps) == 0 {
		return nil, nil
	}
	// Each part in every script, aligned by script so that whole names are
	// composed in one script at a time.
	scripts := make([][]string, len(ps))
	n := 1
	for i, p := range ps {
		scripts[i] = append([]string{p}, readingForms(tk, p)...)
		n = max(n, len(scripts[i]))
		parts = append(parts, scripts[i]...)
	}
	whole = append(whole, name)
	for v := 0; v < n; v++ {
		var f []string
		for _, s := range scripts {
			f = append(f, s[min(v, len(s)-1)])
		}
		whole = append(whole, strings.Join(f, " "))
		if len(f) == 2 {
			whole = append(whole, f[1]+" "+f[0])
		}
	}
	return whole, parts
}
