// Package post reads public posts about the network (JSON lines
// {"time", "text"}, INTERFACES §9), matches them to registry carriers by
// their names and aliases in every written form and to outage words in
// Japanese and English, and turns a burst of one carrier's per-minute count
// above that carrier's own baseline into a user-report-surge signal of the
// "user-reports" source. Counting, not reading: no post text leaves it.
//
// Names are matched on a folded form: NFKC (full-width Latin and half-width
// kana become ordinary), lower case, katakana as hiragana, spaces and
// punctuation dropped. Package anonymize matches names far more thoroughly
// (readings, look-alike letters) but exports no matcher; this is the small
// one issue #16 needs for counting.
package post

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Post is one public post.
type Post struct {
	Time time.Time `json:"time"`
	Text string    `json:"text"`
}

// MaxLine bounds one JSON line.
const MaxLine = 1 << 20

// Read calls fn for every post in r, one JSON object per line; blank lines
// are skipped. A bad line stops it with an error naming the line.
func Read(r io.Reader, fn func(Post) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), MaxLine)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var p Post
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			return fmt.Errorf("line %d: not a post {\"time\", \"text\"}: %w", n, err)
		}
		if p.Time.IsZero() {
			return fmt.Errorf("line %d: time is required (RFC 3339)", n)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return sc.Err()
}

// DefaultWords are the outage words of issue #16, in the forms people post.
var DefaultWords = []string{
	"繋がらない", "つながらない", "繋がりません", "つながりません", "圏外", "通信障害", "障害", "不通", "使えない", "電話できない",
	"down", "outage", "no signal", "not working", "no service", "cannot connect", "can't connect",
}

// fold is the matching form of a text: NFKC, lower case, katakana as
// hiragana, and only letters and digits (words of Latin letters keep a
// single space between them so "down" does not match "download").
func fold(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r >= 'ァ' && r <= 'ヶ':
			r -= 'ァ' - 'ぁ'
		case r == 'ー' || unicode.IsLetter(r) || unicode.IsDigit(r):
		default:
			space = true
			continue
		}
		r = unicode.ToLower(r)
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// matcher finds terms in folded text. A term of Latin letters and digits
// must stand as whole words ("SKT" in "askt" is not a name); others may
// stand anywhere, as Japanese has no spaces.
type matcher struct {
	terms []mterm
}

type mterm struct {
	text  string
	latin bool
	tight string // without spaces, for hashtags such as #SakuraTelecom
}

func newMatcher(terms []string) *matcher {
	m := &matcher{}
	for _, t := range terms {
		f := fold(t)
		if f == "" {
			continue
		}
		mt := mterm{text: f, latin: isLatin(f)}
		if mt.latin && strings.Contains(f, " ") && len(f) >= 8 {
			mt.tight = strings.ReplaceAll(f, " ", "")
		}
		m.terms = append(m.terms, mt)
	}
	return m
}

func isLatin(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// match reports whether any term occurs in the folded text; tight is the
// text without spaces.
func (m *matcher) match(text, tight string) bool {
	for _, t := range m.terms {
		if !t.latin {
			if strings.Contains(tight, strings.ReplaceAll(t.text, " ", "")) {
				return true
			}
			continue
		}
		if wordIn(text, t.text) || t.tight != "" && wordIn(text, t.tight) {
			return true
		}
	}
	return false
}

// wordIn reports whether w occurs in s between word boundaries: the ends,
// a space, or a letter that is not Latin (「SKTが圏外」).
func wordIn(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		a, z := i+j, i+j+len(w)
		if (a == 0 || !isWordByte(s[a-1])) && (z == len(s) || !isWordByte(s[z])) {
			return true
		}
		i = a + 1
	}
}

func isWordByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
