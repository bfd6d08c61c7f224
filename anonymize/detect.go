package anonymize

import (
	"bytes"
	"net/netip"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/kakehashi-hub/kakehashi/stix"
)

func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// span is one detected secret, in normalized-text byte offsets.
type span struct {
	a, z  int
	kind  Kind
	party int // -1 for generic patterns
}

// mode selects what detect looks for.
type mode struct {
	party   int  // only this party's registry terms; -1 for every party
	except  int  // with party -1: every party but this one; -1 for none
	generic bool // generic patterns: any e-mail address, phone number, postal address
	private bool // private-range IP addresses count as internal
}

var (
	modeScrub = mode{party: -1, except: -1, generic: true, private: true}
	modeTaint = mode{party: -1, except: -1, private: true} // patterns and observables: registry terms and internal addresses only
)

// scrubber holds the per-goroutine buffers of detection; get one from the
// Anonymizer's pool.
type scrubber struct {
	a         *Anonymizer
	n         *normalizer
	fed       []int32
	spans     []span
	prefs     []span
	roles     []span // honorifics and roles, anchors of English person names; party holds the roleKind
	toks      []tokenView
	sk        skeletonBuf // the leak check's buffers
	memo      map[memoKey]memoResult
	scrubMemo map[string]scrubbed // scrub results within one transform
	runMemo   map[string][]word   // person names per run of Japanese text, within one transform
	sb        strings.Builder
	extra     []extraTerm // values of this bundle's victim-side observables
}

// extraTerm is a value scrubbed from an observable of the bundle being
// transformed (an account login, a host name …), scrubbed from free text too.
type extraTerm struct {
	norm string
	kind Kind
}

func newScrubber(a *Anonymizer) *scrubber { return &scrubber{a: a, n: newNormalizer()} }

const (
	flagSkip uint8 = 1 << iota // a separator that term matching steps over
	flagDigit
	flagAt
	flagColon
	flagHigh
)

// byteFlags classifies the bytes the detectors care about, for the hot loop.
var byteFlags = func() (t [256]uint8) {
	for _, c := range []byte{' ', '-', '_', '.', '/'} {
		t[c] = flagSkip
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = flagDigit
	}
	t['@'] = flagAt
	t[':'] = flagColon
	for c := 0x80; c < 0x100; c++ {
		t[c] = flagHigh
	}
	return t
}()

// isIdentifierOrTime reports a whole STIX identifier or timestamp.
func isIdentifierOrTime(b []byte) bool {
	if len(b) > 300 {
		return false
	}
	s := unsafeString(b)
	if len(s) >= 20 && len(s) <= 30 && s[len(s)-1] == 'z' && s[4] == '-' && s[10] == 't' {
		_, err := stix.ParseTimestamp(strings.ToUpper(s))
		return err == nil
	}
	return strings.Contains(s, "--") && stix.ValidID(s, "")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
}
func isHostChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}
func isHexByte(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

// detect normalizes s and returns it with the secrets found in it, sorted
// and without overlaps (leftmost, then longest, wins).
func (s *scrubber) detect(str string, m mode) (*normText, []span) {
	nt := s.n.normalize(str)
	b := nt.b
	s.spans = s.spans[:0]
	s.prefs = s.prefs[:0]
	s.roles = s.roles[:0]
	ac := s.a.ac
	terms := s.a.terms
	nclass := int32(ac.nclass)
	if cap(s.fed) < len(b) {
		s.fed = make([]int32, len(b)+64)
	}
	fed := s.fed[:cap(s.fed)]
	var seen uint8
	colons := 0
	k := 0
	off := int32(0) // current state * nclass
	step, class := ac.step, &ac.class
	for i := 0; i < len(b); i++ {
		c := b[i]
		if f := byteFlags[c]; f != 0 {
			if f == flagSkip {
				continue
			}
			seen |= f
			if c == ':' {
				colons++
			}
		}
		fed[k] = int32(i)
		k++
		off = step[off+int32(class[c])]
		if off >= 0 {
			continue
		}
		off = ^off
		for _, ti := range ac.out[off/nclass] {
			t := &terms[ti]
			if t.party >= 0 && (m.party >= 0 && t.party != m.party || t.party == m.except) {
				continue
			}
			start := int(fed[k-len(t.norm)])
			end := i + 1
			if !boundaryOK(nt, start, end, t) {
				continue
			}
			switch t.kind {
			case kindPrefecture:
				s.prefs = append(s.prefs, span{start, end, t.kind, -1})
				continue
			case kindRole:
				s.roles = append(s.roles, span{start, end, t.kind, int(t.role)})
				continue
			}
			if t.kind == KindCarrier && end < len(b) && b[end] == '.' && corporateAbbrev(t.norm) {
				end++ // the dot of "Inc." belongs to the name
			}
			if t.bound == boundDomain {
				for start > 0 && (isHostChar(b[start-1]) || b[start-1] == '.') {
					start--
				}
				for start < end && (b[start] == '.' || b[start] == '-') {
					start++
				}
			}
			s.spans = append(s.spans, span{start, end, t.kind, t.party})
		}
	}
	hasDigit, hasAt, nonASCII := seen&flagDigit != 0, seen&flagAt != 0, seen&flagHigh != 0
	whole := false
	if hasDigit && isIdentifierOrTime(b) {
		hasDigit, colons, whole = false, 0, true // no address or number hides in an id or a timestamp
	}
	if m.generic && !whole && (hasAt || bytes.Contains(b, spelledAt)) {
		s.detectEmails(b, hasAt)
	}
	if m.generic {
		for _, e := range s.extra {
			for off := 0; off < len(b); {
				k := bytes.Index(b[off:], []byte(e.norm))
				if k < 0 {
					break
				}
				a, z := off+k, off+k+len(e.norm)
				if (a == 0 || !isAlnum(b[a-1]) || !isAlnum(b[a])) && (z == len(b) || !isAlnum(b[z]) || !isAlnum(b[z-1])) {
					s.spans = append(s.spans, span{a, z, e.kind, -1})
				}
				off = z
			}
		}
	}
	if hasDigit {
		s.detectIPv4(b, m)
		s.detectPhones(b, m)
		if bytes.Count(b, dash) >= 3 {
			s.detectIPv6Dashed(b, m)
		}
	}
	if m.generic && !whole {
		if nonASCII {
			s.detectAddresses(b, hasDigit) // 丁目 in kanji numerals needs no digit
		}
		if hasDigit || bytes.IndexByte(b, '-') >= 0 {
			s.detectEnglishAddresses(nt)
		}
	}
	if colons >= 2 {
		s.detectIPv6(b, m)
	}
	if m.generic && !whole {
		if len(s.roles) > 0 {
			s.detectEnglishPersons(nt)
		}
		if nonASCII {
			s.detectJapanesePersons(nt)
		}
	}
	if len(s.spans) > 1 {
		slices.SortFunc(s.spans, func(x, y span) int {
			if x.a != y.a {
				return x.a - y.a
			}
			if x.z != y.z {
				return y.z - x.z
			}
			return strings.Compare(string(x.kind), string(y.kind)) // deterministic placeholder on ties
		})
		w := 0
		for _, sp := range s.spans {
			if w > 0 && sp.a < s.spans[w-1].z {
				if sp.z > s.spans[w-1].z { // overlapping tails merge into the earlier span
					s.spans[w-1].z = sp.z
				}
				continue
			}
			s.spans[w] = sp
			w++
		}
		s.spans = s.spans[:w]
	}
	return nt, s.spans
}

// corporateAbbrev reports a name term that ends in an abbreviated corporate
// form (inc, co, ltd, corp, kk), whose dot matching stepped over.
func corporateAbbrev(t string) bool {
	for _, f := range []string{"inc", "co", "ltd", "corp", "kk"} {
		if strings.HasSuffix(t, f) {
			return true
		}
	}
	return false
}

// boundaryOK applies a term's boundary rule to a match at [start, end).
func boundaryOK(nt *normText, start, end int, t *term) bool {
	b := nt.b
	first, last := t.norm[0], t.norm[len(t.norm)-1]
	switch t.bound {
	case boundNone:
		return !spansSeparator(nt, start, end, t) || edgeOK(nt, start, end, t)
	case boundDomain:
		if len(t.norm) >= longTerm {
			// A long domain or name part spells the party wherever it
			// stands (0sakura-tel.example), as boundNone.
			return !spansSeparator(nt, start, end, t) || edgeOK(nt, start, end, t)
		}
		if start > 0 && isHostChar(b[start-1]) {
			return false
		}
		if end < len(b) && isHostChar(b[end]) {
			return false
		}
		return true
	case boundNumber:
		if start > 0 && isAlnum(first) && isAlnum(b[start-1]) && !nt.wordBreak(start) {
			return false
		}
		return end >= len(b) || !isDigit(b[end])
	default:
		if start > 0 && isAlnum(first) && isAlnum(b[start-1]) && !nt.wordBreak(start) {
			return false
		}
		if end < len(b) && isAlnum(last) && isAlnum(b[end]) && !nt.wordBreak(end) {
			return false
		}
		return true
	}
}

// spansSeparator reports a Latin match that stepped over separators: its
// words were written apart, so they must be words, not the inside of others
// ("in Aichi. Rollback" does not hold "ichiro").
func spansSeparator(nt *normText, start, end int, t *term) bool {
	return end-start > len(t.norm) && isAlnum(t.norm[0]) && isAlnum(t.norm[len(t.norm)-1])
}

// edgeOK reports a word boundary at one end of a match at least.
func edgeOK(nt *normText, start, end int, t *term) bool {
	b := nt.b
	left := start == 0 || !isAlnum(b[start-1]) || nt.wordBreak(start)
	right := end == len(b) || !isAlnum(b[end]) || nt.wordBreak(end)
	return left || right
}

// caseAt reports whether the source character of b[i] is an upper- or a
// lower-case letter (b itself is case folded).
func (n *normText) caseAt(i int) (upper, lower bool) {
	if n.identity {
		c := n.src[i]
		return c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z'
	}
	r, _ := utf8.DecodeRuneInString(n.src[n.start[i]:])
	return unicode.IsUpper(r), unicode.IsLower(r)
}

// wordBreak reports a word boundary between the letters or digits b[i-1]
// and b[i] of a run-together identifier: between letters and digits (SKT01),
// and where the case changes as in camelCase (sakuraSKT, SKTCore).
func (n *normText) wordBreak(i int) bool {
	b := n.b
	if isDigit(b[i-1]) != isDigit(b[i]) {
		return true
	}
	up, _ := n.caseAt(i)
	if !up {
		return false
	}
	pu, pl := n.caseAt(i - 1)
	if pl {
		return true
	}
	if pu && i+1 < len(b) && isAlnum(b[i+1]) {
		_, nl := n.caseAt(i + 1)
		return nl
	}
	return false
}

func isLocalChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\''
}

var (
	spelledAt  = []byte(" at ")
	spelledDot = []byte(" dot ")
	dash       = []byte("-")
)

// detectEmails finds local@domain.tld addresses, also with the at sign or
// the dots spelled out (normalize already turned "[at]", "(dot)" … into '@'
// and '.'). The bare word form "yamada at sakura-telecom dot example" counts
// only when a dot is spelled out too or the domain is a registered one:
// "seen at evil.example" is attacker text and stays.
func (s *scrubber) detectEmails(b []byte, hasAt bool) {
	try := func(k, atEnd int, bare bool) int {
		a := k
		for a > 0 && isLocalChar(b[a-1]) {
			a--
		}
		if a == k {
			return -1
		}
		z, dots, spelled, last := atEnd, 0, false, atEnd
		for {
			l := z
			for z < len(b) && isHostChar(b[z]) {
				z++
			}
			if z == l {
				z = last
				break
			}
			last = z
			if z < len(b) && b[z] == '.' && z+1 < len(b) && isHostChar(b[z+1]) {
				z++
				dots++
				continue
			}
			if bytes.HasPrefix(b[z:], spelledDot) && z+5 < len(b) && isHostChar(b[z+5]) {
				z += 5
				dots++
				spelled = true
				continue
			}
			break
		}
		for z > atEnd && b[z-1] == '-' {
			z--
		}
		if dots == 0 || z <= atEnd {
			return -1
		}
		if bare {
			tld := z
			for tld > atEnd && isAlnum(b[tld-1]) {
				tld--
			}
			if z-tld < 2 || isDigit(b[z-1]) {
				return -1
			}
			if !spelled && !s.registeredDomainIn(atEnd, z) {
				return -1
			}
		}
		s.spans = append(s.spans, span{a, z, KindEmail, -1})
		return z
	}
	if hasAt {
		for k := 0; k < len(b); k++ {
			if b[k] == '@' {
				if z := try(k, k+1, false); z > 0 {
					k = z - 1
				}
			}
		}
	}
	for off := 0; ; {
		k := bytes.Index(b[off:], spelledAt)
		if k < 0 {
			break
		}
		k += off
		try(k, k+len(spelledAt), true)
		off = k + 1
	}
}

// registeredDomainIn reports a registered domain, or a host under it,
// that ends b[a:z].
func (s *scrubber) registeredDomainIn(a, z int) bool {
	for _, sp := range s.spans {
		if sp.kind == KindDomain && sp.z == z && sp.a >= a {
			return true
		}
	}
	return false
}

// parseIPv4 reads four decimal octets at b[i:] separated by one kind of
// separator: dots, or the dashes and underscores of host names
// (ip-203-0-113-7.pool), leading zeros allowed (people write
// 010.000.000.001, and the leak check reads 0203 as 203 too). It returns the address with the end offset.
func parseIPv4(b []byte, i int) (netip.Addr, int, bool) {
	var oct [4]byte
	j := i
	var sep byte
	for k := 0; k < 4; k++ {
		if k > 0 {
			if j >= len(b) || (sep == 0 && b[j] != '.' && b[j] != '-' && b[j] != '_') || (sep != 0 && b[j] != sep) {
				return netip.Addr{}, 0, false
			}
			sep = b[j]
			j++
		}
		n, d := 0, 0
		for j < len(b) && isDigit(b[j]) && d < 5 {
			n = n*10 + int(b[j]-'0')
			j++
			d++
		}
		if d == 0 || d > 4 || n > 255 { // four digits only zero-padded: 0203
			return netip.Addr{}, 0, false
		}
		oct[k] = byte(n)
	}
	if j < len(b) && (isDigit(b[j]) || b[j] == sep && j+1 < len(b) && isDigit(b[j+1])) {
		return netip.Addr{}, 0, false
	}
	return netip.AddrFrom4(oct), j, true
}

// parseIntIPv4 reads an IPv4 address written as one number at b[i:]: a
// decimal integer of 8 to 10 digits (3405803783) or 0x and up to 8 hex
// digits (0xcb007107). The number must stand alone.
func parseIntIPv4(b []byte, i int) (netip.Addr, int, bool) {
	j := i
	var v uint64
	if b[i] == '0' && i+2 < len(b) && b[i+1] == 'x' && isHexByte(b[i+2]) {
		j = i + 2
		for j < len(b) && isHexByte(b[j]) && j-i < 10 {
			v = v<<4 | uint64(hexVal(b[j]))
			j++
		}
		if j-i < 9 { // 0x and at least 7 hex digits: 16.0.0.0 and above
			return netip.Addr{}, 0, false
		}
	} else {
		if b[i] == '0' {
			return netip.Addr{}, 0, false // a leading 0 is a phone number
		}
		for j < len(b) && isDigit(b[j]) && j-i < 10 {
			v = v*10 + uint64(b[j]-'0')
			j++
		}
		if j-i < 8 {
			return netip.Addr{}, 0, false
		}
	}
	if v > 0xffffffff || j < len(b) && (isAlnum(b[j]) || b[j] == '.' && j+1 < len(b) && isDigit(b[j+1])) {
		return netip.Addr{}, 0, false
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), j, true
}

func hexVal(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

// prefixSuffix extends an address match over a following "/NN".
func prefixSuffix(b []byte, j int) int {
	if j+1 < len(b) && b[j] == '/' && isDigit(b[j+1]) {
		k := j + 1
		for k < len(b) && k < j+4 && isDigit(b[k]) {
			k++
		}
		return k
	}
	return j
}

func (s *scrubber) detectIPv4(b []byte, m mode) {
	for i := 0; i < len(b); i++ {
		if !isDigit(b[i]) || i > 0 && (isDigit(b[i-1]) || b[i-1] == '.' || i > 1 && (b[i-1] == '-' || b[i-1] == '_') && isDigit(b[i-2])) {
			continue
		}
		addr, j, ok := parseIPv4(b, i)
		if !ok && (i == 0 || !isAlnum(b[i-1])) {
			addr, j, ok = parseIntIPv4(b, i)
		}
		if !ok {
			continue
		}
		if party, hit := s.a.ipInternal(addr, m); hit {
			j = prefixSuffix(b, j)
			s.spans = append(s.spans, span{i, j, KindInternalIP, party})
			i = j - 1
		}
	}
}

func (s *scrubber) detectIPv6(b []byte, m mode) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(isHexByte(c) || c == ':') || i > 0 && (isAlnum(b[i-1]) || b[i-1] == ':') {
			continue
		}
		j, colons := i, 0
		for j < len(b) && (isHexByte(b[j]) || b[j] == ':' || b[j] == '.') {
			if b[j] == ':' {
				colons++
			}
			j++
		}
		if colons < 2 || j-i > 50 { // the longest IPv6 text form is 45 bytes
			i = j
			continue
		}
		z := j
		var addr netip.Addr
		ok := false
		for z > i+1 {
			if a, err := netip.ParseAddr(string(b[i:z])); err == nil {
				addr, ok = a, true
				break
			}
			// Trailing punctuation (a colon or dot ending a sentence) or a port.
			if b[z-1] == '.' || b[z-1] == ':' {
				z--
				continue
			}
			break
		}
		if ok {
			if party, hit := s.a.ipInternal(addr.Unmap(), m); hit {
				e := z
				if e < len(b) && b[e] == '%' { // zone
					for e < len(b) && b[e] != ' ' && b[e] != '/' && b[e] != ']' {
						e++
					}
				}
				s.spans = append(s.spans, span{i, prefixSuffix(b, e), KindInternalIP, party})
			}
		}
		i = j
	}
}

// detectIPv6Dashed finds IPv6 addresses written with dashes for colons, as
// in reverse-DNS host names (2001-db8-100--7.example).
func (s *scrubber) detectIPv6Dashed(b []byte, m mode) {
	var buf [64]byte
	for i := 0; i < len(b); i++ {
		if !isHexByte(b[i]) || i > 0 && (isAlnum(b[i-1]) || b[i-1] == '-') {
			continue
		}
		j, dashes := i, 0
		for j < len(b) && (isHexByte(b[j]) || b[j] == '-') {
			if b[j] == '-' {
				dashes++
			}
			j++
		}
		if dashes >= 3 && j-i <= 45 && (j == len(b) || !isAlnum(b[j])) {
			t := append(buf[:0], b[i:j]...)
			for k := range t {
				if t[k] == '-' {
					t[k] = ':'
				}
			}
			if addr, err := netip.ParseAddr(string(t)); err == nil && addr.Is6() {
				if party, hit := s.a.ipInternal(addr, m); hit {
					s.spans = append(s.spans, span{i, j, KindInternalIP, party})
				}
			}
		}
		i = j
	}
}

// ipInternal reports whether addr is in a registered network (of the mode's
// party, or any) or, when the mode says so, in a private range.
func (a *Anonymizer) ipInternal(addr netip.Addr, m mode) (int, bool) {
	addr = addr.Unmap()
	for _, n := range a.networks {
		if (m.party < 0 || n.party == m.party) && n.party != m.except && n.prefix.Contains(addr) {
			return n.party, true
		}
	}
	if m.private && isPrivate(addr) {
		return -1, true
	}
	return -1, false
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// isPrivate: RFC 1918, RFC 6598 shared space (carrier-grade NAT, internal to
// a carrier), RFC 4193 unique local, loopback, link-local.
func isPrivate(addr netip.Addr) bool {
	return addr.IsPrivate() || addr.IsLoopback() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() || cgnat.Contains(addr)
}

func isPhoneSep(c byte) bool {
	return c == '-' || c == '.' || c == ' ' || c == '(' || c == ')' || c == '/'
}

// detectPhones finds Japanese (0X-XXXX-XXXX, 10 or 11 digits with the trunk
// 0) and international (+CC…, 8–15 digits) phone numbers in any grouping,
// and any digit run that contains a registered phone number.
func (s *scrubber) detectPhones(b []byte, m mode) {
	var digits [32]byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(isDigit(c) || c == '+' || c == '(') {
			continue
		}
		if i > 0 && (isDigit(b[i-1]) || b[i-1] == '+') {
			continue
		}
		j := i
		plus := false
		if b[j] == '+' {
			plus = true
			j++
		}
		if j < len(b) && b[j] == '(' {
			j++
		}
		if j >= len(b) || !isDigit(b[j]) {
			continue
		}
		nd := 0
		long := false
		end := j
		for j < len(b) {
			if isDigit(b[j]) {
				if nd < len(digits) {
					digits[nd] = b[j]
				} else {
					long = true
				}
				nd++
				j++
				end = j
				continue
			}
			k := j
			for k < len(b) && k < j+2 && isPhoneSep(b[k]) {
				k++
			}
			if k > j && k < len(b) && isDigit(b[k]) {
				j = k
				continue
			}
			break
		}
		d := string(digits[:min(nd, len(digits))])
		hit := false
		leftOK := i == 0 || !isAlnum(b[i-1]) && b[i-1] != '.'
		rightOK := end >= len(b) || !isAlnum(b[end])
		if m.generic && leftOK && rightOK && !long {
			if plus && nd >= 8 && nd <= 15 || !plus && d[0] == '0' && (nd == 10 || nd == 11) {
				hit = true
			}
		}
		party := -1
		if !hit {
			for _, p := range s.a.phones {
				if (m.party < 0 || p.party == m.party) && p.party != m.except && strings.Contains(d, p.digits) {
					hit, party = true, p.party
					break
				}
			}
		}
		if hit {
			s.spans = append(s.spans, span{i, end, KindPhone, party})
		}
		i = end - 1
	}
}

var (
	postMark  = []byte("〒")
	chomeMark = "丁目"
)

func isJapaneseLetter(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || r == 'ヶ' || r == 'ケ' || r == '々'
}

func isMunicipalitySuffix(r rune) bool {
	return r == '市' || r == '区' || r == '町' || r == '村' || r == '郡'
}

// detectAddresses finds postal codes (〒123-4567) and Japanese address lines
// that end in a block number (…区丸の内1-2-3, …3丁目1番1号, 丸の内一丁目 in
// kanji numerals), starting at the prefecture or at the municipality name.
// An address with no block number is not recognised (a prefecture and a
// municipality alone are a region, which defenders need); English addresses
// are detectEnglishAddresses'.
func (s *scrubber) detectAddresses(b []byte, hasDigit bool) {
	// Postal codes.
	for off := 0; hasDigit; {
		k := indexBytes(b[off:], postMark)
		if k < 0 {
			break
		}
		i := off + k
		j := i + len(postMark)
		for j < len(b) && b[j] == ' ' {
			j++
		}
		d0 := j
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if j-d0 == 3 && j < len(b) && b[j] == '-' {
			j++
		}
		d1 := j
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if (j-d0 == 8 && d1 > d0+3) || j-d0 == 7 {
			s.spans = append(s.spans, span{i, j, KindAddress, -1})
		}
		off = i + len(postMark)
	}
	// Block numbers after Japanese letters.
	for i := 1; i < len(b); i++ {
		if !isDigit(b[i]) || isDigit(b[i-1]) {
			continue
		}
		prev, _ := utf8.DecodeLastRune(b[:i])
		if !isJapaneseLetter(prev) {
			continue
		}
		end, ok := blockNumber(b, i)
		if !ok {
			continue
		}
		if start := s.addressStart(b, i); start >= 0 {
			s.spans = append(s.spans, span{start, end, KindAddress, -1})
			i = end - 1
		}
	}
	// Block numbers in kanji numerals: 丸の内一丁目2番3号.
	for off := 0; ; {
		k := bytes.Index(b[off:], chomeBytes)
		if k < 0 {
			break
		}
		k += off
		off = k + len(chomeBytes)
		i := k
		for i >= 3 && kanjiNumeral(b, i-3) {
			i -= 3
		}
		if i == k || s.covered(i) {
			continue
		}
		end, _ := blockNumber(b, k)
		if start := s.addressStart(b, i); start >= 0 {
			s.spans = append(s.spans, span{start, end, KindAddress, -1})
		}
	}
}

var chomeBytes = []byte(chomeMark)

// kanjiNumeral reports a kanji digit (一 … 十, 〇) at b[i:].
func kanjiNumeral(b []byte, i int) bool {
	if i+3 > len(b) || b[i] != 0xe3 && b[i] != 0xe4 && b[i] != 0xe5 {
		return false
	}
	r, _ := utf8.DecodeRune(b[i:])
	return strings.ContainsRune("〇一二三四五六七八九十", r)
}

// covered reports whether b[i] is inside a span already found.
func (s *scrubber) covered(i int) bool {
	for _, sp := range s.spans {
		if sp.a <= i && i < sp.z {
			return true
		}
	}
	return false
}

// addressStart finds where the address whose block number starts at b[i]
// begins: at a prefecture, else at the municipality (up to four kanji before
// 市/区/町/村/郡), within 24 Japanese letters before the number; -1 when
// there is neither.
func (s *scrubber) addressStart(b []byte, i int) int {
	w := i
	for n := 0; n < 24 && w > 0; n++ {
		r, size := utf8.DecodeLastRune(b[:w])
		if !isJapaneseLetter(r) && !isDigit(b[w-1]) { // 北1条西2丁目: digits inside the address
			break
		}
		w -= size
	}
	start := -1
	for _, p := range s.prefs {
		if p.a >= w && p.a < i && (start < 0 || p.a < start) {
			start = p.a
		}
	}
	if start >= 0 {
		return start
	}
	for k := w; k < i; {
		r, size := utf8.DecodeRune(b[k:])
		if isMunicipalitySuffix(r) && k > w {
			// Up to four Han characters name the municipality.
			st := k
			for n := 0; n < 4 && st > w; n++ {
				pr, ps := utf8.DecodeLastRune(b[:st])
				if !unicode.Is(unicode.Han, pr) || isMunicipalitySuffix(pr) && n > 0 {
					break
				}
				st -= ps
			}
			if st < k {
				return st
			}
		}
		k += size
	}
	return -1
}

// blockNumber matches 1-2-3, 1-2, 3丁目1番1号, 3丁目1-1 at b[i:], with an
// optional trailing 号, 番地, 番 or 階.
func blockNumber(b []byte, i int) (int, bool) {
	j := i
	digits := func() bool {
		k := j
		for j < len(b) {
			switch {
			case isDigit(b[j]):
				j++
				continue
			case kanjiNumeral(b, j):
				j += 3
				continue
			}
			break
		}
		return j > k
	}
	digits()
	groups := 1
	chome := false
	if strings.HasPrefix(string(b[j:min(len(b), j+len(chomeMark))]), chomeMark) {
		chome = true
		j += len(chomeMark)
		if !digits() {
			return j, true
		}
		groups++
	}
	for groups < 4 {
		save := j
		sep := false
		for _, suf := range []string{"番地", "番", "-", "ノ"} { // の is read as katakana
			if strings.HasPrefix(string(b[j:min(len(b), j+len(suf))]), suf) {
				j += len(suf)
				sep = true
				break
			}
		}
		if !sep || !digits() {
			j = save
			break
		}
		groups++
	}
	if groups < 2 && !chome {
		return 0, false
	}
	for _, suf := range []string{"号", "番地", "番", "階", "f"} {
		if strings.HasPrefix(string(b[j:min(len(b), j+len(suf))]), suf) {
			j += len(suf)
			break
		}
	}
	return j, true
}

func indexBytes(b, sub []byte) int {
	return bytes.Index(b, sub)
}

// scrubbed is a memoized result of scrub.
type scrubbed struct {
	out     string
	changed bool
}

// scrubMemoized is scrub with the results of short strings kept for the
// rest of the transform (bundles repeat names, descriptions and vocabulary
// values); the memo is cleared with the bundle's extra terms.
func (s *scrubber) scrubMemoized(str string) (string, bool) {
	if len(str) > 256 {
		return s.scrub(str)
	}
	if r, ok := s.scrubMemo[str]; ok {
		return r.out, r.changed
	}
	out, changed := s.scrub(str)
	if s.scrubMemo == nil {
		s.scrubMemo = map[string]scrubbed{}
	}
	s.scrubMemo[str] = scrubbed{out, changed}
	return out, changed
}

// scrub replaces every secret in str by its typed placeholder; it returns str
// itself (no copy) when there is none. A replacement can create a word
// boundary that did not exist before ("Sakura Telecom06-…" becomes
// "Sakura Telecom[phone]"), so scrubbing repeats until nothing changes.
func (s *scrubber) scrub(str string) (string, bool) {
	out, changed := s.scrubOnce(str)
	for i := 0; changed && i < 8; i++ {
		next, again := s.scrubOnce(out)
		if !again {
			break
		}
		out = next
	}
	return out, changed
}

func (s *scrubber) scrubOnce(str string) (string, bool) {
	nt, spans := s.detect(str, modeScrub)
	if len(spans) == 0 {
		return str, false
	}
	sb := &s.sb
	sb.Reset()
	last := 0
	for _, sp := range spans {
		a0, z0 := nt.srcSpan(sp.a, sp.z)
		if a0 < last {
			a0 = last
		}
		if z0 <= a0 {
			continue
		}
		sb.WriteString(str[last:a0])
		sb.WriteString(sp.kind.Placeholder())
		last = z0
	}
	sb.WriteString(str[last:])
	return sb.String(), true
}
