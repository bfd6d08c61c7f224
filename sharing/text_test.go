package sharing

import (
	"testing"
	"unicode/utf8"
)

func TestStorableText(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"carrier-a", 64, "carrier-a"},
		{"ev\x00il", 0, "ev\uFFFDil"},
		{"a\x1bb\x7fc", 0, "a\uFFFDb\uFFFDc"},
		{"bad\xff\xfe", 0, "bad\uFFFD"},
		{"山田太郎", 7, "山田"}, // 3 bytes each: the cut falls inside 太
		{"山田太郎", 6, "山田"},
		{"\u2028line", 0, "\u2028line"}, // a separator, not a control character
	} {
		got := storableText(c.in, c.max)
		if got != c.want || !utf8.ValidString(got) || (c.max > 0 && len(got) > c.max) {
			t.Errorf("storableText(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}
