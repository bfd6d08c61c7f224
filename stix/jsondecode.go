package stix

import (
	"encoding/binary"
	"encoding/json"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonDecoder decodes one JSON value into exactly what encoding/json's
// Decoder with UseNumber gives for it in an any: map[string]any for objects
// (the last of duplicate names wins), []any for arrays (never nil, even
// empty), string, json.Number holding the literal as written, bool and nil.
// It accepts exactly what encoding/json accepts and nothing else, so a caller
// that falls back to encoding/json on a refusal gets encoding/json's result
// and error messages in every case, only faster on the common one: it is the
// parse of every object of every bundle (decodeElems), where encoding/json
// spends half its time in its byte-at-a-time scanner and in reflection.
//
// Where the rules come from (Go's encoding/json, which this mirrors rather
// than RFC 8259 where the two differ):
//   - syntax: scanner.go. Whitespace is space, tab, LF and CR only; numbers
//     follow RFC 8259's grammar (no '+', no leading zeros, no "1." or ".5");
//     nesting deeper than 10,000 containers is refused (maxNestingDepth).
//   - strings: unquoteBytes in decode.go. Bytes below 0x20 are syntax errors;
//     each byte that does not start a valid UTF-8 sequence (as utf8.DecodeRune
//     judges: overlongs, encoded surrogates, truncations, F5–FF) becomes one
//     U+FFFD; a \u escape of a surrogate that does not start a valid pair
//     with the \u escape right after it becomes U+FFFD, and the escape after
//     it is then read on its own.
//
// A jsonDecoder keeps its buffers between values, so one per goroutine saves
// their allocation for every value after the first, and the short strings it
// has met, so that the values it returns share one copy of each (lookup); it
// is not safe for concurrent use, and is meant to last one bundle, not to be
// kept. The zero value is ready to use.
type jsonDecoder struct {
	data  []byte
	pos   int // the next byte of data to read
	depth int // containers open at pos

	// scratch is where a string that needs unescaping or UTF-8 repair is
	// built, so that it is allocated once, as a string, at the end.
	scratch []byte
	// vals and names hold the elements of the arrays and the members of the
	// objects being decoded, innermost last, until the container closes and
	// can be allocated at its final size: no slice grows by appending and
	// no map rehashes as it fills.
	vals  []any
	names []string
	// interned holds short strings met before, each in the any a value
	// of it is returned in (lookup); hits and misses count the look-ups it
	// answered and failed, and internOff stops them (keeps).
	interned     map[string]any
	hits, misses int
	internOff    bool
}

// decode decodes raw, which must be one JSON value with nothing after it
// (whitespace before it is skipped), as encoding/json's Decoder with
// UseNumber decodes it into an any. It returns false where encoding/json
// would fail or would stop before the end of raw.
func (d *jsonDecoder) decode(raw []byte) (any, bool) {
	d.data, d.pos, d.depth = raw, 0, 0
	// After a refusal the stacks may hold a partial container.
	d.vals, d.names = d.vals[:0], d.names[:0]
	d.skipSpace()
	v, ok := d.value()
	// A Decoder ends a value at its last byte and leaves what follows,
	// even whitespace, unread: a caller that checks InputOffset against
	// the length, as decodeElem did, refuses trailing whitespace.
	if !ok || d.pos != len(d.data) {
		return nil, false
	}
	return v, true
}

func (d *jsonDecoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value decodes the value that starts at pos.
func (d *jsonDecoder) value() (any, bool) {
	if d.pos >= len(d.data) {
		return nil, false
	}
	switch c := d.data[d.pos]; c {
	case '"':
		return d.strValue()
	case '{':
		return d.object()
	case '[':
		return d.array()
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return d.number()
		}
		return nil, false
	}
}

// literal consumes lit (true, false or null). What follows it is the
// caller's to judge, as the byte after a number is: "truex" then fails
// because x is neither a separator nor the end.
func (d *jsonDecoder) literal(lit string) bool {
	if len(d.data)-d.pos < len(lit) || string(d.data[d.pos:d.pos+len(lit)]) != lit {
		return false
	}
	d.pos += len(lit)
	return true
}

// number consumes a number, RFC 8259 §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// It stops at the first byte the grammar cannot take; if that byte cannot
// follow a value (a digit after a leading 0, a letter, a second '.'), the
// caller refuses it, as encoding/json's scanner does.
func (d *jsonDecoder) number() (any, bool) {
	data, start := d.data, d.pos
	i := start
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		i = digits(data, i+1)
	default:
		return nil, false
	}
	if i < len(data) && data[i] == '.' {
		if i+1 >= len(data) || !isDigit(data[i+1]) {
			return nil, false
		}
		i = digits(data, i+1)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			return nil, false
		}
		i = digits(data, i)
	}
	d.pos = i
	return json.Number(data[start:i]), true
}

// digits returns the index of the first byte at or after i that is not a digit.
func digits(data []byte, i int) int {
	for i < len(data) && isDigit(data[i]) {
		i++
	}
	return i
}

// enter opens a container, refusing one past encoding/json's nesting limit
// (jsonMaxDepth open objects and arrays; one more is a syntax error there).
func (d *jsonDecoder) enter() bool {
	d.depth++
	d.pos++
	return d.depth <= jsonMaxDepth
}

// array decodes the array whose '[' is at pos.
func (d *jsonDecoder) array() (any, bool) {
	if !d.enter() {
		return nil, false
	}
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		// Not nil: encoding/json gives []any{} for [].
		return []any{}, true
	}
	base := len(d.vals)
	for {
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		d.vals = append(d.vals, v)
		closed, ok := d.next(']')
		if !ok {
			return nil, false
		}
		if closed {
			break
		}
	}
	d.depth--
	elems := make([]any, len(d.vals)-base)
	copy(elems, d.vals[base:])
	clear(d.vals[base:]) // let the values go with the result, not with d
	d.vals = d.vals[:base]
	return elems, true
}

// object decodes the object whose '{' is at pos.
func (d *jsonDecoder) object() (any, bool) {
	if !d.enter() {
		return nil, false
	}
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return map[string]any{}, true
	}
	base, nameBase := len(d.vals), len(d.names)
	for {
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, false
		}
		name, ok := d.name()
		if !ok {
			return nil, false
		}
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, false
		}
		d.pos++
		d.skipSpace()
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		d.names, d.vals = append(d.names, name), append(d.vals, v)
		closed, ok := d.next('}')
		if !ok {
			return nil, false
		}
		if closed {
			break
		}
	}
	d.depth--
	names, vals := d.names[nameBase:], d.vals[base:]
	m := make(map[string]any, len(names))
	for i, name := range names {
		m[name] = vals[i] // in order, so the last of duplicate names wins
	}
	clear(vals)
	d.vals, d.names = d.vals[:base], d.names[:nameBase]
	return m, true
}

// next consumes what follows a member or an element: whitespace, then a ','
// and whitespace, or the closing byte (closed). Anything else is refused.
func (d *jsonDecoder) next(closing byte) (closed, ok bool) {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return false, false
	}
	switch d.data[d.pos] {
	case ',':
		d.pos++
		d.skipSpace()
		return false, true
	case closing:
		d.pos++
		return true, true
	}
	return false, false
}

// strPlain marks the bytes a string can hold as they are: not '"', not '\\'
// and not a control character (below 0x20, which encoding/json refuses
// unescaped). Bytes from 0x80 are plain here; UTF-8 is checked apart.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// strValue decodes the string whose opening '"' is at pos, as a value.
func (d *jsonDecoder) strValue() (any, bool) {
	b, ok := d.str()
	if !ok {
		return nil, false
	}
	if v, ok := d.lookup(b); ok {
		return v, true
	}
	s := string(b)
	var v any = s
	if d.keeps(s) {
		d.interned[s] = v
	}
	return v, true
}

// name decodes the string whose opening '"' is at pos, as a member name.
func (d *jsonDecoder) name() (string, bool) {
	b, ok := d.str()
	if !ok {
		return "", false
	}
	if v, ok := d.lookup(b); ok {
		return v.(string), true
	}
	s := string(b)
	if d.keeps(s) {
		d.interned[s] = s
	}
	return s, true
}

// Bounds of jsonDecoder.interned: strings longer than internMaxLen
// (descriptions, patterns) rarely recur, and once the table holds
// internMaxEntries strings (about 100 KB at most) it takes no more.
const (
	internMaxLen     = 64
	internMaxEntries = 1024
)

// lookup returns the interned string b, in an any, if there is one.
//
// Why intern: in a bundle the same short strings recur in every object:
// property names, types, "2.1", timestamps, the ids of the identity and of
// the TLP marking each object references. Each would otherwise cost two
// allocations (the string, and the box that puts it in an any, which a
// member name does not need) and as much again for the garbage collector.
// Sharing them between objects is safe: neither can be changed.
func (d *jsonDecoder) lookup(b []byte) (any, bool) {
	if len(b) > internMaxLen || d.internOff {
		return nil, false
	}
	v, ok := d.interned[string(b)]
	if ok {
		d.hits++
	} else {
		d.misses++
	}
	return v, ok
}

// keeps reports whether s is to be interned: short, and the table not full.
// When the table is full and has failed more look-ups than it answered, the
// strings that recur, if any, were too few to pay for the look-ups, which
// then stop: at worst (no string ever recurs) interning costs the look-ups
// of the first internMaxEntries strings.
func (d *jsonDecoder) keeps(s string) bool {
	if len(s) > internMaxLen || d.internOff {
		return false
	}
	if len(d.interned) >= internMaxEntries {
		d.internOff = d.misses > d.hits
		return false
	}
	if d.interned == nil {
		d.interned = make(map[string]any, 64)
	}
	return true
}

const (
	lowBits  = 0x0101010101010101 // the lowest bit of each byte of a word
	highBits = 0x8080808080808080 // the highest
)

// plainRun returns the index of the first byte at or after i that is not
// plain (strPlain), and every byte before it ORed together, so that the
// caller can tell from the high bits whether they were all ASCII. It tests
// eight bytes at a time while it can: strings are most of a STIX object.
func plainRun(data []byte, i int) (int, uint64) {
	var or uint64
	for ; i+8 <= len(data); i += 8 {
		w := binary.LittleEndian.Uint64(data[i:])
		// A byte of w is '"', '\\' or below 0x20 when a byte of quote,
		// backslash or w itself is below 1, 1 or 0x20 with its high bit
		// clear (the classic "has less than" test; a borrow can mark a
		// byte after a real match, never when there is none).
		quote, backslash := w^(lowBits*'"'), w^(lowBits*'\\')
		if ((quote-lowBits)&^quote|(backslash-lowBits)&^backslash|(w-lowBits*0x20)&^w)&highBits != 0 {
			break
		}
		or |= w
	}
	for i < len(data) && strPlain[data[i]] {
		or |= uint64(data[i])
		i++
	}
	return i, or
}

// str decodes the string whose opening '"' is at pos. What it returns is
// valid until the next call: a part of data when the string is plain text
// in valid UTF-8, as most are, else the string unescaped in scratch.
func (d *jsonDecoder) str() ([]byte, bool) {
	data := d.data
	start := d.pos + 1
	i, or := plainRun(data, start)
	if i < len(data) && data[i] == '"' && (or&highBits == 0 || utf8.Valid(data[start:i])) {
		d.pos = i + 1
		return data[start:i], true
	}
	return d.strSlow(start, i)
}

// strSlow decodes the rest of a string that has escapes or invalid UTF-8:
// data[start:i] holds only plain bytes, and i is the first byte after them.
func (d *jsonDecoder) strSlow(start, i int) ([]byte, bool) {
	data := d.data
	d.scratch = appendUTF8(d.scratch[:0], data[start:i])
	for i < len(data) {
		switch c := data[i]; {
		case c == '"':
			d.pos = i + 1
			return d.scratch, true
		case c == '\\':
			var ok bool
			if i, ok = d.escape(i); !ok {
				return nil, false
			}
		case c < 0x20:
			return nil, false
		default:
			j := i + 1
			for j < len(data) && strPlain[data[j]] {
				j++
			}
			d.scratch = appendUTF8(d.scratch, data[i:j])
			i = j
		}
	}
	return nil, false // no closing quote
}

// escape appends what the escape at data[i] stands for to scratch and
// returns the index after it.
func (d *jsonDecoder) escape(i int) (int, bool) {
	data := d.data
	if i+1 >= len(data) {
		return 0, false
	}
	var c byte
	switch data[i+1] {
	case '"', '\\', '/':
		c = data[i+1]
	case 'b':
		c = '\b'
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case 'u':
		return d.escapeU(i)
	default:
		// Including \' and \x, both syntax errors to encoding/json's scanner
		// (unquoteBytes would take \' but never sees it).
		return 0, false
	}
	d.scratch = append(d.scratch, c)
	return i + 2, true
}

// escapeU appends the character of the \u escape at data[i], with the
// escape after it when the two are a UTF-16 surrogate pair, and returns the
// index after what it read. As unquoteBytes does, a surrogate that does not
// start a pair with the very next escape becomes U+FFFD and that next escape
// is left to be read on its own (so \ud800\ud83d\ude00 is U+FFFD then 😀).
func (d *jsonDecoder) escapeU(i int) (int, bool) {
	r := hex4(d.data, i)
	if r < 0 {
		return 0, false
	}
	i += 6
	if utf16.IsSurrogate(r) {
		if pair := utf16.DecodeRune(r, hex4(d.data, i)); pair != utf8.RuneError {
			r = pair
			i += 6
		} else {
			r = utf8.RuneError
		}
	}
	d.scratch = utf8.AppendRune(d.scratch, r)
	return i, true
}

// hex4 returns the code unit of the escape \uXXXX at data[i], or -1 when
// there is none there (getu4 in encoding/json). A closing quote within the
// six bytes is neither '\\', 'u' nor a hex digit, so it never reads past the
// string.
func hex4(data []byte, i int) rune {
	if len(data)-i < 6 || data[i] != '\\' || data[i+1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range data[i+2 : i+6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// appendUTF8 appends s, in which every byte is plain, with each byte that
// does not start a valid UTF-8 sequence replaced by U+FFFD: one U+FFFD per
// such byte, as encoding/json's utf8.DecodeRune loop gives (a truncated
// three-byte sequence is two of them, not one).
func appendUTF8(dst, s []byte) []byte {
	if utf8.Valid(s) {
		return append(dst, s...)
	}
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			dst = append(dst, s[i])
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}
