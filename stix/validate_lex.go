package stix

import (
	"errors"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/language"
)

// Hand-written lexical checks of the validator. Each mirrors the pattern of
// the OASIS schema it replaces (named in its comment) unless the comment says
// how and why it differs.

func isASCIIAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDecDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// isHexString is hex.json: ^([a-fA-F0-9]{2})+$.
func isHexString(s string) bool { return len(s) > 0 && len(s)%2 == 0 && isHexDigits(s) }

// isBase64 is binary.json: padded RFC 4648 base64, at least one quantum.
func isBase64(s string) bool {
	if len(s) == 0 || len(s)%4 != 0 {
		return false
	}
	pad := 0
	if s[len(s)-1] == '=' {
		pad++
		if s[len(s)-2] == '=' {
			pad++
		}
	}
	for i := 0; i < len(s)-pad; i++ {
		c := s[i]
		if !(isASCIIAlnum(c) || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// validTimestampStrict checks YYYY-MM-DDTHH:MM:SS[.fraction]Z (timestamp.json)
// and, beyond the schema, that the day exists in its month. Leap seconds
// (":60"), which the schema pattern admits, are refused: they do not parse
// as Go times and no CTI producer emits them.
func validTimestampStrict(s string) bool {
	if len(s) < 20 || s[len(s)-1] != 'Z' {
		return false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !isDecDigit(s[i]) {
			return false
		}
	}
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return false
	}
	if len(s) > 20 {
		if s[19] != '.' || len(s) < 22 {
			return false
		}
		for i := 20; i < len(s)-1; i++ {
			if !isDecDigit(s[i]) {
				return false
			}
		}
	}
	num := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	year := num(0)*100 + num(2)
	month, day, hour, minute, sec := num(5), num(8), num(11), num(14), num(17)
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
	if month == 2 && (year%4 == 0 && year%100 != 0 || year%400 == 0) {
		days = 29
	}
	return day <= days
}

// compareTimestamps orders two valid timestamps without parsing them.
func compareTimestamps(a, b string) int {
	if c := strings.Compare(a[:19], b[:19]); c != 0 {
		return c
	}
	fa, fb := fraction(a), fraction(b)
	for i := 0; i < len(fa) || i < len(fb); i++ {
		da, db := byte('0'), byte('0')
		if i < len(fa) {
			da = fa[i]
		}
		if i < len(fb) {
			db = fb[i]
		}
		if da != db {
			if da < db {
				return -1
			}
			return 1
		}
	}
	return 0
}

func fraction(s string) string {
	if len(s) > 20 {
		return s[20 : len(s)-1]
	}
	return ""
}

// isCVE is ^CVE-\d{4}-(0\d{3}|[1-9]\d{3,})$ (external-reference.json).
func isCVE(s string) bool {
	if len(s) < 13 || !strings.HasPrefix(s, "CVE-") || s[8] != '-' {
		return false
	}
	for i := 4; i < 8; i++ {
		if !isDecDigit(s[i]) {
			return false
		}
	}
	n := s[9:]
	for i := 0; i < len(n); i++ {
		if !isDecDigit(n[i]) {
			return false
		}
	}
	return len(n) == 4 || n[0] != '0'
}

// isCAPEC is ^CAPEC-\d+$ (external-reference.json).
func isCAPEC(s string) bool {
	n, ok := strings.CutPrefix(s, "CAPEC-")
	if !ok || n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		if !isDecDigit(n[i]) {
			return false
		}
	}
	return true
}

// validSelector is the selector rule of granular-marking.json:
// ^([a-z0-9_-]{3,249}(\.(\[\d+\]|[a-z0-9_-]{1,250}))*|id)$.
func validSelector(s string) bool {
	if s == "id" {
		return true
	}
	segs := strings.Split(s, ".")
	for i, seg := range segs {
		if i > 0 && len(seg) > 2 && seg[0] == '[' && seg[len(seg)-1] == ']' {
			for j := 1; j < len(seg)-1; j++ {
				if !isDecDigit(seg[j]) {
					return false
				}
			}
			continue
		}
		lo, hi := 1, 250
		if i == 0 {
			lo, hi = 3, 249
		}
		if len(seg) < lo || len(seg) > hi {
			return false
		}
		for j := 0; j < len(seg); j++ {
			c := seg[j]
			if !(c >= 'a' && c <= 'z' || isDecDigit(c) || c == '_' || c == '-') {
				return false
			}
		}
	}
	return true
}

// exifKey is ^[A-Z][a-zA-Z0-9_-]+$ (file.json raster-image-ext exif_tags).
func exifKey(k string) bool {
	if len(k) < 2 || k[0] < 'A' || k[0] > 'Z' {
		return false
	}
	return validDictKey(k, 2)
}

// socketOptionKey is ^(SO|ICMP|ICMP6|IP|IPV6|MCAST|TCP|IRLMP)(_[A-Z]+)+$.
func socketOptionKey(k string) bool {
	i := strings.IndexByte(k, '_')
	if i < 0 {
		return false
	}
	switch k[:i] {
	case "SO", "ICMP", "ICMP6", "IP", "IPV6", "MCAST", "TCP", "IRLMP":
	default:
		return false
	}
	rest := k[i:]
	for j := 0; j < len(rest); j++ {
		c := rest[j]
		if c == '_' {
			if j+1 >= len(rest) || rest[j+1] == '_' {
				return false
			}
			continue
		}
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

var mimeTopLevel = [...]string{"application/", "audio/", "font/", "image/", "message/", "model/", "multipart/", "text/", "video/"}

// cpePattern is the software cpe pattern of software.json (the formatted
// string binding of CPE 2.3, NISTIR 7695 §6.2), anchored: the schema leaves
// it unanchored, so any string containing a CPE passes there, while STIX 2.1
// §6.14 requires the value to be a CPE 2.3 entry, as the OASIS reference
// validator checks with a CPE parser.
var cpePattern = regexp.MustCompile(`^cpe:2\.3:[aho\*\-](:(((\?*|\*?)([a-zA-Z0-9\-\._]|(\\[\\\*\?!"#$$%&'\(\)\+,/:;<=>@\[\]\^` + "`" + `\{\|}~]))+(\?*|\*?))|[\*\-])){5}(:(([a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?)|[\*\-]))(:(((\?*|\*?)([a-zA-Z0-9\-\._]|(\\[\\\*\?!"#$$%&'\(\)\+,/:;<=>@\[\]\^` + "`" + `\{\|}~]))+(\?*|\*?))|[\*\-])){4}$`)

func (c *checker) lexical(l loc, r strRule, s string) {
	switch r {
	case sIPv4:
		if !validIPv4CIDR(s) {
			c.failf(l, "%q is not an IPv4 address or CIDR block such as 198.51.100.7 or 198.51.100.0/24 (STIX 2.1 §6.8)", s)
		}
	case sIPv6:
		if !validIPv6CIDR(s) {
			c.failf(l, "%q is not an IPv6 address or CIDR block such as 2001:db8::1 or 2001:db8::/32 (STIX 2.1 §6.9)", s)
		}
	case sMAC:
		if !validMAC(s) {
			c.failf(l, "%q is not a MAC address in lowercase colon-separated form such as d2:fb:49:24:37:18 (STIX 2.1 §6.10)", s)
		}
	case sMIME:
		ok := false
		for _, p := range mimeTopLevel {
			if rest, found := strings.CutPrefix(s, p); found && rest != "" && (isASCIIAlnum(rest[0]) || strings.IndexByte(".+_-", rest[0]) >= 0) {
				ok = true
				break
			}
		}
		if !ok {
			c.failf(l, "%q is not an IANA media type such as application/zip (STIX 2.1 §6.1)", s)
		}
	case sEnc:
		if !validCharset(s) {
			c.failf(l, "%q is not a character set name of the IANA registry, such as UTF-8 or Shift_JIS (STIX 2.1 §6.3, §6.7)", s)
		}
	case sCPE:
		if !cpePattern.MatchString(s) {
			c.failf(l, "%q is not a CPE 2.3 formatted string such as cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*", s)
		}
	case sLanguageTag:
		if problem := languageTagProblem(s); problem != "" {
			c.failf(l, "%q is not an RFC 5646 language tag such as ja or en-US: %s (STIX 2.1 §3.2)", s, problem)
		}
	case sRelType:
		ok := s != ""
		for i := 0; ok && i < len(s); i++ {
			ch := s[i]
			ok = ch >= 'a' && ch <= 'z' || isDecDigit(ch) || ch == '-'
		}
		if !ok {
			c.failf(l, "%q is not a relationship type: use lowercase letters, digits and hyphens, e.g. indicates (STIX 2.1 §5.1)", s)
		}
	case sURL:
		if !hasScheme(s) {
			c.failf(l, "%q is not an absolute URL such as https://example.com/ (RFC 3986)", s)
		} else if _, err := url.Parse(s); err != nil {
			c.failf(l, "%q is not a URL as RFC 3986 defines it: %s (STIX 2.1 §6.15)", s, urlProblem(err))
		}
	case sDomain:
		if problem := domainProblem(s); problem != "" {
			c.failf(l, "%q is not a domain name: %s (RFC 1034, RFC 5890; STIX 2.1 §6.4)", s, problem)
		}
	case sEmail:
		at := strings.LastIndexByte(s, '@')
		switch {
		case at > 0 && hasDisplayName(s):
			c.failf(l, "%q includes a display name: value holds only the address (jdoe@example.com), the name goes in display_name (STIX 2.1 §6.5)", s)
		case at <= 0 || at == len(s)-1:
			c.failf(l, "%q is not an email address such as jdoe@example.com (STIX 2.1 §6.5)", s)
		default:
			// RFC 5322 §3.4.1: the domain is a domain name or a [literal].
			if d := s[at+1:]; !(d[0] == '[' && d[len(d)-1] == ']') {
				if problem := domainProblem(d); problem != "" {
					c.failf(l, "%q is not an email address: the part after @ is not a domain name: %s (STIX 2.1 §6.5)", s, problem)
				}
			}
		}
	case sRegistryKey:
		hive, _, _ := strings.Cut(s, `\`)
		switch strings.ToUpper(hive) {
		case "HKLM", "HKCC", "HKCR", "HKCU", "HKU":
			c.failf(l, "%q uses an abbreviated hive: write the full name, e.g. HKEY_LOCAL_MACHINE (STIX 2.1 §6.17)", s)
		}
	}
}

// validIPv4CIDR is the ipv4-addr value pattern of ipv4-addr.json.
func validIPv4CIDR(s string) bool {
	addr, prefix, hasPrefix := strings.Cut(s, "/")
	if hasPrefix && !decimalInRange(prefix, 32) {
		return false
	}
	parts := 0
	for addr != "" || parts < 4 {
		var p string
		p, addr, _ = strings.Cut(addr, ".")
		if !decimalInRange(p, 255) {
			return false
		}
		parts++
		if parts == 4 {
			return addr == "" && !strings.HasSuffix(s[:len(s)-len(prefix)], "..")
		}
	}
	return false
}

// decimalInRange accepts a decimal number without leading zeros up to max.
func decimalInRange(s string, max int) bool {
	if s == "" || len(s) > 3 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDecDigit(s[i]) {
			return false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n <= max
}

// validIPv6CIDR accepts RFC 4291 text (with an optional zone and /prefix).
// It replaces the ipv6-addr.json pattern, which lost its backslashes and
// refuses IPv4-mapped addresses such as ::ffff:10.0.0.1 (STIX-TAXII-NOTES §1).
func validIPv6CIDR(s string) bool {
	addr, prefix, hasPrefix := strings.Cut(s, "/")
	if hasPrefix && !decimalInRange(prefix, 128) {
		return false
	}
	a, err := netip.ParseAddr(addr)
	return err == nil && a.Is6()
}

// validMAC is ^([0-9a-f]{2}[:]){5}([0-9a-f]{2})$ (mac-addr.json).
func validMAC(s string) bool {
	if len(s) != 17 {
		return false
	}
	for i := 0; i < 17; i++ {
		c := s[i]
		if i%3 == 2 {
			if c != ':' {
				return false
			}
		} else if !(isDecDigit(c) || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// hasScheme reports whether s starts with an RFC 3986 scheme and ":".
func hasScheme(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 || i == len(s)-1 {
		return false
	}
	if !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for j := 1; j < i; j++ {
		c := s[j]
		if !(isASCIIAlnum(c) || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// validCharset reports whether s is a name or alias of the IANA Character
// Sets registry, which STIX 2.1 requires for file.name_enc (§6.7) and
// directory.path_enc (§6.3). The registry comes as data from
// golang.org/x/text/encoding/ianaindex (generated from IANA's character-sets
// XML), so names the registry lists but Go cannot decode (UTF-7, BOCU-1)
// count as registered. IANA names are case-insensitive (RFC 2978 §2.3), and
// aliases are registered names too, so "utf-8" and "csUTF8" pass: the OASIS
// reference validator is stricter there (preferred names, case-sensitive),
// which the hub does not follow, as the registry itself says otherwise.
func validCharset(s string) bool {
	if s == "" || s != strings.TrimSpace(s) {
		return false // ianaindex trims spaces; a name has none
	}
	_, err := ianaindex.IANA.Encoding(s)
	return err == nil
}

// languageTagProblem says why s is not a valid RFC 5646 language tag, or ""
// when it is one. STIX 2.1 requires such tags for lang (§3.2, §7.2.3), the
// keys of language-content contents (§7.1) and software languages (§6.14).
//
// Validity takes two steps. Well-formedness (RFC 5646 §2.1, and the
// no-repeated-variant and no-repeated-singleton rules of §2.2.5 and §2.2.6)
// is checked here, because golang.org/x/text/language is lenient there: it
// accepts "_" as a separator and silently drops a repeated variant or
// extension. Then the subtags are checked against the IANA Language Subtag
// Registry that x/text carries as data, which refuses well-formed tags such
// as "xx" or "en-CB" whose subtags are not registered. Tags are
// case-insensitive (§2.1.1): "EN-us" is valid. One leniency remains: x/text
// checks an extlang subtag only as a registered language, not against the
// registry's Prefix field ("en-abc" passes); extlangs are rare, and RFC 5646
// §4.1.2 prefers the primary language subtag anyway.
func languageTagProblem(s string) string {
	if !wellFormedTag(s) {
		return "it is not well-formed (RFC 5646 §2.1): subtags of letters and digits separated by hyphens, a 2–3 letter language first"
	}
	if registeredSimpleTag(s) {
		return ""
	}
	if _, err := language.Parse(s); err != nil {
		return "a subtag is not in the IANA Language Subtag Registry"
	}
	return ""
}

// registeredSimpleTag is the allocation-free path for the tags nearly every
// producer writes, language[-script][-region] ("ja", "en-US", "zh-Hant-TW"):
// each subtag is looked up with the x/text parser of its kind. Anything
// else (extlangs, variants, extensions, private use, grandfathered tags, or
// a subtag these parsers refuse) returns false and goes to language.Parse,
// which allocates.
func registeredSimpleTag(s string) bool {
	lang, rest, _ := strings.Cut(s, "-")
	if len(lang) < 2 || len(lang) > 3 {
		return false
	}
	if _, err := language.ParseBase(lang); err != nil {
		return false
	}
	if rest == "" {
		return true
	}
	next, rest, _ := strings.Cut(rest, "-")
	if len(next) == 4 {
		if _, err := language.ParseScript(next); err != nil {
			return false
		}
		if rest == "" {
			return true
		}
		next, rest, _ = strings.Cut(rest, "-")
	}
	// A region is two letters or three digits; x/text would also take an
	// ISO 3166 alpha-3 code, which in a tag is an extlang position.
	if rest != "" || !(len(next) == 2 && allAlpha(next) || len(next) == 3 && allDigits(next)) {
		return false
	}
	_, err := language.ParseRegion(next)
	return err == nil
}

// irregularTags are the irregular grandfathered tags of the RFC 5646 §2.1
// grammar (production "irregular"); the grammar is closed, no tag is ever
// added to it (§2.2.8).
var irregularTags = [...]string{"en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon",
	"i-lux", "i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de"}

// wellFormedTag is the Language-Tag production of RFC 5646 §2.1:
//
//	langtag    = language ["-" script] ["-" region] *("-" variant) *("-" extension) ["-" privateuse]
//	language   = 2*3ALPHA ["-" extlang] / 4ALPHA / 5*8ALPHA
//	extlang    = 3ALPHA *2("-" 3ALPHA)
//	script     = 4ALPHA
//	region     = 2ALPHA / 3DIGIT
//	variant    = 5*8alphanum / (DIGIT 3alphanum)
//	extension  = singleton 1*("-" (2*8alphanum))
//	privateuse = "x" 1*("-" (1*8alphanum))
//
// plus §2.2.5 (a variant appears once) and §2.2.6 (a singleton appears once).
// The regular grandfathered tags fit langtag; the irregular ones are listed.
// It walks the subtags in place, without allocating.
func wellFormedTag(s string) bool {
	if len(s) == 0 || len(s) > 255 {
		return false
	}
	for _, g := range irregularTags {
		if strings.EqualFold(s, g) {
			return true
		}
	}
	for i := 0; i < len(s); i++ {
		if !isASCIIAlnum(s[i]) && s[i] != '-' {
			return false
		}
	}
	t := tagScanner{s: s}
	sub, start, ok := t.next()
	if !ok {
		return false
	}
	if isSingleton(sub, 'x') {
		return t.privateUse()
	}
	if len(sub) < 2 || !allAlpha(sub) {
		return false
	}
	short := len(sub) <= 3
	sub, start, ok = t.next()
	for n := 0; short && n < 3 && ok && len(sub) == 3 && allAlpha(sub); n++ {
		sub, start, ok = t.next() // extlang
	}
	if ok && len(sub) == 4 && allAlpha(sub) {
		sub, start, ok = t.next() // script
	}
	if ok && (len(sub) == 2 && allAlpha(sub) || len(sub) == 3 && allDigits(sub)) {
		sub, start, ok = t.next() // region
	}
	variants := start
	for ok && (len(sub) >= 5 || len(sub) == 4 && isDecDigit(sub[0])) {
		for v := range strings.SplitSeq(s[variants:start], "-") {
			if strings.EqualFold(v, sub) {
				return false // §2.2.5: a variant appears once
			}
		}
		sub, start, ok = t.next()
	}
	var singletons uint64
	for ok && len(sub) == 1 {
		c := sub[0] | 0x20
		if c == 'x' {
			return t.privateUse()
		}
		bit := uint64(1) << (c % 64)
		if singletons&bit != 0 {
			return false // §2.2.6: a singleton appears once
		}
		singletons |= bit
		n := 0
		for sub, start, ok = t.next(); ok && len(sub) >= 2; sub, start, ok = t.next() {
			n++
		}
		if n == 0 {
			return false
		}
	}
	return !ok && !t.bad
}

// tagScanner yields the hyphen-separated subtags of a tag in place.
type tagScanner struct {
	s   string
	i   int  // start of the next subtag; len(s)+1 after the last
	bad bool // an empty or longer-than-8 subtag was met
}

// next returns the next subtag and where it starts; ok is false after the
// last subtag or at an empty or over-long one (which sets bad).
func (t *tagScanner) next() (sub string, start int, ok bool) {
	if t.bad || t.i > len(t.s) {
		return "", 0, false
	}
	end := len(t.s)
	if j := strings.IndexByte(t.s[t.i:], '-'); j >= 0 {
		end = t.i + j
	}
	sub, start = t.s[t.i:end], t.i
	if sub == "" || len(sub) > 8 {
		t.bad = true
		return "", 0, false
	}
	t.i = end + 1
	return sub, start, true
}

// privateUse checks the subtags after "x": at least one, each 1–8
// alphanumerics (characters were checked by the caller).
func (t *tagScanner) privateUse() bool {
	n := 0
	for _, _, ok := t.next(); ok; _, _, ok = t.next() {
		n++
	}
	return n > 0 && !t.bad
}

func allAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDecDigit(s[i]) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDecDigit(s[i]) {
			return false
		}
	}
	return true
}

func isSingleton(t string, c byte) bool { return len(t) == 1 && t[0]|0x20 == c }

// hasDisplayName reports an email-addr value written as a mailbox with a
// display name or angle brackets (John Doe <jdoe@example.com>) rather than
// the bare addr-spec of RFC 5322 §3.4.1 that STIX 2.1 §6.5 requires: angle
// brackets anywhere, or a space in an unquoted local part. A quoted local
// part ("john doe"@example.com) is an addr-spec and passes.
func hasDisplayName(s string) bool {
	if strings.ContainsAny(s, "<>") {
		return true
	}
	local := s[:strings.LastIndexByte(s, '@')+1]
	if len(local) >= 3 && local[0] == '"' && local[len(local)-2] == '"' {
		return false
	}
	return strings.ContainsAny(local, " \t")
}

// urlProblem is the reason net/url gives, without the URL it repeats.
func urlProblem(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// domainProblem says why s is not a domain name as STIX 2.1 §6.4 requires
// (RFC 1034 §3.1 and §3.5; RFC 5890 for internationalized labels), or "".
// It checks the structure: dot-separated labels of 1–63 octets, at most 253
// octets in all (a trailing root dot allowed), ASCII labels of letters,
// digits and hyphens not starting or ending with a hyphen. Underscores are
// accepted, as DNS itself accepts them (_dmarc.example.com). Labels with
// non-ASCII characters are accepted as U-labels when they are valid UTF-8
// without spaces or controls; the IDNA 2008 character rules are not applied.
func domainProblem(s string) string {
	name := strings.TrimSuffix(s, ".")
	switch {
	case name == "":
		return "it is empty"
	case len(name) > 253:
		return "it is longer than 253 characters"
	case !utf8.ValidString(name):
		return "it is not valid UTF-8"
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" {
			return "it has an empty label (two dots, or a leading dot)"
		}
		if len(label) > 63 {
			return "a label is longer than 63 octets"
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "a label starts or ends with a hyphen"
		}
		for _, r := range label {
			switch {
			case r < 0x80 && !(isASCIIAlnum(byte(r)) || r == '-' || r == '_'):
				return "a label holds a character other than letters, digits, hyphens and underscores"
			case r >= 0x80 && (r == utf8.RuneError || r == 0x85 || r == 0xA0 || r >= 0x2000 && r <= 0x200F || r == 0x3000):
				return "a label holds a space or control character"
			}
		}
	}
	return ""
}
