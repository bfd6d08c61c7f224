package anonymize

import (
	"html"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// kindUnencodable is the kind of the single hit reported for a bundle that
// cannot even be serialized: it cannot be checked, so it is not released.
const kindUnencodable Kind = "unencodable"

// LeakCheck searches the serialized form of b for every protected term of
// the party submitter with the leak check's own matcher (skeleton.go), not
// the scrubber's detector: names and aliases with and without corporate
// forms and in their other-script readings, domains and their name part,
// contact names and their parts, e-mail addresses, phone numbers, ASNs, its
// STIX identity id, and addresses of its networks in any notation. Every JSON
// string (keys included) is checked twice: as it is written in the JSON
// text, and decoded, so that \u escapes cannot hide a term; a string with
// "%" or "&" is also checked with its percent-encoding and HTML character
// references decoded (decodeView). It returns one
// Hit per offending string with its JSON pointer (/objects/3/description)
// and the kind of term, never the term; nil when the copy is clean. An
// unknown submitter is checked against every party (fail closed).
func (a *Anonymizer) LeakCheck(b *stix.Bundle, submitter string) []Hit {
	s := a.getScrubber()
	defer a.putScrubber(s)
	pi, ok := a.byID[submitter]
	if !ok {
		pi = -1
	}
	return a.leakCheck(b, pi, s)
}

// leakCheck checks b for the terms of party (-1: every party but the one
// whose identity is the CEPTOAR identity the copies are attributed to). A
// large copy is checked object by object on every core (leakCheckObjects),
// with the same hits in the same order.
func (a *Anonymizer) leakCheck(b *stix.Bundle, party int, s *scrubber) []Hit {
	if len(b.Objects) >= a.perCore() {
		return a.leakCheckObjects(b, party, s)
	}
	// The copy as it will be served; an object whose JSON is broken fails
	// the scan below and withholds the copy.
	data := serialize(b)
	lc := a.newLeakScan(s, party, data)
	defer clear(s.memo) // its keys point into data
	if !lc.value(0) || lc.skipWS() != len(data) {
		lc.hits = append(lc.hits, Hit{Pointer: "", Kind: kindUnencodable})
	}
	return lc.hits
}

// newLeakScan starts a scan of data for the terms of party.
func (a *Anonymizer) newLeakScan(s *scrubber, party int, data []byte) *leakScan {
	lc := &leakScan{a: a, s: s, party: party, except: -1, data: data}
	if s.memo == nil {
		s.memo = map[memoKey]memoResult{}
	}
	if party < 0 {
		lc.except = a.hub
	}
	return lc
}

// leakCheckObjects is leakCheck over the serialized bundle (serialize) read
// in pieces: the bundle's own members, then each object's JSON at its place
// (/objects/i), on every core. Each piece gives the hits the whole scan
// finds in it, in the same order — every check is of one string or number
// with its JSON pointer, and a hit is merged only with the one before it at
// the same pointer, which never crosses an object — and the whole scan
// stops at the first piece that is not JSON, so the hits of the objects
// after it are left out here too.
func (a *Anonymizer) leakCheckObjects(b *stix.Bundle, party int, s *scrubber) []Hit {
	head := serialize(&stix.Bundle{ID: b.ID})
	lc := a.newLeakScan(s, party, head)
	ok := lc.value(0) && lc.skipWS() == len(head)
	hits := lc.hits
	clear(s.memo)
	if !ok {
		return append(hits, Hit{Pointer: "", Kind: kindUnencodable})
	}
	found := make([][]Hit, len(b.Objects))
	broken := make([]bool, len(b.Objects))
	a.onEveryCore(len(b.Objects), s, func(s *scrubber, i int) {
		data := []byte("null") // as serialize writes it
		if o := b.Objects[i]; o != nil && len(o.Raw) > 0 {
			data = o.Raw
		}
		lc := a.newLeakScan(s, party, data)
		lc.path = append(lc.path, "objects", strconv.Itoa(i))
		broken[i] = !lc.value(2) || lc.skipWS() != len(data)
		found[i] = lc.hits
		clear(s.memo) // its keys point into data
	})
	for i := range b.Objects {
		hits = append(hits, found[i]...)
		if broken[i] {
			return append(hits, Hit{Pointer: "", Kind: kindUnencodable})
		}
	}
	return hits
}

// leakScan walks JSON text, tracking the JSON pointer of each value.
type leakScan struct {
	a      *Anonymizer
	s      *scrubber
	party  int // the party whose terms are searched; -1 for every party
	except int // with party -1: a party not searched (the hub), or -1
	data   []byte
	pos    int
	path   []string
	hits   []Hit
}

func (l *leakScan) skipWS() int {
	for l.pos < len(l.data) {
		switch l.data[l.pos] {
		case ' ', '\t', '\n', '\r':
			l.pos++
		default:
			return l.pos
		}
	}
	return l.pos
}

func (l *leakScan) pointer() string {
	var sb strings.Builder
	for _, p := range l.path {
		sb.WriteByte('/')
		sb.WriteString(strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1"))
	}
	return sb.String()
}

func (l *leakScan) hit(k Kind) {
	p := l.pointer()
	if n := len(l.hits); n > 0 && l.hits[n-1].Pointer == p {
		return
	}
	l.hits = append(l.hits, Hit{Pointer: p, Kind: k})
}

// check runs the leak matcher over one piece of text.
func (l *leakScan) check(text string, class stringClass) {
	if k, found := l.a.leak.find(&l.s.sk, text, l.party, l.except, class); found {
		l.hit(k)
	}
}

// classOf says how much of a string value the leak check searches: a
// timestamp and the hub's own pseudonym hold nothing of a party; an
// identifier and a hash are random letters and digits in which a short term
// would be found by chance, so they are searched for long terms only (a
// registry identity's UUID is one).
func (l *leakScan) classOf(s string) stringClass {
	key := ""
	if len(l.path) > 0 {
		key = l.path[len(l.path)-1]
	}
	switch {
	case len(s) >= 20 && len(s) <= 30 && s[len(s)-1] == 'Z' && s[4] == '-':
		if _, err := stix.ParseTimestamp(s); err == nil {
			return classSkip
		}
	case key == PseudonymProperty && isPseudonym(s):
		return classSkip
	case strings.Contains(s, "--") && stix.ValidID(s, ""):
		return classStructure
	case isHashValue(s):
		return classStructure
	}
	return classText
}

// isPseudonym reports the form of the pseudonyms Pseudonym makes.
func isPseudonym(s string) bool {
	if len(s) != 20 || !strings.HasPrefix(s, "src-") {
		return false
	}
	for i := 4; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// isHashValue reports a hex string of the length of a common digest.
func isHashValue(s string) bool {
	switch len(s) {
	case 32, 40, 56, 64, 96, 128:
	default:
		return false
	}
	for i := 0; i < len(s); i++ {
		if _, ok := hexDigit(s[i]); !ok || s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// str reads a string token; it returns the raw text between the quotes and
// the decoded text.
func (l *leakScan) str() (raw, dec string, ok bool) {
	start := l.pos + 1
	esc := false
	i := start
	for i < len(l.data) && l.data[i] != '"' {
		if l.data[i] == '\\' {
			esc = true
			i++
		}
		i++
	}
	if i >= len(l.data) {
		return "", "", false
	}
	// No copy: data is not modified while it is scanned, and nothing keeps
	// these strings after it (the memo is cleared when the scan ends).
	raw = unsafeString(l.data[start:i])
	l.pos = i + 1
	if !esc {
		return raw, raw, true
	}
	dec, ok = unescape(l.data[start:i])
	return raw, dec, ok
}

func (l *leakScan) checkString(raw, dec string, key bool) {
	// Copies repeat short strings (property names, vocabulary values,
	// marking ids); the result for a string is the same wherever it stands,
	// so it is computed once per copy.
	var mk memoKey
	memo := raw == dec && len(dec) <= 256
	if memo {
		mk = memoKey{s: dec, key: key, pseudonym: !key && len(l.path) > 0 && l.path[len(l.path)-1] == PseudonymProperty}
		if m, ok := l.s.memo[mk]; ok {
			if m.found {
				l.hit(m.kind)
			}
			return
		}
	}
	class := classText
	if !key {
		class = l.classOf(dec)
	}
	k, found := l.a.leak.find(&l.s.sk, dec, l.party, l.except, class)
	if !found && class != classSkip && strings.ContainsAny(dec, "%&") {
		// A URL or HTML fragment: Sakura%20Telecom, &#83;akura,
		// 203&#46;0&#46;113&#46;7. The decoded view is searched as well.
		if d := decodeView(dec); d != dec {
			k, found = l.a.leak.find(&l.s.sk, d, l.party, l.except, class)
		}
	}
	if memo {
		l.s.memo[mk] = memoResult{k, found}
	}
	if found {
		l.hit(k)
	}
	if raw != dec {
		l.check(raw, classText)
	}
}

// memoKey and memoResult cache the leak check of one string within a copy.
type memoKey struct {
	s              string
	key, pseudonym bool
}

type memoResult struct {
	kind  Kind
	found bool
}

func (l *leakScan) value(depth int) bool {
	if depth > 200 {
		return false
	}
	if l.skipWS() >= len(l.data) {
		return false
	}
	switch c := l.data[l.pos]; c {
	case '{':
		l.pos++
		for first := true; ; first = false {
			if l.skipWS() >= len(l.data) {
				return false
			}
			if l.data[l.pos] == '}' && first {
				l.pos++
				return true
			}
			if l.data[l.pos] != '"' {
				return false
			}
			raw, key, ok := l.str()
			if !ok {
				return false
			}
			l.path = append(l.path, key)
			l.checkString(raw, key, true)
			if l.skipWS() >= len(l.data) || l.data[l.pos] != ':' {
				return false
			}
			l.pos++
			if !l.value(depth + 1) {
				return false
			}
			l.path = l.path[:len(l.path)-1]
			if l.skipWS() >= len(l.data) {
				return false
			}
			if l.data[l.pos] == ',' {
				l.pos++
				continue
			}
			if l.data[l.pos] == '}' {
				l.pos++
				return true
			}
			return false
		}
	case '[':
		l.pos++
		for i := 0; ; i++ {
			if l.skipWS() >= len(l.data) {
				return false
			}
			if l.data[l.pos] == ']' && i == 0 {
				l.pos++
				return true
			}
			l.path = append(l.path, strconv.Itoa(i))
			if !l.value(depth + 1) {
				return false
			}
			l.path = l.path[:len(l.path)-1]
			if l.skipWS() >= len(l.data) {
				return false
			}
			if l.data[l.pos] == ',' {
				l.pos++
				continue
			}
			if l.data[l.pos] == ']' {
				l.pos++
				return true
			}
			return false
		}
	case '"':
		raw, dec, ok := l.str()
		if !ok {
			return false
		}
		l.checkString(raw, dec, false)
		return true
	default:
		start := l.pos
		for l.pos < len(l.data) {
			c := l.data[l.pos]
			if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\t' || c == '\r' {
				break
			}
			l.pos++
		}
		tok := string(l.data[start:l.pos])
		if tok == "" || !utf8.ValidString(tok) {
			return false
		}
		if tok[0] == '-' || tok[0] >= '0' && tok[0] <= '9' {
			l.number(tok)
		}
		return true
	}
}

// number checks a JSON number: an autonomous-system number of the party, or
// digits that contain one of its phone numbers.
func (l *leakScan) number(tok string) {
	if n, err := strconv.ParseInt(tok, 10, 64); err == nil {
		key := ""
		if len(l.path) > 0 {
			key = l.path[len(l.path)-1]
		}
		if key == "number" || strings.Contains(key, "asn") {
			if p, ok := l.a.asns[n]; ok && (l.party < 0 && p != l.except || p == l.party) {
				l.hit(KindASN)
				return
			}
		}
	}
	l.check(tok, classText)
}

// unescape decodes the content of a JSON string (RFC 8259 §7), surrogate
// pairs included.
func unescape(s []byte) (string, bool) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			continue
		}
		i++
		if i >= len(s) {
			return "", false
		}
		switch s[i] {
		case '"', '\\', '/':
			b = append(b, s[i])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(s, i+1)
			if !ok {
				return "", false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(s, i+3); ok && i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					}
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", false
		}
	}
	return string(b), true
}

func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// decodeView returns s with URL percent-encoding (RFC 3986 §2.1; an invalid
// escape is kept as written) and HTML character references (named and
// numeric) decoded, twice over, so that a term written %2553 or &amp;#83;
// is seen as well.
func decodeView(s string) string {
	for range 2 {
		d := html.UnescapeString(percentDecode(s))
		if d == s {
			break
		}
		s = d
	}
	return s
}

// percentDecode decodes %XX escapes leniently: unlike url.PathUnescape it
// does not give up on the first malformed one.
func percentDecode(s string) string {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := hexDigit(s[i+1])
			lo, ok2 := hexDigit(s[i+2])
			if ok1 && ok2 && s[i+1] < utf8.RuneSelf && s[i+2] < utf8.RuneSelf {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}
