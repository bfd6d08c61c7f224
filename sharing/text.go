package sharing

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// storableText is text from outside (a username typed into a Basic header, an
// object id a TAXII client posted) made safe to keep: invalid UTF-8 and
// control characters, NUL included, become U+FFFD, and it is cut to at most
// max bytes on a character boundary (max ≤ 0: no cut). Both stores then
// keep it alike: PostgreSQL's text and jsonb refuse NUL and invalid UTF-8
// where SQLite would store them, so a hub moved from SQLite would otherwise
// carry rows PostgreSQL cannot take, and a hub on PostgreSQL would fail the
// request instead of recording it.
func storableText(s string, max int) string {
	clean := strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	if max > 0 && len(clean) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(clean[cut]) {
			cut--
		}
		clean = clean[:cut]
	}
	return clean
}
