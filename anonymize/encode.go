package anonymize

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// newObject wraps cleaned properties into a stix.Object, encoding them with
// appendJSON instead of encoding/json's reflection (a third of the time of a
// transform went there). Keys are sorted, as encoding/json sorts them.
func newObject(props map[string]any) (*stix.Object, error) {
	raw, err := appendJSON(make([]byte, 0, 512), props)
	if err != nil {
		return nil, err
	}
	o := &stix.Object{Props: props, Raw: raw}
	o.Type, _ = props["type"].(string)
	o.ID, _ = props["id"].(string)
	o.SpecVersion, _ = props["spec_version"].(string)
	o.CreatedByRef, _ = props["created_by_ref"].(string)
	if s, ok := props["created"].(string); ok {
		o.Created, _ = stix.ParseTimestamp(s)
	}
	if s, ok := props["modified"].(string); ok {
		o.Modified, _ = stix.ParseTimestamp(s)
	} else {
		o.Modified = o.Created
	}
	o.ObjectMarkingRefs = stringList(props["object_marking_refs"])
	if len(o.ObjectMarkingRefs) == 0 {
		o.ObjectMarkingRefs = nil
	}
	return o, nil
}

func appendJSON(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case json.Number:
		if !json.Valid([]byte(x)) {
			return nil, &json.UnsupportedValueError{Str: string(x)}
		}
		return append(b, x...), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendJSON(b, x[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	default:
		raw, err := json.Marshal(x)
		if err != nil {
			return nil, err
		}
		return append(b, raw...), nil
	}
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string; invalid UTF-8 becomes U+FFFD, as
// encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// serialize writes the bundle as Bundle.MarshalJSON would, without
// re-compacting each object's JSON.
func serialize(bd *stix.Bundle) []byte {
	n := 64
	for _, o := range bd.Objects {
		n += len(o.Raw) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"type":"bundle","id":`...)
	b = appendString(b, bd.ID)
	b = append(b, `,"objects":[`...)
	for i, o := range bd.Objects {
		if i > 0 {
			b = append(b, ',')
		}
		if o == nil || len(o.Raw) == 0 {
			b = append(b, "null"...)
			continue
		}
		b = append(b, o.Raw...)
	}
	return append(b, "]}"...)
}
