package stix

import (
	"fmt"
	"strings"
)

// Violation is one way an input breaks the profile: where (a JSON pointer,
// RFC 6901, into the submitted document) and what, in a sentence.
type Violation struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// ValidationError lists every violation found in one input. Limit is true when
// the input was refused for its size (the HTTP layer answers 413).
type ValidationError struct {
	Violations []Violation
	Limit      bool
}

// Unwrap returns ErrLimit for a size refusal, so that errors.Is(err,
// ErrLimit) holds as DecodeBundle documents, and nil otherwise.
func (e *ValidationError) Unwrap() error {
	if e.Limit {
		return ErrLimit
	}
	return nil
}

func (e *ValidationError) Error() string {
	if len(e.Violations) == 1 {
		return "invalid STIX: " + e.Violations[0].Path + ": " + e.Violations[0].Message
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid STIX: %d violations", len(e.Violations))
	for i, v := range e.Violations {
		if i == 5 {
			fmt.Fprintf(&b, "; …")
			break
		}
		fmt.Fprintf(&b, "; %s: %s", v.Path, v.Message)
	}
	return b.String()
}

func invalid(path, msg string) *ValidationError {
	return &ValidationError{Violations: []Violation{{Path: path, Message: msg}}}
}

// span is the byte range [start, end) of one value in a document.
type span struct{ start, end int }

// scanned is what scanLimits learns about a document on its one pass.
type scanned struct {
	topKeys []string // the keys of the top-level object, as written (escapes not decoded), in order
	// elems are the spans of the elements of the "objects" array of the first
	// top-level object, in order, when each element the pass saw open there
	// was an object ({...}); nil when there is no such array, when the pass
	// met brackets there that it could not pair, or when it holds more than
	// MaxObjects objects. The pass does not look at scalars, so a null or a
	// number between two objects goes unnoticed here. The spans are only a
	// proposal: decodeBundleSplit proves them before it trusts them.
	elems []span
}

// scanLimits makes one pass over raw JSON to refuse, before any allocation-heavy
// decoding, nesting deeper than MaxDepth and strings longer than MaxStringBytes
// (artifact payload_bin may be as long as MaxPayloadBytes in base64). It
// returns the keys of the top-level object and, on the same pass, the spans of
// the elements of its "objects" array, which DecodeBundle decodes on every
// core. Syntax errors are left to the decoder.
func scanLimits(data []byte, lim Limits) (scanned, error) {
	var topKeys []string
	var el elemScan
	depth := 0
	payloadMax := (lim.MaxPayloadBytes + 2) / 3 * 4
	lastKey := ""
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{', '[':
			depth++
			if depth > lim.MaxDepth {
				return scanned{}, invalid("", fmt.Sprintf("JSON nesting is deeper than %d levels at byte %d; flatten the document", lim.MaxDepth, i))
			}
			el.open(data[i], i, depth, lim.MaxObjects)
		case '}', ']':
			depth--
			el.close(data[i], i, depth)
		case '"':
			start := i + 1
			j := start
			for j < len(data) && data[j] != '"' {
				if data[j] == '\\' {
					j++
				}
				j++
			}
			n := j - start
			k := j + 1
			for k < len(data) && (data[k] == ' ' || data[k] == '\n' || data[k] == '\r' || data[k] == '\t') {
				k++
			}
			isKey := k < len(data) && data[k] == ':'
			if n > lim.MaxStringBytes && !(lastKey == "payload_bin" && !isKey && n <= payloadMax) {
				what := fmt.Sprintf("a string of %d bytes at byte %d is longer than the limit of %d bytes", n, start, lim.MaxStringBytes)
				if lastKey == "payload_bin" {
					what = fmt.Sprintf("artifact payload_bin at byte %d decodes to more than %d bytes", start, lim.MaxPayloadBytes)
				}
				return scanned{}, &ValidationError{Violations: []Violation{{Path: "", Message: what}}, Limit: true}
			}
			if isKey && depth == 1 && j <= len(data) {
				topKeys = append(topKeys, string(data[start:j]))
				el.key(data[start:j], data, k+1)
			}
			if isKey {
				if n < 32 && j <= len(data) {
					lastKey = string(data[start:min(j, len(data))])
				} else {
					lastKey = ""
				}
			}
			i = j
		}
	}
	return scanned{topKeys: topKeys, elems: el.result()}, nil
}

// elemScan follows scanLimits' pass to note where each element of the
// top-level "objects" array starts and ends. It knows only what the pass
// knows (depth, and which bytes are inside strings), so on malformed input its
// spans can be wrong; they are checked before use (decodeBundleSplit).
type elemScan struct {
	state   elemState
	arrayAt int // the byte of the "[" that opens the objects array, once its key is seen
	cur     span
	elems   []span
	topShut bool // the first top-level value has closed: later keys are trailing garbage
	abandon bool
}

// elemState is where the pass is relative to the top-level "objects" array.
type elemState int

const (
	elemsNotYet elemState = iota // before the objects array
	elemsKey                     // its key seen; its "[" is at arrayAt
	elemsIn                      // inside it, between elements
	elemsElem                    // inside one element that is an object
	elemsDone                    // after it: nothing more is recorded
)

// key notes a key of the top-level object; rest is where its value may start.
func (e *elemScan) key(name, data []byte, rest int) {
	if e.state != elemsNotYet || e.topShut || string(name) != "objects" {
		return
	}
	for rest < len(data) && (data[rest] == ' ' || data[rest] == '\n' || data[rest] == '\r' || data[rest] == '\t') {
		rest++
	}
	if rest < len(data) && data[rest] == '[' {
		e.state, e.arrayAt = elemsKey, rest
	}
}

// open notes an opening '{' or '[' at byte i, inside which the pass is at
// nesting depth depth.
func (e *elemScan) open(c byte, i, depth, maxObjects int) {
	switch {
	case e.state == elemsKey && i == e.arrayAt && depth == 2:
		e.state = elemsIn
	case e.state == elemsIn && depth == 3:
		if c != '{' {
			// An array as an element: bundleShape refuses it, so the
			// parallel path would only fall back later.
			e.abandon, e.state = true, elemsDone
			return
		}
		if len(e.elems) == maxObjects {
			// More objects than any fast path accepts: stop growing the list.
			e.abandon, e.state = true, elemsDone
			return
		}
		e.state, e.cur = elemsElem, span{start: i}
	}
}

// close notes a closing '}' or ']' at byte i, after which the pass is back at
// nesting depth depth.
func (e *elemScan) close(c byte, i, depth int) {
	if depth <= 0 {
		e.topShut = true
	}
	switch {
	case e.state == elemsElem && depth == 2:
		if c != '}' {
			e.abandon, e.state = true, elemsDone
			return
		}
		e.cur.end = i + 1
		e.elems = append(e.elems, e.cur)
		e.state = elemsIn
	case e.state == elemsIn && depth == 1:
		e.abandon = c != ']'
		e.state = elemsDone
	}
}

// result returns the spans, or nil when they cannot be used (see scanned.elems).
func (e *elemScan) result() []span {
	if e.abandon || e.state != elemsDone {
		return nil
	}
	return e.elems
}
