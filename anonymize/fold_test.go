package anonymize

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/unicode/runenames"
)

// TestFoldTable checks the look-alike table against the Unicode character
// names, which it is not derived from: every Latin letter "WITH" a mark folds
// to the letter its name gives, and the look-alikes of the review of #11 fold
// as a reader sees them.
func TestFoldTable(t *testing.T) {
	tests := []struct {
		name string
		r    rune
		want byte
	}{
		{"Cyrillic small a", 'а', 'a'},
		{"Cyrillic capital A", 'А', 'a'},
		{"Cyrillic small o", 'о', 'o'},
		{"Cyrillic small es", 'с', 'c'},
		{"Cyrillic small ie", 'е', 'e'},
		{"Cyrillic capital Byelorussian-Ukrainian I", 'І', 'i'},
		{"Greek capital Tau", 'Τ', 't'},
		{"Greek small omicron", 'ο', 'o'},
		{"Greek capital Kappa", 'Κ', 'k'},
		{"u with acute", 'ú', 'u'},
		{"o with macron", 'ō', 'o'},
		{"capital O with macron", 'Ō', 'o'},
		{"o with circumflex", 'ô', 'o'},
		{"e with acute", 'é', 'e'},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, ok := foldLetter(tc.r); !ok || got != tc.want {
				t.Errorf("foldLetter(%U) = %q, %v; want %q", tc.r, got, ok, tc.want)
			}
		})
	}
	checked := 0
	for r := rune(0xC0); r < foldLimit; r++ {
		name := runenames.Name(r)
		var letter string
		for _, p := range []string{"LATIN SMALL LETTER ", "LATIN CAPITAL LETTER "} {
			if rest, ok := strings.CutPrefix(name, p); ok && len(rest) > 2 && rest[1] == ' ' && strings.HasPrefix(rest[2:], "WITH ") {
				letter = strings.ToLower(rest[:1])
			}
		}
		if letter == "" || len([]rune(norm.NFD.String(string(r)))) < 2 {
			continue // ʋ (v with hook) has no decomposition and looks like u
		}
		c, ok := foldLetter(r)
		if !ok {
			continue // no single-letter skeleton (ł, đ): not folded, not wrong
		}
		checked++
		if string(c) != letter {
			t.Errorf("%U %s folds to %q", r, name, c)
		}
	}
	if checked < 250 {
		t.Errorf("only %d accented Latin letters folded", checked)
	}
	for _, r := range "さくらテレコム山田ー０１ＡＢ" {
		if _, ok := foldLetter(r); ok {
			t.Errorf("%q folded", r)
		}
	}
}
