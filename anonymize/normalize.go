package anonymize

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// normText is a string in matching form: Unicode NFKC, case folded, hiragana
// as katakana, look-alike and accented letters as the Latin letter
// (fold.go), invisible format characters (U+200B, U+00AD …), combining
// marks and variation selectors dropped, Hangul fillers as white space,
// every white-space character and the middle dots (・, ·) as one ASCII
// space, every dash-like character as '-',
// and the defanged and spelled-out forms "[.]", "(.)", "[dot]", "(dot)",
// "[@]", "[at]", "(at)" (in any bracket, any case) collapsed to "." and "@",
// as is an ideographic full stop between Latin letters or digits
// (example。com). Matching runs on b; each byte of b maps back to
// the source bytes it came from, so a match can be replaced in the original
// string and everything around it stays exactly as submitted.
type normText struct {
	b        []byte
	src      string  // the text b was made from
	identity bool    // b[i] came from src[i] (ASCII fast path)
	start    []int32 // source start of the unit b[i] came from
	end      []int32 // source end of that unit
}

// srcSpan maps the normalized span [a, z) back to source byte offsets.
func (n *normText) srcSpan(a, z int) (int, int) {
	if n.identity {
		return a, z
	}
	return int(n.start[a]), int(n.end[z-1])
}

// normalizer holds reusable buffers; one per goroutine.
type normalizer struct {
	nt    normText
	fold  cases.Caser
	it    norm.Iter
	runeb [utf8.UTFMax]byte
}

func newNormalizer() *normalizer {
	return &normalizer{fold: cases.Fold()}
}

// needsSlowPath reports whether s has a byte outside ASCII or an
// obfuscation bracket.
func needsSlowPath(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return true
		}
		if (c == '[' || c == '(' || c == '{') && i+2 < len(s) {
			if _, n := obfuscation(s[i:]); n > 0 {
				return true
			}
		}
	}
	return false
}

// obfuscation reports whether s starts with a bracketed stand-in for a dot
// or an at sign ("[.]", "(dot)", "{at}" …, any case), and its length.
func obfuscation(s string) (byte, int) {
	if len(s) < 3 {
		return 0, 0
	}
	open := s[0]
	var close byte
	switch open {
	case '[':
		close = ']'
	case '(':
		close = ')'
	case '{':
		close = '}'
	default:
		return 0, 0
	}
	k := strings.IndexByte(s[1:min(len(s), 6)], close)
	if k < 0 {
		return 0, 0
	}
	switch strings.ToLower(s[1 : 1+k]) {
	case ".", "dot":
		return '.', k + 2
	case "@", "at":
		return '@', k + 2
	}
	return 0, 0
}

// normalize fills n.nt from s. The result is valid until the next call.
func (n *normalizer) normalize(s string) *normText {
	nt := &n.nt
	nt.b = nt.b[:0]
	nt.src = s
	if !needsSlowPath(s) {
		// ASCII: NFKC is the identity and case folding is lowering.
		nt.identity = true
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			case c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
				c = ' '
			case c < 0x20 || c == 0x7f:
				c = ' '
			}
			nt.b = append(nt.b, c)
		}
		return nt
	}
	nt.identity = false
	nt.start = nt.start[:0]
	nt.end = nt.end[:0]
	emit := func(p []byte, s0, s1 int) {
		for _, c := range p {
			nt.b = append(nt.b, c)
			nt.start = append(nt.start, int32(s0))
			nt.end = append(nt.end, int32(s1))
		}
	}
	n.it.InitString(norm.NFKC, s)
	for !n.it.Done() {
		p0 := n.it.Pos()
		seg := n.it.Next()
		p1 := n.it.Pos()
		same := p1-p0 == len(seg) && string(seg) == s[p0:p1]
		off := 0
		for off < len(seg) {
			r, size := utf8.DecodeRune(seg[off:])
			s0, s1 := p0, p1
			if same {
				s0, s1 = p0+off, p0+off+size
			}
			off += size
			switch {
			case r < utf8.RuneSelf:
				c := byte(r)
				switch {
				case c >= 'A' && c <= 'Z':
					c += 'a' - 'A'
				case c < 0x20 || c == 0x7f:
					c = ' '
				}
				nt.b = append(nt.b, c)
				nt.start = append(nt.start, int32(s0))
				nt.end = append(nt.end, int32(s1))
			case unicode.Is(unicode.Cf, r) || isInvisibleMark(r):
				// Invisible format characters (zero-width space, soft
				// hyphen, joiners) are dropped, not read as a space: written
				// inside a number or a name they would otherwise split it.
			case unicode.IsSpace(r) || r == utf8.RuneError || r == '・' || r == '·' || isHangulFiller(r):
				emit([]byte{' '}, s0, s1)
			case r >= 0x3041 && r <= 0x3096 || r == 0x309D || r == 0x309E:
				// Hiragana as katakana: the same sounds, and names are
				// written in either (さくらテレコム = サクラテレコム).
				k := utf8.EncodeRune(n.runeb[:], r+0x60)
				emit(n.runeb[:k], s0, s1)
			case r >= 0xC0 && r < foldLimit && foldTable[r] != 0:
				// Look-alike and accented letters as the Latin letter
				// (fold.go): Sаkura (Cyrillic а), Satō.
				emit(foldTable[r:r+1], s0, s1)
			case isDash(r):
				emit([]byte{'-'}, s0, s1)
			case r == '＠' || r == '﹫':
				emit([]byte{'@'}, s0, s1)
			case unicode.SimpleFold(r) != r:
				k := utf8.EncodeRune(n.runeb[:], r)
				emit(n.fold.Bytes(n.runeb[:k]), s0, s1)
			default:
				emit(seg[off-size:off], s0, s1)
			}
		}
	}
	n.undefang()
	return nt
}

// undefang collapses the bracketed stand-ins of obfuscation (see
// obfuscation), with the spaces around a spelled-out one ("yamada [at]
// sakura"), and an ideographic full stop between Latin letters or digits,
// in place.
func (n *normalizer) undefang() {
	nt := &n.nt
	if !bytes.ContainsAny(nt.b, "])}") && !bytes.Contains(nt.b, ideoStop) {
		return
	}
	w := 0
	for r := 0; r < len(nt.b); r++ {
		c, k := obfuscation(unsafeString(nt.b[r:]))
		if k == 0 && bytes.HasPrefix(nt.b[r:], ideoStop) && w > 0 && isAlnum(nt.b[w-1]) && r+3 < len(nt.b) && isAlnum(nt.b[r+3]) {
			c, k = '.', 3
		}
		if k > 0 {
			s0, z := nt.start[r], r+k-1
			if k > 3 { // spelled out: absorb one space on each side
				if w > 0 && nt.b[w-1] == ' ' {
					w--
					s0 = nt.start[w]
				}
				if z+1 < len(nt.b) && nt.b[z+1] == ' ' {
					z++
				}
			}
			nt.b[w], nt.start[w], nt.end[w] = c, s0, nt.end[z]
			w++
			r = z
			continue
		}
		nt.b[w], nt.start[w], nt.end[w] = nt.b[r], nt.start[r], nt.end[r]
		w++
	}
	nt.b, nt.start, nt.end = nt.b[:w], nt.start[:w], nt.end[:w]
}

var ideoStop = []byte("。")

// isDash reports the dash and long-vowel characters people type in phone
// numbers and addresses in Japanese text (03ー1234ー5678, 1−2−3).
func isDash(r rune) bool {
	switch {
	case r >= 0x2010 && r <= 0x2015, r == 0x2212, r == 0x30FC, r == 0xFF70, r == 0xFE63, r == 0xFE58, r == 0x2043:
		return true
	}
	return false
}

// isSkipped reports the separators that registry-term matching steps over:
// white space, hyphen, underscore, dot and slash, so that 山田 太郎 =
// 山田太郎 and Sakura-Telecom = Sakura_Telecom = sakura.telecom.
func isSkipped(c byte) bool {
	return c == ' ' || c == '-' || c == '_' || c == '.' || c == '/'
}

// normalizeTerm returns a registry term in matching form without the
// separators that matching steps over.
func normalizeTerm(n *normalizer, s string) string {
	nt := n.normalize(s)
	out := make([]byte, 0, len(nt.b))
	for _, c := range nt.b {
		if !isSkipped(c) {
			out = append(out, c)
		}
	}
	return string(out)
}

// normalizeValue returns a value in matching form with white space removed,
// for literal search in normalized text.
func normalizeValue(n *normalizer, s string) string {
	nt := n.normalize(s)
	out := make([]byte, 0, len(nt.b))
	for _, c := range nt.b {
		if c != ' ' {
			out = append(out, c)
		}
	}
	return string(out)
}
