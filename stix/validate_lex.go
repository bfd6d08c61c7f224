package stix

import (
	"net/netip"
	"regexp"
	"strings"
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

// cpePattern is the software cpe pattern of software.json, which is not
// anchored: the hub keeps it as is (cpe is rare and the grammar is long).
var cpePattern = regexp.MustCompile(`cpe:2\.3:[aho\*\-](:(((\?*|\*?)([a-zA-Z0-9\-\._]|(\\[\\\*\?!"#$$%&'\(\)\+,/:;<=>@\[\]\^` + "`" + `\{\|}~]))+(\?*|\*?))|[\*\-])){5}(:(([a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?)|[\*\-]))(:(((\?*|\*?)([a-zA-Z0-9\-\._]|(\\[\\\*\?!"#$$%&'\(\)\+,/:;<=>@\[\]\^` + "`" + `\{\|}~]))+(\?*|\*?))|[\*\-])){4}`)

// languageTagPattern is the software languages item pattern of software.json (RFC 5646).
var languageTagPattern = regexp.MustCompile(`^([a-z]{2}(-[A-Z]{2})?(-[a-z]{4})?(-[A-Z]{2}|[0-9]{3})?(-[a-z0-9]{5,8}|[0-9][a-z0-9]{3})*(-[a-z0-9]{1,8})*|[a-z]{3})$`)

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
		ok := len(s) >= 2 && len(s) <= 250
		for i := 0; ok && i < len(s); i++ {
			ch := s[i]
			ok = isASCIIAlnum(ch) || strings.IndexByte("/.+_:-", ch) >= 0
		}
		if !ok {
			c.failf(l, "%q is not an IANA character set name such as UTF-8", s)
		}
	case sCPE:
		if !cpePattern.MatchString(s) {
			c.failf(l, "%q is not a CPE 2.3 formatted string such as cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*", s)
		}
	case sLanguageTag:
		if !languageTagPattern.MatchString(s) {
			c.failf(l, "%q is not an RFC 5646 language tag such as ja or en-US", s)
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
		}
	case sEmail:
		at := strings.LastIndexByte(s, '@')
		if at <= 0 || at == len(s)-1 {
			c.failf(l, "%q is not an email address such as jdoe@example.com (STIX 2.1 §6.5)", s)
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
