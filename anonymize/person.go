package anonymize

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ikawaha/kagome/v2/tokenizer"
)

// People the registry does not know. A report names staff of the submitter
// and of others (the engineer on duty, a customer); SHARING.md §4 wants
// them gone from community copies. Names are open-ended, so they are found by
// their context, not by a list: in Japanese by the morphological analyser's
// part of speech (名詞,固有名詞,人名), in English by an honorific or a role
// next to capitalized words. Both are tuned for precision, because a false
// positive destroys what defenders need (an attacker's handle, a malware
// name); TestPersonPrecision measures it.

// kindRole is the kind of helper terms that anchor English person names.
const kindRole Kind = "role"

// roleKind says where a name stands relative to a role word.
type roleKind uint8

const (
	roleHonorific roleKind = iota + 1 // before the name: Mr. Yamada
	roleSuffix                        // after the name: Tanaka-san
	roleTitle                         // before or after: engineer John Smith, John Smith (NOC manager)
)

// roleWords are the English honorifics and job words that make two
// capitalized words beside them a person's name.
var roleWords = map[string]roleKind{
	"mr": roleHonorific, "mrs": roleHonorific, "ms": roleHonorific, "miss": roleHonorific, "mx": roleHonorific,
	"dr": roleHonorific, "prof": roleHonorific,
	"san": roleSuffix, "sama": roleSuffix, "kun": roleSuffix,
	"engineer": roleTitle, "operator": roleTitle, "manager": roleTitle, "administrator": roleTitle, "analyst": roleTitle,
	"technician": roleTitle, "director": roleTitle, "officer": roleTitle, "supervisor": roleTitle, "employee": roleTitle,
	"staff": roleTitle, "contact": roleTitle, "representative": roleTitle, "spokesperson": roleTitle, "reporter": roleTitle,
	"ciso": roleTitle, "cto": roleTitle, "ceo": roleTitle, "cio": roleTitle, "president": roleTitle, "chief": roleTitle,
	"lead": roleTitle, "head": roleTitle, "on-call": roleTitle, "oncall": roleTitle, "colleague": roleTitle,
}

// notNames are capitalized words that begin sentences and titles rather
// than names.
var notNames = map[string]bool{
	"the": true, "a": true, "an": true, "this": true, "that": true, "our": true, "their": true, "his": true, "her": true,
	"team": true, "group": true, "center": true, "centre": true, "department": true, "division": true, "office": true,
	"network": true, "operations": true, "security": true, "incident": true, "response": true, "noc": true, "soc": true,
	"and": true, "of": true, "for": true, "on": true, "in": true, "at": true, "by": true, "to": true, "from": true,
	"is": true, "was": true, "has": true, "had": true, "will": true, "who": true, "said": true, "reported": true,
}

// word is a run of ASCII letters in normalized text.
type word struct{ a, z int }

// capitalized reports whether the word is written with a capital and then
// lower case (Smith, not SMITH nor smith) and is not a function word.
func (n *normText) capitalized(w word) bool {
	if w.z-w.a < 2 || notNames[string(n.b[w.a:w.z])] {
		return false
	}
	up, _ := n.caseAt(w.a)
	if !up {
		return false
	}
	for i := w.a + 1; i < w.z; i++ {
		if _, low := n.caseAt(i); !low {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' }

// wordAfter returns the word that starts at b[i] after at most two bytes of
// spaces or punctuation out of seps.
func wordAfter(b []byte, i int, seps string) (word, bool) {
	for n := 0; n < 2 && i < len(b) && strings.IndexByte(seps, b[i]) >= 0; n++ {
		i++
	}
	if i >= len(b) || !isLetter(b[i]) {
		return word{}, false
	}
	z := i
	for z < len(b) && isLetter(b[z]) {
		z++
	}
	if z < len(b) && (isDigit(b[z]) || b[z] >= utf8.RuneSelf) {
		return word{}, false
	}
	return word{i, z}, true
}

// wordBefore returns the word that ends at b[i] before at most two bytes of
// seps.
func wordBefore(b []byte, i int, seps string) (word, bool) {
	for n := 0; n < 2 && i > 0 && strings.IndexByte(seps, b[i-1]) >= 0; n++ {
		i--
	}
	if i <= 0 || !isLetter(b[i-1]) {
		return word{}, false
	}
	a := i
	for a > 0 && isLetter(b[a-1]) {
		a--
	}
	if a > 0 && (isDigit(b[a-1]) || b[a-1] >= utf8.RuneSelf) {
		return word{}, false
	}
	return word{a, i}, true
}

// detectEnglishPersons finds names beside the honorifics and roles that the
// automaton found: "Mr. Tanaka", "Ms. Jane Doe", "Tanaka-san", "engineer John
// Smith", "John Smith (NOC manager)", "contact: John Smith". A role needs two
// capitalized words (a first and a last name); an honorific one or two.
func (s *scrubber) detectEnglishPersons(nt *normText) {
	b := nt.b
	for _, r := range s.roles {
		switch roleKind(r.party) {
		case roleHonorific:
			w1, ok := wordAfter(b, r.z, ". ")
			if !ok || !nt.capitalized(w1) {
				continue
			}
			z := w1.z
			if w2, ok := wordAfter(b, w1.z, " "); ok && w2.a == w1.z+1 && nt.capitalized(w2) {
				z = w2.z
			}
			s.spans = append(s.spans, span{w1.a, z, KindPerson, -1})
		case roleSuffix:
			if r.a == 0 || b[r.a-1] != '-' && b[r.a-1] != ' ' {
				continue
			}
			if r.z < len(b) && isAlnum(b[r.z]) {
				continue
			}
			w1, ok := wordBefore(b, r.a, "- ")
			if !ok || !nt.capitalized(w1) {
				continue
			}
			s.spans = append(s.spans, span{w1.a, w1.z, KindPerson, -1})
		case roleTitle:
			// After the role: engineer John Smith, contact: John Smith.
			if w1, ok := wordAfter(b, r.z, ": ,"); ok && nt.capitalized(w1) {
				if w2, ok := wordAfter(b, w1.z, " "); ok && w2.a == w1.z+1 && nt.capitalized(w2) {
					s.spans = append(s.spans, span{w1.a, w2.z, KindPerson, -1})
					continue
				}
			}
			// Before it: John Smith, engineer; John Smith (NOC engineer).
			i := r.a
			if w, ok := wordBefore(b, i, " "); ok && w.z == i-1 && !nt.capitalized(w) {
				i = w.a // one qualifier: (NOC engineer), (network manager)
			}
			for i > 0 && b[i-1] == ' ' {
				i--
			}
			if i > 0 && (b[i-1] == '(' || b[i-1] == ',') {
				i--
			} else {
				continue
			}
			w2, ok := wordBefore(b, i, " ")
			if !ok || !nt.capitalized(w2) {
				continue
			}
			if w1, ok := wordBefore(b, w2.a, " "); ok && w1.z == w2.a-1 && nt.capitalized(w1) {
				s.spans = append(s.spans, span{w1.a, w2.z, KindPerson, -1})
			}
		}
	}
}

// roleWordsJA are job words that make a single name token a person before
// or after it (担当の山田, 山田部長), as the honorifics the IPA dictionary tags
// 名詞,接尾,人名 do (山田さん, 佐藤様, 鈴木氏; tokenView.honorific).
var roleWordsJA = map[string]bool{
	"担当": true, "担当者": true, "部長": true, "課長": true, "係長": true, "主任": true, "社長": true, "室長": true,
	"所長": true, "次長": true, "本部長": true, "リーダー": true, "マネージャー": true, "エンジニア": true, "責任者": true,
	"報告者": true, "対応者": true, "連絡先": true, "作業員": true, "社員": true, "職員": true, "担当官": true,
}

// detectJapanesePersons runs the morphological analyser over the parts of
// the text that could hold a Japanese name (runs of kanji and kana that
// contain kanji; a name in kana alone is too ambiguous to find without a
// registry) and marks person names: a surname followed by a given name, or
// one name token with an honorific (さん, 様, 氏 …) or a role word (担当,
// 部長 …) beside it. A lone token without context is left: the dictionary
// tags many place and common words as possible names, and precision matters
// more here than in the registry match.
func (s *scrubber) detectJapanesePersons(nt *normText) {
	tk := s.a.tk
	src := nt.src
	if s.runMemo == nil {
		s.runMemo = map[string][]word{}
	}
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRuneInString(src[i:])
		if !isJapaneseText(r) {
			i += size
			continue
		}
		j, han := i, false
		for j < len(src) {
			r, size := utf8.DecodeRuneInString(src[j:])
			if !isJapaneseText(r) {
				break
			}
			han = han || unicode.Is(unicode.Han, r)
			j += size
		}
		if han {
			for _, r := range s.personsInRun(tk, src[i:j]) {
				if a, z := nt.fromSource(i+r.a), nt.fromSource(i+r.z); z > a {
					s.spans = append(s.spans, span{a, z, KindPerson, -1})
				}
			}
		}
		i = j
	}
}

// tokenView is what person detection needs of a token of the analyser.
type tokenView struct {
	surface          string
	pos              int    // byte offset in the analysed text
	pos0, pos1, pos2 string // the first three levels of the part of speech
}

func (t tokenView) person() bool    { return t.pos1 == "固有名詞" && t.pos2 == "人名" }
func (t tokenView) honorific() bool { return t.pos1 == "接尾" && t.pos2 == "人名" }

func isJapaneseText(r rune) bool {
	return isJapaneseLetter(r) || r == 'ー' || r == '・'
}

// personsInRun returns the byte ranges of the person names in one run of
// Japanese text. Results are kept for the rest of the transform: scrubbing
// repeats over a changed string, and bundles repeat sentences, while the
// analyser is the most expensive step of scrubbing Japanese.
func (s *scrubber) personsInRun(tk *tokenizer.Tokenizer, run string) []word {
	if r, ok := s.runMemo[run]; ok {
		return r
	}
	views := s.toks[:0]
	for _, t := range tk.Tokenize(run) {
		v := tokenView{surface: t.Surface, pos: t.Position}
		if p := t.POS(); len(p) > 2 {
			v.pos0, v.pos1, v.pos2 = p[0], p[1], p[2]
		}
		views = append(views, v)
	}
	s.toks = views
	found := personsIn(views)
	if len(run) <= 1024 {
		if len(s.runMemo) >= 4096 {
			clear(s.runMemo) // a scrubber used outside a transform must not grow without end
		}
		s.runMemo[run] = found
	}
	return found
}

// personsIn returns the person names among the tokens of a run, as byte
// ranges of the run.
func personsIn(toks []tokenView) []word {
	var out []word
	roleAt := func(i int) bool { return i >= 0 && i < len(toks) && roleWordsJA[toks[i].surface] }
	honorificAt := func(i int) bool { return i >= 0 && i < len(toks) && toks[i].honorific() }
	particleAt := func(i int) bool { return i >= 0 && i < len(toks) && toks[i].pos0 == "助詞" }
	name := func(first, last tokenView) { out = append(out, word{first.pos, last.pos + len(last.surface)}) }
	for k := 0; k < len(toks); k++ {
		if !toks[k].person() {
			// The dictionary reads some surnames as places or companies
			// (松本, 清水); directly before an honorific or a title they
			// are people.
			if toks[k].pos1 == "固有名詞" && hanRunes(toks[k].surface) >= 2 && (honorificAt(k+1) || roleAt(k+1)) {
				name(toks[k], toks[k])
			}
			continue
		}
		e := k
		for e+1 < len(toks) && toks[e+1].person() {
			e++
		}
		ok := e > k || // surname and given name
			honorificAt(e+1) || roleAt(e+1) || // 山田さん, 山田部長
			particleAt(e+1) && roleAt(e+2) || // 吉田が担当
			roleAt(k-1) || particleAt(k-1) && roleAt(k-2) // 担当の山田
		if ok && (e > k || utf8.RuneCountInString(toks[k].surface) >= 2 || honorificAt(e+1)) {
			name(toks[k], toks[e])
		}
		k = e
	}
	return out
}

func hanRunes(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			n++
		}
	}
	return n
}

// fromSource maps a source byte offset to the first normalized byte at or
// after it.
func (n *normText) fromSource(o int) int {
	if n.identity {
		return o
	}
	return sort.Search(len(n.start), func(i int) bool { return int(n.start[i]) >= o })
}
