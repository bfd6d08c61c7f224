package anonymize

import (
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// Letters that look like Latin ones or carry marks are read as the Latin
// letter: "Sаkura" with a Cyrillic а, "Τelecom" with a Greek Tau, "Sakúra",
// "Satō" (Hepburn long vowel) are Sakura, Telecom, sakura and sato to both
// matchers. Without this a single look-alike letter or accent lets a name
// through the scrubber and the leak check alike.
//
// The table is derived, when the package is loaded, from Unicode's own data
// rather than written by hand: the confusables of UTS #39
// (github.com/mtibben/confusables, generated from confusables.txt; its map
// is unexported, so each letter goes through its Skeleton) and canonical
// decomposition (NFD, golang.org/x/text). A letter of the Latin, Greek and
// Cyrillic blocks is folded when its skeleton, without combining marks, is a
// single ASCII letter. TestFoldTable checks it against the Unicode names.

// foldLimit bounds the folded blocks: Latin-1 to Cyrillic Supplement, Latin
// Extended Additional and Greek Extended.
const foldLimit = 0x2000

// foldTable maps a letter below foldLimit to the ASCII lower-case letter it
// is read as; 0 for none.
var foldTable = func() (t [foldLimit]byte) {
	for r := rune(0xC0); r < foldLimit; r++ {
		if !(r < 0x530 || r >= 0x1E00) || !unicode.IsLetter(r) {
			continue
		}
		// The canonical decomposition first (ō is o and a macron); then the
		// confusables of the small letter and of the letter itself (UTS #39
		// reads a capital I as l, which is right for the glyph and wrong
		// for a name: І is read as і, which is i).
		c, ok := asciiLetter(norm.NFD.String(string(r)))
		if !ok {
			c, ok = asciiLetter(norm.NFD.String(confusables.Skeleton(string(unicode.ToLower(r)))))
		}
		if !ok {
			c, ok = asciiLetter(norm.NFD.String(confusables.Skeleton(string(r))))
		}
		if ok {
			t[r] = c
		}
	}
	return t
}()

// asciiLetter returns the lower-case ASCII letter s consists of, combining
// marks aside.
func asciiLetter(s string) (byte, bool) {
	var c byte
	for _, x := range s {
		if unicode.In(x, unicode.Mn, unicode.Me) {
			continue
		}
		if c != 0 || x >= utf8.RuneSelf || !unicode.IsLetter(x) {
			return 0, false
		}
		c = byte(unicode.ToLower(x))
	}
	return c, c != 0
}

// kanaBase maps a voiced katakana (ガ, パ, ヴ) to its unvoiced letter, for
// the leak check's skeleton: a voicing mark written apart (ﾃ, a soft
// hyphen, ﾞ) cannot be composed again, so the skeleton reads every kana
// without it.
var kanaBase = func() (t [0x60]rune) {
	for r := rune(0x30A0); r < 0x3100; r++ {
		if d := []rune(norm.NFD.String(string(r))); len(d) == 2 && unicode.Is(unicode.Mn, d[1]) {
			t[r-0x30A0] = d[0]
		}
	}
	return t
}()

// foldLetter returns the ASCII letter a look-alike or accented letter is
// read as.
func foldLetter(r rune) (byte, bool) {
	if r < foldLimit && r >= 0xC0 {
		if c := foldTable[r]; c != 0 {
			return c, true
		}
	}
	return 0, false
}

// isInvisibleMark reports the characters that render as nothing or only
// change the letter before them, and are dropped (not read as a space) by
// both matchers: combining marks (U+0332, the grapheme joiner U+034F) and
// the variation selectors (U+FE00–FE0F, U+E0100–E01EF, which are combining
// marks too).
func isInvisibleMark(r rune) bool {
	return r >= 0x300 && unicode.In(r, unicode.Mn, unicode.Me)
}

// isHangulFiller reports the Hangul fillers (U+115F, U+1160, U+3164,
// U+FFA0): letters to Unicode, blank on screen. Both matchers read them as
// a space ("Sakura\u3164Telecom" is "Sakura Telecom").
func isHangulFiller(r rune) bool {
	switch r {
	case 0x115F, 0x1160, 0x3164, 0xFFA0:
		return true
	}
	return false
}
