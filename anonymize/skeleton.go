package anonymize

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The leak check does not trust the scrubber. If it ran the scrubber's
// detector it would be blind exactly where the scrubber is (a separator the
// detector does not step over, a word boundary it insists on), so it has
// its own matcher, deliberately cruder and more aggressive:
//
//   - text and terms are reduced to a skeleton: NFKC, lower case, hiragana as
//     katakana, voiced kana as unvoiced (デ as テ), look-alike Cyrillic and
//     Greek letters and accented Latin ones as the Latin letter (fold.go),
//     combining marks and variation selectors dropped, and every other
//     character that is not a letter or a digit (Hangul fillers too) removed
//     (spaces, punctuation, brackets, the long-vowel mark, symbols). So
//     "Sakura-Telecom", "s.a.k.u.r.a telecom", "SAKURA_TELECOM(dot)" and
//     "さくら・テレコム" all contain the skeleton of a registry name;
//   - a skeleton of five Latin letters or more, and any skeleton in kana or
//     kanji, is found anywhere, inside words too — except that Latin words
//     written apart must stand at a boundary on one side at least ("in
//     Aichi. Rollback" does not hold "ichiro"); a shorter Latin one (SKT)
//     where the text had a boundary on both sides: a removed character, a
//     change of case or script, or letters meeting digits;
//   - networks are searched in every way people write an address: four
//     numbers with any separators ("203-0-113-7", "203 [.] 0 . 113 . 7",
//     "203 dot 0 dot 113 dot 7"), one integer ("3405803783"), hex
//     ("0xcb007107", "cb007107"), and IPv6 with colons or dashes.
//
// It shares nothing with the scrubber but the list of spellings derived from
// the registry (forms.go) and the Aho–Corasick construction, which is a
// plain string-search structure. A copy is withheld on any hit, so the
// price of its aggressiveness is an occasional copy held for review, never
// a leak.

// skeletonTerm is a protected term in skeleton form.
type skeletonTerm struct {
	skel    string
	kind    Kind
	party   int
	bounded bool // needs a boundary on both sides (short Latin terms)
	latin   bool // has Latin letters: written apart, it must stand at a boundary on one side
	number  bool // an AS number: a digit after it makes another number (AS645000)
}

// skeletonMatcher finds protected terms and networks in text.
type skeletonMatcher struct {
	terms    []skeletonTerm
	ac       *automaton
	networks []network
}

// minAnywhere is the length from which a Latin skeleton is found inside
// words. The scrubber's threshold is longer (longTerm): the check is meant to
// see more than the scrubber.
const minAnywhere = 5

func newSkeletonMatcher(protected [][]protectedTerm, networks []network) *skeletonMatcher {
	m := &skeletonMatcher{networks: networks}
	seen := map[string]bool{}
	var sk skeletonBuf
	for party, ts := range protected {
		for _, t := range ts {
			sk.build(t.text)
			s := string(sk.b)
			if utf8.RuneCountInString(s) < 2 || isASCII(s) && len(s) < 3 {
				continue
			}
			key := s + "\x00" + string(t.kind) + "\x00" + string(rune(party))
			if seen[key] {
				continue
			}
			seen[key] = true
			digits := strings.Trim(s, "0123456789") == ""
			m.terms = append(m.terms, skeletonTerm{skel: s, kind: t.kind, party: party, bounded: isASCII(s) && len(s) < minAnywhere && !digits,
				number: t.kind == KindASN, latin: isASCII(s) && !digits})
		}
	}
	skels := make([]string, len(m.terms))
	for i, t := range m.terms {
		skels[i] = t.skel
	}
	m.ac = newAutomaton(skels)
	return m
}

// skeletonBuf holds a skeleton and, per byte, whether a boundary precedes
// it; reused between calls.
type skeletonBuf struct {
	b      []byte
	brk    []uint8 // brk[i]: brkWord and brkGap flags before b[i]; brk[len(b)] is brkWord
	nfk    []byte  // the NFKC text, for the network search
	digits bool    // nfk has an ASCII digit
	colon  bool    // nfk has a colon
	runs   []run
}

// Flags of skeletonBuf.brk.
const (
	brkWord uint8 = 1 << iota // a word boundary
	brkGap                    // a character was removed here
)

// script classes for boundaries.
const (
	scNone = iota
	scDigit
	scLatin
	scOther
)

func (k *skeletonBuf) build(s string) {
	k.b, k.brk = k.b[:0], k.brk[:0]
	k.digits, k.colon = false, false
	if isASCII(s) {
		k.nfk = append(k.nfk[:0], s...)
		k.buildASCII()
		return
	}
	k.nfk = norm.NFKC.AppendString(k.nfk[:0], s)
	// Invisible format characters would split a number for the network
	// search, and invisible marks a name: drop them (fold.go).
	w := 0
	for i := 0; i < len(k.nfk); {
		r, size := utf8.DecodeRune(k.nfk[i:])
		if !unicode.Is(unicode.Cf, r) && !isInvisibleMark(r) {
			w += copy(k.nfk[w:], k.nfk[i:i+size])
		}
		i += size
	}
	k.nfk = k.nfk[:w]
	for _, c := range k.nfk {
		k.digits = k.digits || isDigit(c)
		k.colon = k.colon || c == ':'
	}
	pending := true
	prevSc, prevUp, prevLow := scNone, false, false
	text := k.nfk
	for i := 0; i < len(text); {
		var r rune
		size := 1
		if c := text[i]; c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, size = utf8.DecodeRune(text[i:])
		}
		i += size
		var sc int
		up, low := false, false
		switch {
		case r >= '0' && r <= '9':
			sc = scDigit
		case r >= 'a' && r <= 'z':
			sc, low = scLatin, true
		case r >= 'A' && r <= 'Z':
			sc, up = scLatin, true
			r += 'a' - 'A'
		case r < utf8.RuneSelf || r == 'ー':
			pending = true
			continue
		case isHangulFiller(r):
			pending = true // blank on screen: a space
			continue
		case r >= 0xC0 && r < foldLimit && foldTable[r] != 0:
			// A look-alike or accented letter is the Latin letter (fold.go).
			sc, up = scLatin, unicode.IsUpper(r)
			low = !up
			r = rune(foldTable[r])
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			sc = scOther
			up, low = unicode.IsUpper(r), unicode.IsLower(r)
			r = unicode.ToLower(r)
			if r >= 0x3041 && r <= 0x3096 || r == 0x309D || r == 0x309E {
				r += 0x60
			}
			if r >= 0x30A0 && r < 0x3100 && kanaBase[r-0x30A0] != 0 {
				r = kanaBase[r-0x30A0] // デ as テ: see kanaBase
			}
			if r < 0x250 {
				sc = scLatin // accented Latin letters
			}
		default:
			pending = true
			continue
		}
		gap := pending
		brk := pending || sc != prevSc || up && prevLow
		if !brk && up && prevUp && i < len(text) {
			// SKTCore: a capital followed by a small letter after capitals.
			if n, _ := utf8.DecodeRune(text[i:]); unicode.IsLower(n) {
				brk = true
			}
		}
		pending = false
		prevSc, prevUp, prevLow = sc, up, low
		at := len(k.b)
		k.b = utf8.AppendRune(k.b, r)
		for j := at; j < len(k.b); j++ {
			var f uint8
			if j == at && brk {
				f = brkWord
			}
			if j == at && gap {
				f |= brkGap
			}
			k.brk = append(k.brk, f)
		}
	}
	k.brk = append(k.brk, brkWord)
}

// buildASCII is build for ASCII text: the same rules without decoding,
// writing into preallocated slices (this loop runs over every string of
// every copy).
func (k *skeletonBuf) buildASCII() {
	text := k.nfk
	n := len(text)
	if cap(k.b) < n {
		k.b = make([]byte, 0, n+n/2)
	}
	if cap(k.brk) < n+1 {
		k.brk = make([]uint8, 0, n+n/2+1)
	}
	b, brkv := k.b[:n], k.brk[:n+1]
	w := 0
	pending := true
	var prev byte // class of the previous kept byte: 0 none, 1 digit, 2 lower, 3 upper
	for i := 0; i < n; i++ {
		c := text[i]
		cl := asciiClass[c]
		if cl == 0 {
			k.colon = k.colon || c == ':'
			pending = true
			continue
		}
		var f uint8
		if pending {
			f = brkWord | brkGap
		} else if (cl == 1) != (prev == 1) || cl == 3 && prev == 2 || cl == 3 && prev == 3 && i+1 < n && asciiClass[text[i+1]] == 2 {
			f = brkWord // letters and digits, camelCase, SKTCore
		}
		if cl == 1 {
			k.digits = true
		}
		pending = false
		prev = cl
		b[w] = c | (cl>>1&1)<<5 // upper to lower: set 0x20 on letters
		brkv[w] = f
		w++
	}
	brkv[w] = brkWord
	k.b, k.brk = b[:w], brkv[:w+1]
}

// asciiClass: 0 dropped, 1 digit, 2 lower-case letter, 3 upper-case letter.
var asciiClass = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = 1
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = 2
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = 3
	}
	return t
}()

// stringClass says how a JSON string is searched.
type stringClass uint8

const (
	classText      stringClass = iota // everything
	classStructure                    // a STIX identifier or a hash: long terms only, no networks
	classSkip                         // a timestamp or the hub's pseudonym: nothing of a party
)

// find reports the first protected term or network of a party (party -1:
// every party except skip) in s.
func (m *skeletonMatcher) find(sk *skeletonBuf, s string, party, skip int, class stringClass) (Kind, bool) {
	if class == classSkip {
		return "", false
	}
	sk.build(s)
	b := sk.b
	ac := m.ac
	nclass := int32(ac.nclass)
	off := int32(0)
	for i := 0; i < len(b); i++ {
		off = ac.step[off+int32(ac.class[b[i]])]
		if off >= 0 {
			continue
		}
		off = ^off
		for _, ti := range ac.out[off/nclass] {
			t := &m.terms[ti]
			if party >= 0 && t.party != party || party < 0 && t.party == skip {
				continue
			}
			if t.number && i+1 < len(b) && isDigit(b[i+1]) && sk.brk[i+1]&brkGap == 0 {
				continue // AS645000 is another number; "AS64500 00000" is not
			}
			start := i + 1 - len(t.skel)
			if t.bounded {
				if class == classStructure {
					continue
				}
				if sk.brk[start]&brkWord == 0 || sk.brk[i+1]&brkWord == 0 {
					continue
				}
			} else if t.latin && sk.brk[start]&brkWord == 0 && sk.brk[i+1]&brkWord == 0 && gapInside(sk.brk[start+1:i+1]) {
				continue // "in Aichi. Rollback" does not hold "ichiro"
			}
			return t.kind, true
		}
	}
	if class == classText && (sk.digits || sk.colon) {
		if m.findNetwork(sk, party, skip) {
			return KindInternalIP, true
		}
	}
	return "", false
}

func gapInside(flags []uint8) bool {
	for _, f := range flags {
		if f&brkGap != 0 {
			return true
		}
	}
	return false
}

func (m *skeletonMatcher) inNetworks(addr netip.Addr, party, skip int) bool {
	addr = addr.Unmap()
	for _, n := range m.networks {
		if (party < 0 && n.party != skip || n.party == party) && n.prefix.Contains(addr) {
			return true
		}
	}
	// Private ranges are nobody's to share, whoever submitted them; the
	// scrubber replaces them too (isPrivate, detect.go).
	return isPrivate(addr)
}

// run is a maximal run of ASCII letters and digits in the text.
type run struct {
	a, z   int
	digits bool // only digits
	hex    bool // only hex digits
}

// findNetwork searches the text for an address of a protected network in
// any of the forms listed at the top of this file.
func (m *skeletonMatcher) findNetwork(sk *skeletonBuf, party, skip int) bool {
	text := sk.nfk
	runs := sk.runs[:0]
	defer func() { sk.runs = runs[:0] }()
	for i := 0; i < len(text); {
		if !isAlnum(text[i]) {
			i++
			continue
		}
		r := run{a: i, digits: true, hex: true}
		for i < len(text) && isAlnum(text[i]) {
			c := text[i] | 0x20
			r.digits = r.digits && isDigit(text[i])
			r.hex = r.hex && (isDigit(c) || c >= 'a' && c <= 'f')
			i++
		}
		r.z = i
		runs = append(runs, r)
	}
	gapOK := func(a, z int) bool { // between two numbers of a quad
		if z-a < 1 || z-a > 7 {
			return false
		}
		for _, c := range text[a:z] {
			if isAlnum(c) {
				return false
			}
		}
		return true
	}
	octet := func(r run) (byte, bool) {
		if !r.digits || r.z-r.a > 4 {
			return 0, false
		}
		v := 0
		for _, c := range text[r.a:r.z] {
			v = v*10 + int(c-'0')
		}
		return byte(v), v <= 255
	}
	for k := 0; k < len(runs); k++ {
		r := runs[k]
		// Four numbers: separated by punctuation or by the word "dot".
		var oct [4]byte
		n, j := 0, k
		for n < 4 && j < len(runs) {
			o, ok := octet(runs[j])
			if !ok {
				break
			}
			oct[n] = o
			n++
			if n == 4 {
				break
			}
			next := j + 1
			if next+1 < len(runs) && runs[next].z-runs[next].a == 3 && strings.EqualFold(string(text[runs[next].a:runs[next].z]), "dot") {
				next++ // 203 dot 0 dot 113 dot 7, 203(dot)0(dot)…
			} else if next < len(runs) && !gapOK(runs[j].z, runs[next].a) {
				break
			}
			j = next
		}
		if n == 4 && m.inNetworks(netip.AddrFrom4(oct), party, skip) {
			return true
		}
		// One number: decimal, 0x hex, or eight hex digits.
		t := text[r.a:r.z]
		var v uint64
		ok := false
		switch {
		case r.digits && len(t) >= 8 && len(t) <= 10:
			for _, c := range t {
				v = v*10 + uint64(c-'0')
			}
			ok = v <= 0xffffffff
		case len(t) > 2 && len(t) <= 10 && t[0] == '0' && t[1]|0x20 == 'x':
			ok = true
			for _, c := range t[2:] {
				h, isHex := hexDigit(c)
				ok = ok && isHex
				v = v<<4 | uint64(h)
			}
		case r.hex && len(t) == 8 && !hexNeighbour(text, runs, k):
			ok = true
			for _, c := range t {
				h, _ := hexDigit(c)
				v = v<<4 | uint64(h)
			}
		}
		if ok && m.inNetworks(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), party, skip) {
			return true
		}
		if addr, ok := atonAddr(text, runs, k); ok && m.inNetworks(addr, party, skip) {
			return true
		}
	}
	// IPv6: hex groups joined by colons or dashes.
	for i := 0; i < len(text); i++ {
		if !(isHexByte(text[i]|0x20) && isAlnum(text[i]) || text[i] == ':') || i > 0 && isAlnum(text[i-1]) {
			continue
		}
		j, seps := i, 0
		for j < len(text) && (isAlnum(text[j]) && isHexByte(text[j]|0x20) || text[j] == ':' || text[j] == '-' || text[j] == '.') {
			if text[j] == ':' || text[j] == '-' {
				seps++
			}
			j++
		}
		if seps >= 2 && j-i <= 64 {
			cand := strings.ReplaceAll(string(text[i:j]), "-", ":")
			for z := len(cand); z > 2; z-- {
				if addr, err := netip.ParseAddr(cand[:z]); err == nil {
					if addr.Is6() && m.inNetworks(addr, party, skip) {
						return true
					}
					break
				}
				if c := cand[z-1]; c != ':' && c != '.' {
					break
				}
			}
		}
		i = j
	}
	return false
}

// dotJoined reports whether runs i and i+1 are separated by one dot.
func dotJoined(text []byte, runs []run, i int) bool {
	return i >= 0 && i+1 < len(runs) && runs[i+1].a == runs[i].z+1 && text[runs[i].z] == '.'
}

// hexNeighbour reports whether run k is joined by one '-', ':' or '.' to a
// run of hex digits: a group of a UUID, a MAC address or a longer hex
// string, not an address written as eight hex digits.
func hexNeighbour(text []byte, runs []run, k int) bool {
	joined := func(i int) bool {
		c := text[runs[i].z]
		return runs[i+1].a == runs[i].z+1 && (c == '-' || c == ':' || c == '.')
	}
	return k > 0 && runs[k-1].hex && joined(k-1) || k+1 < len(runs) && runs[k+1].hex && joined(k)
}

// atonAddr reads the dotted run of numbers starting at run k as inet_aton(3)
// does, the notations every resolver and browser accepts: two to four parts,
// each decimal, octal (leading 0) or hex (0x); the last part fills the
// remaining bytes (10.1.515 is 10.1.2.3, 203.28935 is 203.0.113.7). Four
// parts of one or two hex digits without 0x (cb.0.71.7) are read as hex
// bytes too. The run must be the whole dotted run: 1.10.1.515 is not read
// from its second part.
//
// Decimal-only shortened forms are where version numbers and dates live
// (Windows 10.0.19045, 10.07.2026): they are read only when the last part
// does not fit a byte (a.b.c with c ≤ 255 is a version, not an address)
// and, with three parts, is not a year (1900–2099). What remains (10.0.19045)
// is read as 10.0.74.101 and withholds the copy: the price of failing closed.
func atonAddr(text []byte, runs []run, k int) (netip.Addr, bool) {
	if dotJoined(text, runs, k-1) || !dotJoined(text, runs, k) {
		return netip.Addr{}, false
	}
	n := 1
	for n < 5 && dotJoined(text, runs, k+n-1) {
		n++
	}
	if n > 4 {
		return netip.Addr{}, false
	}
	var parts [4]uint64
	plain, hexBytes, letters := true, true, false // plain: digits only (07 too)
	for i := 0; i < n; i++ {
		t := text[runs[k+i].a:runs[k+i].z]
		v, ok := atonPart(t)
		parts[i] = v
		plain = plain && ok && runs[k+i].digits
		hexBytes = hexBytes && len(t) <= 2 && runs[k+i].hex
		for _, c := range t {
			letters = letters || !isDigit(c)
		}
		if !ok && !(hexBytes && n == 4) {
			return netip.Addr{}, false
		}
	}
	if n == 4 && hexBytes && letters {
		var b [4]byte
		for i := 0; i < 4; i++ {
			for _, c := range text[runs[k+i].a:runs[k+i].z] {
				h, _ := hexDigit(c)
				b[i] = b[i]<<4 | h
			}
		}
		return netip.AddrFrom4(b), true
	}
	last := parts[n-1]
	if plain && n < 4 && (last <= 255 || n == 3 && last >= 1900 && last <= 2099) {
		return netip.Addr{}, false
	}
	var v uint64
	for i := 0; i < n-1; i++ {
		if parts[i] > 255 {
			return netip.Addr{}, false
		}
		v |= parts[i] << (24 - 8*i)
	}
	if last >= 1<<(8*(5-n)) {
		return netip.Addr{}, false
	}
	v |= last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// atonPart reads one part of an inet_aton address.
func atonPart(t []byte) (v uint64, ok bool) {
	switch {
	case len(t) > 2 && t[0] == '0' && t[1]|0x20 == 'x':
		if len(t) > 10 {
			return 0, false
		}
		for _, c := range t[2:] {
			h, isHex := hexDigit(c)
			if !isHex {
				return 0, false
			}
			v = v<<4 | uint64(h)
		}
		return v, true
	case len(t) > 1 && t[0] == '0':
		if len(t) > 12 {
			return 0, false
		}
		for _, c := range t {
			if c < '0' || c > '7' {
				return 0, false
			}
			v = v<<3 | uint64(c-'0')
		}
		return v, true
	}
	if len(t) > 10 {
		return 0, false
	}
	for _, c := range t {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

func hexDigit(c byte) (byte, bool) {
	switch c |= 0x20; {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
