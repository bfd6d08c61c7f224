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

// scanLimits makes one pass over raw JSON to refuse, before any allocation-heavy
// decoding, nesting deeper than MaxDepth and strings longer than MaxStringBytes
// (artifact payload_bin may be as long as MaxPayloadBytes in base64). It
// returns the keys of the top-level object. Syntax errors are left to the decoder.
func scanLimits(data []byte, lim Limits) ([]string, error) {
	var topKeys []string
	depth := 0
	payloadMax := (lim.MaxPayloadBytes + 2) / 3 * 4
	lastKey := ""
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{', '[':
			depth++
			if depth > lim.MaxDepth {
				return nil, invalid("", fmt.Sprintf("JSON nesting is deeper than %d levels at byte %d; flatten the document", lim.MaxDepth, i))
			}
		case '}', ']':
			depth--
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
				return nil, &ValidationError{Violations: []Violation{{Path: "", Message: what}}, Limit: true}
			}
			if isKey && depth == 1 && j <= len(data) {
				topKeys = append(topKeys, string(data[start:j]))
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
	return topKeys, nil
}
