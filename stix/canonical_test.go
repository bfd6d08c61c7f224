package stix

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// encodingJSON is how Canonical encoded before it wrote values itself, and
// how every stored digest was computed.
func encodingJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// checkCanonical fails when Canonical and encoding/json disagree on v, in
// bytes or in refusing it.
func checkCanonical(t *testing.T, v any) {
	t.Helper()
	want, werr := encodingJSON(v)
	got, gerr := Canonical(v)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("Canonical(%#v) error %v, encoding/json %v", v, gerr, werr)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Fatalf("Canonical(%#v) (-encoding/json +Canonical):\n%s", v, diff)
	}
}

func TestCanonicalIsEncodingJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"escapes", map[string]any{"a": "x\b\f\n\r\t\x00\x01\x1f\x7f\"\\/<>&\u2028\u2029 é 日本 \xff\xfe \xed\xa0\x80 🙂"}},
		{"keys sorted byte-wise and escaped", map[string]any{"b": 1.5, "B": true, "a\n": nil, "é": false, "": "empty", "Z": json.Number("-0.5e+10")}},
		{"numbers", []any{json.Number("0"), json.Number("-0"), json.Number("12"), json.Number("1.25"), json.Number("1E5"), json.Number("1e-7"), 3.0, 1e21, 0.000001, int64(7), uint8(3)}},
		{"json.Number empty", json.Number("")},
		{"json.Number invalid", []any{json.Number("01")}},
		{"json.Number with space", json.Number(" 1")},
		{"json.Number string", json.Number(`"1"`)},
		{"json.Number leading dot", json.Number(".5")},
		{"json.Number trailing e", json.Number("1e")},
		{"nil collections", map[string]any{"m": map[string]any(nil), "l": []any(nil), "s": []string(nil)}},
		{"empty collections", map[string]any{"m": map[string]any{}, "l": []any{}}},
		{"other types through encoding/json", map[string]any{"s": []string{"<&>", "\u2028"}, "m": map[string]string{"k": "<v>"}, "r": json.RawMessage(`{ "x" : 1 }`)}},
		{"nested", map[string]any{"extensions": map[string]any{"x": map[string]any{"list": []any{map[string]any{"z": "1", "a": []any{"b", json.Number("2")}}}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkCanonical(t, tc.v) })
	}
}

// TestCanonicalRandom compares Canonical with encoding/json on random
// decoded values.
func TestCanonicalRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 15))
	alphabet := []string{"a", "Z", "0", " ", "\"", "\\", "\n", "\x00", "\x1f", "\x7f", "<", "&", "é", "日", "\u2028", "\u2029", "\xff", "\xc3", "🙂", "_ref", "--"}
	str := func() string {
		var b []byte
		for range r.IntN(12) {
			b = append(b, alphabet[r.IntN(len(alphabet))]...)
		}
		return string(b)
	}
	numbers := []string{"0", "-1", "3.14", "1e10", "-2.5E-3", "123456789012345678901234567890", "01", "", "1.", "+1", "0x10"}
	var value func(depth int) any
	value = func(depth int) any {
		switch k := r.IntN(8); {
		case k == 0 && depth < 4:
			m := map[string]any{}
			for range r.IntN(6) {
				m[str()] = value(depth + 1)
			}
			return m
		case k == 1 && depth < 4:
			l := []any{}
			for range r.IntN(6) {
				l = append(l, value(depth+1))
			}
			return l
		case k == 2:
			return json.Number(numbers[r.IntN(len(numbers))])
		case k == 3:
			return r.IntN(2) == 0
		case k == 4:
			return nil
		case k == 5:
			return r.Float64() * float64(r.IntN(1e9))
		default:
			return str()
		}
	}
	for range 20000 {
		checkCanonical(t, map[string]any{"v": value(0)})
	}
}

// FuzzCanonical compares Canonical with encoding/json on any JSON decoded
// as intake decodes it (json.Number for numbers).
func FuzzCanonical(f *testing.F) {
	f.Add([]byte(`{"type":"indicator","name":"<a & b>\u2028","n":[1,2.5e3,-0],"x":{"b":null,"a":true}}`))
	f.Add([]byte(`"\ud800 \u0000 \u007f"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		checkCanonical(t, v)
	})
}
