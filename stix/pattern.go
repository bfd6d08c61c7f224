package stix

import (
	"fmt"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// This file is a hand-written lexer and recursive-descent parser for the STIX
// Patterning Language (STIX 2.1 §9, normative grammar STIXPattern.g4). It only
// validates: nothing is built but a little bookkeeping for the semantic checks,
// so a valid pattern is checked without allocating. Tokens are produced on
// demand (one token of look-ahead is all the grammar needs) and every string
// the parser keeps is a sub-slice of the input.
//
// Grammar, by precedence from loosest to tightest (STIX 2.1 §9, Operator
// Precedence; left-associative throughout):
//
//	pattern        = obsFollowedBy EOF
//	obsFollowedBy  = obsOr { "FOLLOWEDBY" obsOr }
//	obsOr          = obsAnd { "OR" obsAnd }
//	obsAnd         = obsExpr { "AND" obsExpr }
//	obsExpr        = ( "[" cmpOr "]" | "(" obsFollowedBy ")" ) { qualifier }
//	qualifier      = "WITHIN" (IntPos|FloatPos) "SECONDS"
//	               | "REPEATS" IntPos "TIMES"
//	               | "START" Timestamp "STOP" Timestamp
//	cmpOr          = cmpAnd { "OR" cmpAnd }
//	cmpAnd         = propTest { "AND" propTest }
//	propTest       = "(" cmpOr ")" | "EXISTS" path
//	               | path ["NOT"] ( ("="|"=="|"!="|"<>") primitive
//	                              | ("<"|"<="|">"|">=") orderable
//	                              | "IN" set
//	                              | ("LIKE"|"MATCHES"|"ISSUBSET"|"ISSUPERSET") String )
//	path           = objectType ":" (Ident|String) { "." (Ident|String) | "[" (IntPos|IntNeg|"*") "]" }
//	set            = "(" [ primitive { "," primitive } ] ")"
//
// Beyond the grammar the parser checks what STIX 2.1 §9 states in prose and the
// grammar cannot express: object types follow the type-name rule (§3.1);
// comparisons joined by AND inside one observation expression use one object
// type; WITHIN and REPEATS take positive numbers; timestamps are real RFC 3339
// UTC instants; MATCHES takes a regular expression that compiles.

// maxPatternDepth bounds the nesting of brackets and parentheses. The parser
// recurses once per level, and an attacker-sized pattern of "(((((…" must not
// exhaust the goroutine stack (a fatal error, not a recoverable panic). Real
// patterns nest a handful of levels.
const maxPatternDepth = 100

// PatternError reports why a STIX pattern (pattern_type "stix") was refused:
// the position of the problem and a sentence saying what is wrong and, where
// it can, how to fix it. Offset counts Unicode characters (not bytes) from the
// start of the pattern, starting at 0, so it matches what an analyst sees in
// an editor.
type PatternError struct {
	Offset  int
	Message string
}

// Error returns the message prefixed with the offset, e.g.
// `at offset 17: expected a comparison operator after "file:name", found "=>"`.
func (e *PatternError) Error() string {
	return fmt.Sprintf("at offset %d: %s", e.Offset, e.Message)
}

// ValidatePattern parses a STIX 2.1 pattern (an indicator's pattern with
// pattern_type "stix", STIX 2.1 §9) and returns nil when it is valid, or a
// *PatternError locating the first problem.
//
// It accepts exactly the language of the STIX 2.1 grammar (STIXPattern.g4),
// including its lexical details: the keywords are upper case, "==" and "<>"
// are accepted as spellings of "=" and "!=", strings allow only the escapes
// \' and \\, and /* */ and // comments are skipped. It then checks the rules
// that STIX 2.1 §9 states in prose:
//
//   - object types follow the STIX type-name rule (§3.1): 3–250 lowercase
//     letters, digits and hyphens, e.g. ipv4-addr, x509-certificate, x-foo;
//   - comparisons joined by AND within one observation expression reference
//     one object type (§9.5); OR may mix types;
//   - WITHIN takes a positive number of seconds and REPEATS a positive
//     integer (§9, Pattern Qualifiers);
//   - t'…' literals are RFC 3339 timestamps in UTC with a real calendar date;
//   - the string after MATCHES is a regular expression (see below);
//   - as the OASIS reference validator does, one bracketed observation
//     expression may not carry two qualifiers of the same kind.
//
// MATCHES is specified as PCRE (§9, Comparison Operators). The hub compiles the
// expression with Go's regexp/syntax in Perl mode, which is RE2: a close
// approximation. PCRE-only constructs that RE2 lacks (lookaround, atomic
// groups, backreferences, possessive quantifiers, a few escapes such as \Z,
// and repeat counts above 1000) are accepted without further checking rather
// than refused, so a valid PCRE is never rejected for RE2's limits.
func ValidatePattern(p string) error {
	ps := parser{src: p}
	if err := ps.next(); err != nil {
		return err
	}
	if ps.tok.kind == tEOF {
		return ps.fail(0, `the pattern is empty; write an observation expression such as [ipv4-addr:value = '198.51.100.1']`)
	}
	if err := ps.obsFollowedBy(); err != nil {
		return err
	}
	if ps.tok.kind != tEOF {
		return ps.fail(ps.tok.start, fmt.Sprintf("expected AND, OR, FOLLOWEDBY or a qualifier (WITHIN, REPEATS, START) after a complete observation expression, found %s", ps.describe(ps.tok)))
	}
	return nil
}

// tokenKind is the lexical class of a token, after STIXPattern.g4.
type tokenKind uint8

const (
	tEOF tokenKind = iota
	tLBrack
	tRBrack
	tLParen
	tRParen
	tColon
	tDot
	tComma
	tAsterisk
	tEQ
	tNEQ
	tLT
	tLE
	tGT
	tGE
	tIntPos
	tIntNeg
	tFloatPos
	tFloatNeg
	tString
	tBool
	tBinary
	tHex
	tTimestamp
	tIdent       // IdentifierWithoutHyphen
	tIdentHyphen // IdentifierWithHyphen (contains at least one "-")
	tAnd
	tOr
	tNot
	tFollowedBy
	tLike
	tMatches
	tIsSuperset
	tIsSubset
	tLast
	tIn
	tStart
	tStop
	tSeconds
	tWithin
	tRepeats
	tTimes
	tExists
)

// token is one lexeme: its kind and its byte span in the source.
type token struct {
	kind       tokenKind
	start, end int
}

// parser holds the lexer position, the current token and the nesting depth.
type parser struct {
	src   string
	pos   int
	tok   token
	depth int
}

// fail builds the error for a problem at byte offset off, converting the
// offset to characters. Only the failure path allocates.
func (p *parser) fail(off int, msg string) *PatternError {
	return &PatternError{Offset: p.charOff(off), Message: msg}
}

// charOff converts a byte offset into the source to a character offset.
func (p *parser) charOff(off int) int {
	if off > len(p.src) {
		off = len(p.src)
	}
	return utf8.RuneCountInString(p.src[:off])
}

// text is the source text of t.
func (p *parser) text(t token) string { return p.src[t.start:t.end] }

// describe names a token for an error message: its text, quoted and
// shortened, or "the end of the pattern".
func (p *parser) describe(t token) string {
	if t.kind == tEOF {
		return "the end of the pattern"
	}
	return quoteShort(p.text(t))
}

// quoteShort quotes s for a message, cutting it to about 40 characters.
func quoteShort(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		n := 0
		for i := range s {
			if n == 37 {
				s = s[:i] + "…"
				break
			}
			n++
		}
	}
	return fmt.Sprintf("%q", s)
}

// isPatternSpace reports the non-ASCII white space that STIXPattern.g4 skips.
func isPatternSpace(r rune) bool {
	switch r {
	case 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) }

// next lexes the token starting at p.pos into p.tok, skipping white space and
// comments first. Lexing follows ANTLR's longest-match rule, so "ANDROID" is
// an identifier, not AND followed by ROID.
func (p *parser) next() *PatternError {
	s := p.src
	for p.pos < len(s) {
		c := s[p.pos]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' {
			p.pos++
			continue
		}
		if c == '/' && p.pos+1 < len(s) && s[p.pos+1] == '*' {
			end := strings.Index(s[p.pos+2:], "*/")
			if end < 0 {
				return p.fail(p.pos, `unterminated comment; close "/*" with "*/"`)
			}
			p.pos += 2 + end + 2
			continue
		}
		if c == '/' && p.pos+1 < len(s) && s[p.pos+1] == '/' {
			for p.pos < len(s) && s[p.pos] != '\n' && s[p.pos] != '\r' {
				p.pos++
			}
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[p.pos:])
			if isPatternSpace(r) {
				p.pos += size
				continue
			}
		}
		break
	}
	start := p.pos
	if start >= len(s) {
		p.tok = token{kind: tEOF, start: len(s), end: len(s)}
		return nil
	}
	c := s[start]
	single := func(k tokenKind) *PatternError {
		p.pos++
		p.tok = token{kind: k, start: start, end: p.pos}
		return nil
	}
	switch c {
	case '[':
		return single(tLBrack)
	case ']':
		return single(tRBrack)
	case '(':
		return single(tLParen)
	case ')':
		return single(tRParen)
	case ':':
		return single(tColon)
	case ',':
		return single(tComma)
	case '*':
		return single(tAsterisk)
	case '=':
		if start+1 < len(s) && s[start+1] == '=' {
			p.pos++
		}
		return single(tEQ)
	case '!':
		if start+1 < len(s) && s[start+1] == '=' {
			p.pos++
			return single(tNEQ)
		}
		return p.fail(start, `unexpected "!"; the not-equal operator is "!=" (or "<>"), and negation is written NOT before an operator`)
	case '<':
		if start+1 < len(s) && s[start+1] == '=' {
			p.pos++
			return single(tLE)
		}
		if start+1 < len(s) && s[start+1] == '>' {
			p.pos++
			return single(tNEQ)
		}
		return single(tLT)
	case '>':
		if start+1 < len(s) && s[start+1] == '=' {
			p.pos++
			return single(tGE)
		}
		return single(tGT)
	case '\'':
		return p.lexString(start)
	case '.':
		if start+1 < len(s) && isDigit(s[start+1]) {
			return p.lexNumber(start)
		}
		return single(tDot)
	case '+', '-':
		if start+1 < len(s) && (isDigit(s[start+1]) || s[start+1] == '.' && start+2 < len(s) && isDigit(s[start+2])) {
			return p.lexNumber(start)
		}
		return p.fail(start, fmt.Sprintf("unexpected %q; a sign must be followed directly by a number, as in -5 or +1.5", c))
	case '"':
		return p.fail(start, `unexpected '"'; STIX pattern strings are written in single quotes, as in 'example.com'`)
	}
	if isDigit(c) {
		return p.lexNumber(start)
	}
	if isIdentStart(c) {
		return p.lexWord(start)
	}
	r, _ := utf8.DecodeRuneInString(s[start:])
	if r == utf8.RuneError {
		return p.fail(start, "the pattern is not valid UTF-8")
	}
	return p.fail(start, fmt.Sprintf("unexpected character %q", r))
}

// lexWord lexes an identifier or keyword, and the typed literals b'…', h'…'
// and t'…' whose one-letter prefix would otherwise read as an identifier.
func (p *parser) lexWord(start int) *PatternError {
	s := p.src
	end := start + 1
	hyphen := false
	for end < len(s) && (isIdentPart(s[end]) || s[end] == '-') {
		if s[end] == '-' {
			hyphen = true
		}
		end++
	}
	if end == start+1 && end < len(s) && s[end] == '\'' {
		switch s[start] {
		case 'b':
			return p.lexTyped(start, tBinary)
		case 'h':
			return p.lexTyped(start, tHex)
		case 't':
			return p.lexTyped(start, tTimestamp)
		}
	}
	p.pos = end
	kind := tIdent
	if hyphen {
		kind = tIdentHyphen
	} else {
		switch s[start:end] {
		case "AND":
			kind = tAnd
		case "OR":
			kind = tOr
		case "NOT":
			kind = tNot
		case "FOLLOWEDBY":
			kind = tFollowedBy
		case "LIKE":
			kind = tLike
		case "MATCHES":
			kind = tMatches
		case "ISSUPERSET":
			kind = tIsSuperset
		case "ISSUBSET":
			kind = tIsSubset
		case "LAST":
			kind = tLast
		case "IN":
			kind = tIn
		case "START":
			kind = tStart
		case "STOP":
			kind = tStop
		case "SECONDS":
			kind = tSeconds
		case "WITHIN":
			kind = tWithin
		case "REPEATS":
			kind = tRepeats
		case "TIMES":
			kind = tTimes
		case "EXISTS":
			kind = tExists
		case "true", "false":
			kind = tBool
		}
	}
	p.tok = token{kind: kind, start: start, end: end}
	return nil
}

// lexNumber lexes IntPosLiteral, IntNegLiteral, FloatPosLiteral and
// FloatNegLiteral: an optional sign, then either an integer without leading
// zeros or digits, a dot and at least one digit. There is no exponent form.
func (p *parser) lexNumber(start int) *PatternError {
	s := p.src
	i := start
	neg := false
	if s[i] == '+' || s[i] == '-' {
		neg = s[i] == '-'
		i++
	}
	digits := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		p.pos = i
		p.tok = token{kind: tFloatPos, start: start, end: i}
		if neg {
			p.tok.kind = tFloatNeg
		}
		return nil
	}
	if i-digits > 1 && s[digits] == '0' {
		return p.fail(start, fmt.Sprintf("integer %s has a leading zero; write it without one", s[start:i]))
	}
	p.pos = i
	p.tok = token{kind: tIntPos, start: start, end: i}
	if neg {
		p.tok.kind = tIntNeg
	}
	return nil
}

// lexString lexes a StringLiteral: single quotes, with \' and \\ the only
// escapes (STIXPattern.g4).
func (p *parser) lexString(start int) *PatternError {
	s := p.src
	for i := start + 1; i < len(s); i++ {
		switch s[i] {
		case '\'':
			p.pos = i + 1
			p.tok = token{kind: tString, start: start, end: p.pos}
			return nil
		case '\\':
			if i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '\\') {
				i++
				continue
			}
			if i+1 >= len(s) {
				break
			}
			r, _ := utf8.DecodeRuneInString(s[i+1:])
			return p.fail(i, fmt.Sprintf(`invalid escape "\%c" in a string literal; only \' and \\ are allowed, so write \\ for a backslash (a regular expression's \d is written \\d)`, r))
		}
	}
	return p.fail(start, "unterminated string literal; close it with a single quote (write \\' for a quote inside the string)")
}

// lexTyped lexes b'…' (base64), h'…' (hex) and t'…' (timestamp) literals and
// checks their contents, so the error can say what is wrong inside the quotes
// rather than, as an ANTLR lexer would, reporting a stray identifier "b".
func (p *parser) lexTyped(start int, kind tokenKind) *PatternError {
	s := p.src
	q := strings.IndexByte(s[start+2:], '\'')
	if q < 0 {
		return p.fail(start, "unterminated literal; close it with a single quote")
	}
	body := s[start+2 : start+2+q]
	end := start + 2 + q + 1
	switch kind {
	case tBinary:
		if !validBase64(body) {
			return p.fail(start, fmt.Sprintf("%s is not a valid binary literal; b'…' takes padded standard base64 (A-Z a-z 0-9 + /, length a multiple of 4), as in b'ZXhhbXBsZQ=='", quoteShort(s[start:end])))
		}
	case tHex:
		if len(body)%2 != 0 {
			return p.fail(start, fmt.Sprintf("%s is not a valid hex literal; h'…' takes an even number of hex digits, as in h'ffd8'", quoteShort(s[start:end])))
		}
		for i := 0; i < len(body); i++ {
			if !isHex(body[i]) {
				return p.fail(start+2+i, fmt.Sprintf("%s is not a valid hex literal; h'…' takes only the digits 0-9 a-f A-F", quoteShort(s[start:end])))
			}
		}
	case tTimestamp:
		if why := timestampProblem(body); why != "" {
			return p.fail(start, fmt.Sprintf("%s is not an RFC 3339 UTC timestamp (%s); write it like t'2026-01-01T00:00:00Z'", quoteShort(s[start:end]), why))
		}
	}
	p.pos = end
	p.tok = token{kind: kind, start: start, end: end}
	return nil
}

// validBase64 reports whether s is standard padded base64 with at least one
// group, as BinaryLiteral in STIXPattern.g4 requires.
func validBase64(s string) bool {
	n := len(s)
	if n == 0 || n%4 != 0 {
		return false
	}
	b64 := func(c byte) bool {
		return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || isDigit(c) || c == '+' || c == '/'
	}
	for i := 0; i < n-2; i++ {
		if !b64(s[i]) {
			return false
		}
	}
	switch {
	case b64(s[n-2]) && b64(s[n-1]):
	case b64(s[n-2]) && s[n-1] == '=':
	case s[n-2] == '=' && s[n-1] == '=':
	default:
		return false
	}
	return true
}

// timestampProblem checks s against TimestampLiteral of STIXPattern.g4
// (YYYY-MM-DDTHH:MM:SS[.fraction]Z) and against the calendar, returning ""
// when it is valid or a short reason. Second 60 (a leap second) is allowed,
// as both the grammar and RFC 3339 allow it.
func timestampProblem(s string) string {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return "expected the form YYYY-MM-DDTHH:MM:SSZ"
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !isDigit(s[i]) {
			return "expected the form YYYY-MM-DDTHH:MM:SSZ"
		}
	}
	num := func(i, j int) int {
		n := 0
		for ; i < j; i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, second := num(11, 13), num(14, 16), num(17, 19)
	rest := s[19:]
	if rest[0] == '.' {
		i := 1
		for i < len(rest) && isDigit(rest[i]) {
			i++
		}
		if i == 1 {
			return "a fractional second needs at least one digit"
		}
		rest = rest[i:]
	}
	if rest != "Z" {
		return `the time must end in "Z" (UTC)`
	}
	switch {
	case month < 1 || month > 12:
		return fmt.Sprintf("month %02d is out of range", month)
	case day < 1 || day > daysIn(year, month):
		return fmt.Sprintf("day %02d does not exist in %04d-%02d", day, year, month)
	case hour > 23:
		return fmt.Sprintf("hour %02d is out of range", hour)
	case minute > 59:
		return fmt.Sprintf("minute %02d is out of range", minute)
	case second > 60:
		return fmt.Sprintf("second %02d is out of range", second)
	}
	return ""
}

// daysIn is the number of days in month of year (proleptic Gregorian).
func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// advance moves to the next token.
func (p *parser) advance() *PatternError { return p.next() }

// enter and leave track nesting depth against maxPatternDepth.
func (p *parser) enter(off int) *PatternError {
	p.depth++
	if p.depth > maxPatternDepth {
		return p.fail(off, fmt.Sprintf("brackets and parentheses nest deeper than %d levels; simplify the pattern", maxPatternDepth))
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// obsFollowedBy parses observation expressions joined by FOLLOWEDBY, the
// loosest observation operator (STIX 2.1 §9, Observation Operators).
func (p *parser) obsFollowedBy() *PatternError {
	if err := p.obsOr(); err != nil {
		return err
	}
	for p.tok.kind == tFollowedBy {
		if err := p.advance(); err != nil {
			return err
		}
		if err := p.obsOr(); err != nil {
			return err
		}
	}
	return nil
}

// obsOr parses observation expressions joined by OR.
func (p *parser) obsOr() *PatternError {
	if err := p.obsAnd(); err != nil {
		return err
	}
	for p.tok.kind == tOr {
		if err := p.advance(); err != nil {
			return err
		}
		if err := p.obsAnd(); err != nil {
			return err
		}
	}
	return nil
}

// obsAnd parses observation expressions joined by AND. Unlike AND inside
// brackets, AND between observation expressions may join any object types.
func (p *parser) obsAnd() *PatternError {
	if err := p.obsExpr(); err != nil {
		return err
	}
	for p.tok.kind == tAnd {
		if err := p.advance(); err != nil {
			return err
		}
		if err := p.obsExpr(); err != nil {
			return err
		}
	}
	return nil
}

// Qualifier kinds, as bits, for the duplicate-qualifier check.
const (
	qualWithin = 1 << iota
	qualRepeats
	qualStartStop
)

// obsExpr parses one observation expression, "[ … ]" or "( … )", and the
// qualifiers that follow it (STIX 2.1 §9, Pattern Qualifiers).
func (p *parser) obsExpr() *PatternError {
	open := p.tok
	simple := false
	switch open.kind {
	case tLBrack:
		simple = true
		if err := p.enter(open.start); err != nil {
			return err
		}
		if err := p.advance(); err != nil {
			return err
		}
		if p.tok.kind == tRBrack {
			return p.fail(p.tok.start, `empty observation expression "[]"; put a comparison inside, such as [file:name = 'a.exe']`)
		}
		if _, err := p.cmpOr(); err != nil {
			return err
		}
		if p.tok.kind != tRBrack {
			return p.fail(p.tok.start, fmt.Sprintf(`expected AND, OR or "]" to close the observation expression opened at offset %d, found %s`, p.charOff(open.start), p.describe(p.tok)))
		}
		p.leave()
	case tLParen:
		if err := p.enter(open.start); err != nil {
			return err
		}
		if err := p.advance(); err != nil {
			return err
		}
		if err := p.obsFollowedBy(); err != nil {
			return err
		}
		if p.tok.kind != tRParen {
			return p.fail(p.tok.start, fmt.Sprintf(`expected AND, OR, FOLLOWEDBY, a qualifier or ")" to close the parenthesis opened at offset %d, found %s`, p.charOff(open.start), p.describe(p.tok)))
		}
		p.leave()
	default:
		if isCmpStart(p.tok.kind) && open.kind != tEOF {
			return p.fail(open.start, fmt.Sprintf(`expected an observation expression, found %s; comparisons must be inside square brackets, as in [file:name = 'a.exe']`, p.describe(open)))
		}
		return p.fail(open.start, fmt.Sprintf(`expected an observation expression starting with "[" or "(", found %s`, p.describe(open)))
	}
	if err := p.advance(); err != nil {
		return err
	}
	seen := 0
	for {
		q := p.tok
		var kind int
		var err *PatternError
		switch q.kind {
		case tWithin:
			kind, err = qualWithin, p.within()
		case tRepeats:
			kind, err = qualRepeats, p.repeats()
		case tStart:
			kind, err = qualStartStop, p.startStop()
		default:
			return nil
		}
		if err != nil {
			return err
		}
		// The grammar allows any number of qualifiers; the OASIS reference
		// validator (cti-pattern-validator, v21 ValidationListener) refuses
		// two of one kind directly on a bracketed expression, because they
		// contradict each other. A parenthesized group may be re-qualified.
		if simple && seen&kind != 0 {
			return p.fail(q.start, fmt.Sprintf("duplicate %s qualifier on one observation expression; keep one, or group with parentheses to qualify the group", p.text(q)))
		}
		seen |= kind
	}
}

// isCmpStart reports tokens that can only begin a comparison, used to give a
// better message for a pattern that forgot its square brackets.
func isCmpStart(k tokenKind) bool {
	return k == tIdent || k == tIdentHyphen || k == tExists
}

// positive reports whether a numeric literal's digits are not all zero.
func positive(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '1' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// within parses WITHIN n SECONDS. The grammar takes an IntPosLiteral or a
// FloatPosLiteral; zero is refused because a window of no time matches nothing.
func (p *parser) within() *PatternError {
	if err := p.advance(); err != nil {
		return err
	}
	n := p.tok
	if n.kind != tIntPos && n.kind != tFloatPos || !positive(p.text(n)) {
		return p.fail(n.start, fmt.Sprintf("WITHIN needs a positive number of seconds, as in WITHIN 300 SECONDS; found %s", p.describe(n)))
	}
	if err := p.advance(); err != nil {
		return err
	}
	if p.tok.kind != tSeconds {
		return p.fail(p.tok.start, fmt.Sprintf("expected SECONDS after WITHIN %s (SECONDS is the only unit), found %s", p.text(n), p.describe(p.tok)))
	}
	return p.advance()
}

// repeats parses REPEATS n TIMES with n a positive integer.
func (p *parser) repeats() *PatternError {
	if err := p.advance(); err != nil {
		return err
	}
	n := p.tok
	if n.kind != tIntPos || !positive(p.text(n)) {
		return p.fail(n.start, fmt.Sprintf("REPEATS needs a positive integer, as in REPEATS 5 TIMES; found %s", p.describe(n)))
	}
	if err := p.advance(); err != nil {
		return err
	}
	if p.tok.kind != tTimes {
		return p.fail(p.tok.start, fmt.Sprintf("expected TIMES after REPEATS %s, found %s", p.text(n), p.describe(p.tok)))
	}
	return p.advance()
}

// startStop parses START t'…' STOP t'…'. Whether START precedes STOP is not
// checked: the specification leaves that to the consumer of the pattern.
func (p *parser) startStop() *PatternError {
	if err := p.advance(); err != nil {
		return err
	}
	if p.tok.kind != tTimestamp {
		return p.fail(p.tok.start, fmt.Sprintf("START needs a timestamp literal, as in START t'2026-01-01T00:00:00Z'; found %s", p.describe(p.tok)))
	}
	if err := p.advance(); err != nil {
		return err
	}
	if p.tok.kind != tStop {
		return p.fail(p.tok.start, fmt.Sprintf("expected STOP t'…' after the START timestamp, found %s", p.describe(p.tok)))
	}
	if err := p.advance(); err != nil {
		return err
	}
	if p.tok.kind != tTimestamp {
		return p.fail(p.tok.start, fmt.Sprintf("STOP needs a timestamp literal, as in STOP t'2026-01-02T00:00:00Z'; found %s", p.describe(p.tok)))
	}
	return p.advance()
}

// typeSet summarizes the object types a comparison expression refers to, for
// the AND rule: the first type and where it was seen, and, if there is one, a
// second distinct type (which only OR can introduce).
type typeSet struct {
	name     string
	off      int
	other    string
	otherOff int
}

func (t typeSet) mixed() bool { return t.other != "" }

// union is the type set of a OR b.
func union(a, b typeSet) typeSet {
	if a.mixed() {
		return a
	}
	if b.name != a.name {
		a.other, a.otherOff = b.name, b.off
		return a
	}
	if b.mixed() {
		a.other, a.otherOff = b.other, b.otherOff
	}
	return a
}

// cmpOr parses comparison expressions joined by OR; OR may mix object types.
func (p *parser) cmpOr() (typeSet, *PatternError) {
	left, err := p.cmpAnd()
	if err != nil {
		return left, err
	}
	for p.tok.kind == tOr {
		if err := p.advance(); err != nil {
			return left, err
		}
		right, err := p.cmpAnd()
		if err != nil {
			return left, err
		}
		left = union(left, right)
	}
	return left, nil
}

// cmpAnd parses comparison expressions joined by AND and enforces that they
// reference a single object type (STIX 2.1 §9.5): AND inside brackets means
// "the same object has both properties", which cannot hold across types. To
// combine different objects, AND whole observation expressions instead.
func (p *parser) cmpAnd() (typeSet, *PatternError) {
	left, err := p.propTest()
	if err != nil {
		return left, err
	}
	for p.tok.kind == tAnd {
		and := p.tok
		if err := p.advance(); err != nil {
			return left, err
		}
		right, err := p.propTest()
		if err != nil {
			return left, err
		}
		const fix = "comparisons joined by AND inside one observation expression must reference the same object type (STIX 2.1 §9.5); to match different objects, close the bracket and join two observation expressions, as in [a:x = 1] AND [b:y = 2]"
		switch {
		case left.mixed():
			return left, p.fail(and.start, fmt.Sprintf("AND joins an expression mixing %q and %q with other comparisons; %s", left.name, left.other, fix))
		case right.mixed():
			return left, p.fail(and.start, fmt.Sprintf("AND joins comparisons with an expression mixing %q and %q; %s", right.name, right.other, fix))
		case right.name != left.name:
			return left, p.fail(right.off, fmt.Sprintf("object type %q is joined by AND with %q; %s", right.name, left.name, fix))
		}
	}
	return left, nil
}

// propTest parses one comparison: a parenthesized comparison expression,
// EXISTS path, or path [NOT] operator value (STIX 2.1 §9, Comparison
// Operators).
func (p *parser) propTest() (typeSet, *PatternError) {
	switch p.tok.kind {
	case tLParen:
		open := p.tok
		if err := p.enter(open.start); err != nil {
			return typeSet{}, err
		}
		if err := p.advance(); err != nil {
			return typeSet{}, err
		}
		ts, err := p.cmpOr()
		if err != nil {
			return ts, err
		}
		if p.tok.kind != tRParen {
			return ts, p.fail(p.tok.start, fmt.Sprintf(`expected AND, OR or ")" to close the parenthesis opened at offset %d, found %s`, p.charOff(open.start), p.describe(p.tok)))
		}
		p.leave()
		return ts, p.advance()
	case tExists:
		if err := p.advance(); err != nil {
			return typeSet{}, err
		}
		ts, _, err := p.objectPath()
		return ts, err
	}
	ts, pathEnd, err := p.objectPath()
	if err != nil {
		return ts, err
	}
	path := p.src[ts.off:pathEnd]
	if p.tok.kind == tNot {
		if err := p.advance(); err != nil {
			return ts, err
		}
	}
	op := p.tok
	switch op.kind {
	case tEQ, tNEQ, tLT, tLE, tGT, tGE, tIn, tLike, tIsSubset, tIsSuperset, tMatches:
	case tExists:
		return ts, p.fail(op.start, fmt.Sprintf("EXISTS comes before the object path, as in EXISTS %s", path))
	default:
		return ts, p.fail(op.start, fmt.Sprintf("expected a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET) after %s, found %s", quoteShort(path), p.describe(op)))
	}
	if err := p.advance(); err != nil {
		return ts, err
	}
	v := p.tok
	switch op.kind {
	case tEQ, tNEQ:
		if !isOrderable(v.kind) && v.kind != tBool {
			return ts, p.fail(v.start, fmt.Sprintf("expected a value after %q: a 'string', a number, true/false, t'timestamp', b'base64' or h'hex'; found %s", p.text(op), p.describe(v)))
		}
	case tLT, tLE, tGT, tGE:
		if !isOrderable(v.kind) {
			return ts, p.fail(v.start, fmt.Sprintf("expected an orderable value after %q: a number, a 'string', t'timestamp', b'base64' or h'hex'; found %s", p.text(op), p.describe(v)))
		}
	case tIn:
		return ts, p.set()
	case tLike, tIsSubset, tIsSuperset:
		if v.kind != tString {
			return ts, p.fail(v.start, fmt.Sprintf("%s takes a 'string' literal; found %s", p.text(op), p.describe(v)))
		}
	case tMatches:
		if v.kind != tString {
			return ts, p.fail(v.start, fmt.Sprintf("MATCHES takes a regular expression in a 'string' literal, as in MATCHES '^evil\\\\.exe$'; found %s", p.describe(v)))
		}
		if err := p.checkRegex(v); err != nil {
			return ts, err
		}
	}
	return ts, p.advance()
}

// isOrderable reports the literal kinds of orderableLiteral in the grammar.
func isOrderable(k tokenKind) bool {
	switch k {
	case tIntPos, tIntNeg, tFloatPos, tFloatNeg, tString, tBinary, tHex, tTimestamp:
		return true
	}
	return false
}

// set parses a set literal after IN: "(" [ value { "," value } ] ")". The
// current token is the one after IN.
func (p *parser) set() *PatternError {
	if p.tok.kind != tLParen {
		return p.fail(p.tok.start, fmt.Sprintf("IN takes a set in parentheses, as in IN ('a', 'b'); found %s", p.describe(p.tok)))
	}
	if err := p.advance(); err != nil {
		return err
	}
	if p.tok.kind == tRParen {
		return p.advance()
	}
	for {
		if !isOrderable(p.tok.kind) && p.tok.kind != tBool {
			return p.fail(p.tok.start, fmt.Sprintf("expected a value in the IN set: a 'string', a number, true/false, t'timestamp', b'base64' or h'hex'; found %s", p.describe(p.tok)))
		}
		if err := p.advance(); err != nil {
			return err
		}
		switch p.tok.kind {
		case tComma:
			if err := p.advance(); err != nil {
				return err
			}
		case tRParen:
			return p.advance()
		default:
			return p.fail(p.tok.start, fmt.Sprintf(`expected "," or ")" in the IN set, found %s`, p.describe(p.tok)))
		}
	}
}

// objectPath parses type:property{.property|[index]} (STIX 2.1 §9, Object
// Path Syntax) and returns the object type, where it starts, and the end of
// the path. Property names with characters other than letters, digits and
// "_" (hyphens, for instance) must be quoted: file:hashes.'SHA-256',
// file:extensions.'windows-pebinary-ext'.
func (p *parser) objectPath() (typeSet, int, *PatternError) {
	t := p.tok
	ts := typeSet{name: p.text(t), off: t.start}
	switch t.kind {
	case tIdent, tIdentHyphen:
		if !ValidTypeName(ts.name) {
			return ts, 0, p.fail(t.start, fmt.Sprintf("%s is not a valid STIX object type: type names are 3–250 lowercase letters, digits and single hyphens starting with a letter (STIX 2.1 §3.1), such as ipv4-addr or x-foo", quoteShort(ts.name)))
		}
	default:
		return ts, 0, p.fail(t.start, fmt.Sprintf("expected an object path such as file:name, found %s", p.describe(t)))
	}
	if err := p.advance(); err != nil {
		return ts, 0, err
	}
	if p.tok.kind != tColon {
		return ts, 0, p.fail(p.tok.start, fmt.Sprintf("expected \":\" after the object type %q, as in %s:value; found %s", ts.name, ts.name, p.describe(p.tok)))
	}
	if err := p.advance(); err != nil {
		return ts, 0, err
	}
	if err := p.propertyName(ts.name); err != nil {
		return ts, 0, err
	}
	if err := p.customProperty(ts.name); err != nil {
		return ts, 0, err
	}
	end := p.tok.end
	if err := p.advance(); err != nil {
		return ts, 0, err
	}
	for {
		switch p.tok.kind {
		case tDot:
			if err := p.advance(); err != nil {
				return ts, 0, err
			}
			if err := p.propertyName(""); err != nil {
				return ts, 0, err
			}
			end = p.tok.end
		case tFloatPos:
			// ".5" lexes as a number, as in STIXPattern.g4; a list index is
			// written in brackets.
			return ts, 0, p.fail(p.tok.start, fmt.Sprintf("%s is not a property step; write a list index in brackets, as in [5]", quoteShort(p.text(p.tok))))
		case tLBrack:
			if err := p.advance(); err != nil {
				return ts, 0, err
			}
			if k := p.tok.kind; k != tIntPos && k != tIntNeg && k != tAsterisk {
				return ts, 0, p.fail(p.tok.start, fmt.Sprintf("expected a list index (an integer or *) inside [ ], found %s", p.describe(p.tok)))
			}
			if err := p.advance(); err != nil {
				return ts, 0, err
			}
			if p.tok.kind != tRBrack {
				return ts, 0, p.fail(p.tok.start, fmt.Sprintf(`expected "]" after the list index, found %s`, p.describe(p.tok)))
			}
			end = p.tok.end
		default:
			return ts, end, nil
		}
		if err := p.advance(); err != nil {
			return ts, 0, err
		}
	}
}

// propertyName checks that the current token can be a path component: an
// identifier without hyphens or a quoted string. typeName is the object type
// when the component is the first one (after the colon), else "".
func (p *parser) propertyName(typeName string) *PatternError {
	switch p.tok.kind {
	case tIdent, tString:
		return nil
	case tIdentHyphen:
		return p.fail(p.tok.start, fmt.Sprintf("property name %s contains a hyphen and must be quoted, as in '%s'", quoteShort(p.text(p.tok)), p.text(p.tok)))
	}
	if p.tok.kind >= tAnd || p.tok.kind == tBool {
		return p.fail(p.tok.start, fmt.Sprintf("%s is a reserved word; quote it to use it as a property name, as in '%s'", quoteShort(p.text(p.tok)), p.text(p.tok)))
	}
	where := `after "."`
	if typeName != "" {
		where = `after "` + typeName + `:"`
	}
	return p.fail(p.tok.start, fmt.Sprintf("expected a property name %s, found %s", where, p.describe(p.tok)))
}

// customProperty checks the first property of an object path (the current
// token). A property that STIX 2.1 does not define for the object type is a
// custom property, and its name must follow the rule of STIX 2.1 §3.1 and
// §11.1: 3–250 characters of a–z, 0–9 and "_", starting with a letter. The
// OASIS reference validator checks the same (musts.patterns), so
// [x-foo:ab = 'x'] and [file:Name = 'x'] are refused. Later path steps are
// dictionary keys, list indices or properties of nested types, which the
// pattern cannot be checked against without the object, and are left alone.
func (p *parser) customProperty(typeName string) *PatternError {
	name := p.text(p.tok)
	if p.tok.kind == tString {
		name = unquote(name)
	}
	if s := specFor[typeName]; s != nil {
		if _, ok := s.props[name]; ok {
			return nil
		}
	}
	if validPropertyName(name) {
		return nil
	}
	return p.fail(p.tok.start, fmt.Sprintf("%s is not a property of %s and not a valid custom property name: use 3–250 characters of a–z, 0–9 and _, starting with a letter (STIX 2.1 §3.1, §11.1)", quoteShort(name), typeName))
}

// checkRegex compiles the MATCHES operand with regexp/syntax in Perl mode, an
// approximation of the PCRE the specification names (see ValidatePattern).
func (p *parser) checkRegex(t token) *PatternError {
	re := unquote(p.text(t))
	_, err := syntax.Parse(re, syntax.Perl)
	if err == nil {
		return nil
	}
	se, ok := err.(*syntax.Error)
	if ok && pcreOnly(se) {
		return nil
	}
	msg := err.Error()
	if ok {
		msg = fmt.Sprintf("%s: %s", se.Code, quoteShort(se.Expr))
	}
	return p.fail(t.start, fmt.Sprintf("the MATCHES operand is not a valid regular expression (%s)", msg))
}

// pcreOnly reports RE2 errors caused by valid PCRE that RE2 does not support.
func pcreOnly(e *syntax.Error) bool {
	switch e.Code {
	case syntax.ErrInvalidPerlOp:
		for _, pre := range [...]string{"(?=", "(?!", "(?<=", "(?<!", "(?>", "(?|", "(?#"} {
			if strings.HasPrefix(e.Expr, pre) {
				return true
			}
		}
	case syntax.ErrInvalidRepeatOp:
		// possessive quantifiers: a++, a*+, a?+, a{2}+
		return strings.HasSuffix(e.Expr, "+")
	case syntax.ErrInvalidRepeatSize:
		return true
	case syntax.ErrInvalidEscape:
		if len(e.Expr) == 2 && e.Expr[0] == '\\' {
			return strings.IndexByte("123456789gkZGRhHVXKN", e.Expr[1]) >= 0
		}
	}
	return false
}

// unquote returns the value of a StringLiteral token's text, undoing the \'
// and \\ escapes. It allocates only when there is an escape.
func unquote(s string) string {
	s = s[1 : len(s)-1]
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
