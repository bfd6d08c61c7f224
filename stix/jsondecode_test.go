package stix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// decodeJSONValueStd is the oracle for decodeJSONValue: encoding/json's
// Decoder with UseNumber into an any, accepting only when the value ends at
// the end of raw (InputOffset).
func decodeJSONValueStd(raw []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.InputOffset() != int64(len(raw)) {
		return nil, false
	}
	return v, true
}

// decodeElemStd is decodeElem as it was before jsonDecoder, with
// encoding/json: the oracle for decodeElem.
func decodeElemStd(raw []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var props map[string]any
	if err := dec.Decode(&props); err != nil || props == nil || dec.InputOffset() != int64(len(raw)) {
		return nil, false
	}
	return props, true
}

// jsonCase is an input for decodeJSONValue, and whether encoding/json accepts
// it: the oracle decides the result, ok pins down what this table means to
// cover (an input meant to be refused that the oracle accepts tests nothing).
type jsonCase struct {
	name string
	data string
	ok   bool
}

func jsonCases() []jsonCase {
	nest := func(open, close string, n int) string {
		return strings.Repeat(open, n) + strings.Repeat(close, n)
	}
	return []jsonCase{
		// Literals and structure.
		{name: "true", data: `true`, ok: true},
		{name: "false", data: `false`, ok: true},
		{name: "null", data: `null`, ok: true},
		{name: "truncated true", data: `tru`},
		{name: "truncated null", data: `nul`},
		{name: "truncated false in an array", data: `[fals]`},
		{name: "literal with a letter after", data: `truex`},
		{name: "literal with a letter after in an array", data: `[nullx]`},
		{name: "capitalized literal", data: `True`},
		{name: "empty object", data: `{}`, ok: true},
		{name: "empty array", data: `[]`, ok: true},
		{name: "nested empty containers", data: `{"a":{},"b":[],"c":[{},[],[[]],{"d":{}}]}`, ok: true},
		{name: "object", data: `{"type":"indicator","n":1,"b":true,"z":null,"l":["a",2,false]}`, ok: true},
		{name: "duplicate keys", data: `{"a":1,"b":2,"a":3}`, ok: true},
		{name: "duplicate keys of different kinds", data: `{"a":{"x":1},"a":[1],"a":{"y":2}}`, ok: true},
		{name: "duplicate keys nested", data: `[{"a":1,"a":{"b":1,"b":2}}]`, ok: true},
		{name: "duplicate keys by escape", data: `{"a":1,"\u0061":2}`, ok: true},
		{name: "empty key", data: `{"":1}`, ok: true},
		{name: "empty input", data: ``},
		{name: "only whitespace", data: " \n\t\r"},
		{name: "trailing comma in an object", data: `{"a":1,}`},
		{name: "trailing comma in an array", data: `[1,]`},
		{name: "leading comma", data: `[,1]`},
		{name: "two commas", data: `[1,,2]`},
		{name: "missing comma", data: `[1 2]`},
		{name: "missing colon", data: `{"a" 1}`},
		{name: "two colons", data: `{"a"::1}`},
		{name: "missing value", data: `{"a":}`},
		{name: "number key", data: `{1:1}`},
		{name: "unquoted key", data: `{a:1}`},
		{name: "single-quoted string", data: `'a'`},
		{name: "mismatched brackets", data: `[1}`},
		{name: "mismatched braces", data: `{"a":1]`},
		{name: "unclosed object", data: `{"a":1`},
		{name: "unclosed array", data: `[1,2`},
		{name: "unclosed nested", data: `{"a":[1}`},
		{name: "extra close", data: `{}}`},
		{name: "trailing garbage", data: `{"a":1}x`},
		{name: "two values", data: `{}{}`},
		{name: "two numbers", data: `1 2`},
		{name: "comment", data: `{"a":1/*x*/}`},

		// Whitespace: space, tab, LF and CR only.
		{name: "whitespace inside", data: " {\t\"a\" \r:\n[ 1 ,\t2 ] , \"b\" : { } }", ok: true},
		{name: "leading whitespace", data: " \t\r\n{}", ok: true},
		{name: "trailing space", data: `{} `},
		{name: "trailing newline", data: "{}\n"},
		{name: "trailing space after a number", data: `1 `},
		{name: "form feed", data: "{\f}"},
		{name: "vertical tab", data: "[\v1]"},
		{name: "leading form feed", data: "\f{}"},
		{name: "NUL between tokens", data: "[1,\x002]"},
		{name: "no-break space", data: "[1,\u00a02]"},
		{name: "BOM", data: "\ufeff{}"},

		// Numbers: json.Number keeps the text.
		{name: "zero", data: `0`, ok: true},
		{name: "negative zero", data: `-0`, ok: true},
		{name: "zero with fraction and exponent", data: `0.0e+0`, ok: true},
		{name: "capital exponent", data: `1E5`, ok: true},
		{name: "negative exponent", data: `[1e-7,2E+07,3e007]`, ok: true},
		{name: "fraction", data: `[-12.50,0.001]`, ok: true},
		{name: "huge integer", data: `123456789012345678901234567890`, ok: true},
		{name: "huge exponent", data: `1e999999999999`, ok: true},
		{name: "leading zero", data: `01`},
		{name: "leading zero in an array", data: `[01]`},
		{name: "negative leading zero", data: `-01`},
		{name: "leading zeros", data: `[00]`},
		{name: "minus alone", data: `-`},
		{name: "minus in an array", data: `[-]`},
		{name: "minus minus", data: `--1`},
		{name: "plus", data: `+1`},
		{name: "leading dot", data: `.5`},
		{name: "trailing dot", data: `1.`},
		{name: "trailing dot in an array", data: `[1.]`},
		{name: "dot exponent", data: `1.e5`},
		{name: "exponent without digits", data: `1e`},
		{name: "exponent sign without digits", data: `[1e+]`},
		{name: "exponent minus without digits", data: `1E-`},
		{name: "double exponent", data: `1e5e5`},
		{name: "two dots", data: `1.2.3`},
		{name: "hex", data: `0x1F`},
		{name: "Infinity", data: `Infinity`},
		{name: "NaN", data: `[NaN]`},
		{name: "negative Infinity", data: `-Infinity`},
		{name: "number then letter in an object", data: `{"a":1x}`},
		{name: "number then string", data: `[1"a"]`},

		// Strings and escapes.
		{name: "string", data: `"a"`, ok: true},
		{name: "empty string", data: `""`, ok: true},
		{name: "all short escapes", data: `"\"\\\/\b\f\n\r\t"`, ok: true},
		{name: "unicode escapes", data: `"\u0000\u001f\u0041\u00e9\u65e5\uFFFF\uabcd"`, ok: true},
		{name: "escapes between text", data: `"a\nb\u00e9c\\d"`, ok: true},
		{name: "escaped key", data: `{"\u0074ype\n":"x"}`, ok: true},
		{name: "surrogate pair", data: `"\ud83d\ude00"`, ok: true},
		{name: "surrogate pair in capitals", data: `"\uD83D\uDE00x"`, ok: true},
		{name: "lone high surrogate", data: `"\ud800"`, ok: true},
		{name: "lone high surrogate then text", data: `"\ud800abc"`, ok: true},
		{name: "lone high surrogate then text of six bytes", data: `"\ud800abcdef"`, ok: true},
		{name: "lone high surrogate at the end of a key", data: `{"a\udbff":1}`, ok: true},
		{name: "lone low surrogate", data: `"\udc00"`, ok: true},
		{name: "low then high", data: `"\udc00\ud800"`, ok: true},
		{name: "high then high then low", data: `"\ud800\ud83d\ude00"`, ok: true},
		{name: "high then non-surrogate escape", data: `"\ud800\u0041"`, ok: true},
		{name: "high then short escape", data: `"\ud800\n"`, ok: true},
		{name: "high then escaped backslash", data: `"\ud800\\u0041"`, ok: true},
		{name: "high then high", data: `"\ud800\ud800"`, ok: true},
		{name: "high then invalid escape", data: `"\ud800\uzzzz"`},
		{name: "high then truncated escape", data: `"\ud800\udc0"`},
		{name: "high then escape of the quote", data: `"\ud800\u"`},
		{name: "surrogate pair split by text", data: `"\ud83dx\ude00"`, ok: true},
		{name: "unicode escape of a quote and backslash", data: `"\u0022\u005c"`, ok: true},
		{name: "short unicode escape", data: `"\u12"`},
		{name: "unicode escape with a non-hex digit", data: `"\u12g4"`},
		{name: "unicode escape in capitals U", data: `"\U0041"`},
		{name: "single-quote escape", data: `"\'"`},
		{name: "hex escape", data: `"\x41"`},
		{name: "zero escape", data: `"\0"`},
		{name: "escaped newline", data: "\"\\\n\""},
		{name: "backslash at the end", data: `"\`},
		{name: "backslash before the end", data: `"abc\"`},
		{name: "unterminated string", data: `"abc`},
		{name: "unterminated key", data: `{"abc`},
		{name: "control character", data: "\"a\x01b\""},
		{name: "NUL in a string", data: "\"\x00\""},
		{name: "tab in a string", data: "\"a\tb\""},
		{name: "newline in a string", data: "\"a\nb\""},
		{name: "unit separator in a string", data: "\"\x1f\""},
		{name: "control character after an escape", data: "\"\\n\x01\""},
		{name: "control character in a key", data: "{\"a\x02\":1}"},
		{name: "DEL in a string", data: "\"\x7f\"", ok: true},
		{name: "UTF-8", data: `"日本語 é 😀"`, ok: true},
		{name: "UTF-8 with escapes", data: `"日本\n語\u00e9"`, ok: true},
		{name: "U+FFFD as UTF-8", data: "\"\xef\xbf\xbd\"", ok: true},
		{name: "U+FFFD as UTF-8 beside invalid", data: "\"\xef\xbf\xbd\xff\"", ok: true},
		{name: "non-characters", data: "\"\xef\xbf\xbe\xf4\x8f\xbf\xbf\"", ok: true},

		// Invalid UTF-8: one U+FFFD per byte that starts no valid sequence.
		{name: "byte FF", data: "\"\xff\"", ok: true},
		{name: "bytes F5 to FF", data: "\"\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff\"", ok: true},
		{name: "bytes C0 and C1", data: "\"\xc0\xaf\xc1\xbf\"", ok: true},
		{name: "lone continuation byte", data: "\"a\x80b\"", ok: true},
		{name: "truncated two-byte", data: "\"\xc3\"", ok: true},
		{name: "truncated three-byte", data: "\"\xe6\x97\"", ok: true},
		{name: "truncated three-byte then ASCII", data: "\"\xe6\x97x\"", ok: true},
		{name: "truncated four-byte", data: "\"\xf0\x9f\x98\"", ok: true},
		{name: "truncated four-byte then escape", data: "\"\xf0\x9f\\n\"", ok: true},
		{name: "overlong slash", data: "\"\xc0\xaf\"", ok: true},
		{name: "overlong three-byte", data: "\"\xe0\x80\xaf\"", ok: true},
		{name: "overlong four-byte", data: "\"\xf0\x80\x80\xaf\"", ok: true},
		{name: "encoded high surrogate", data: "\"\xed\xa0\x80\"", ok: true},
		{name: "encoded surrogate pair", data: "\"\xed\xa0\xbd\xed\xb8\x80\"", ok: true},
		{name: "above U+10FFFF", data: "\"\xf4\x90\x80\x80\"", ok: true},
		{name: "invalid UTF-8 in a key", data: "{\"\xff\":1,\"a\xc3\":2}", ok: true},
		{name: "invalid UTF-8 after an escape", data: "\"\\t\xe6\x97\"", ok: true},
		{name: "invalid UTF-8 then a quote of a multibyte prefix", data: "[\"\xe6\",\"\x97\"]", ok: true},
		{name: "many invalid bytes", data: "\"" + strings.Repeat("\xff", 100) + "\"", ok: true},
		{name: "invalid UTF-8 outside a string", data: "[1,\xff]"},

		// Nesting: encoding/json allows 10,000 open containers.
		{name: "arrays at the nesting limit", data: nest("[", "]", jsonMaxDepth), ok: true},
		{name: "arrays past the nesting limit", data: nest("[", "]", jsonMaxDepth+1)},
		{name: "objects at the nesting limit", data: nestObjects(jsonMaxDepth), ok: true},
		{name: "objects past the nesting limit", data: nestObjects(jsonMaxDepth + 1)},
		{name: "mixed at the nesting limit", data: `{"a":` + nest("[", "]", jsonMaxDepth-1) + `}`, ok: true},
		{name: "mixed past the nesting limit", data: `{"a":` + nest("[", "]", jsonMaxDepth) + `}`},
		{name: "past the nesting limit unclosed", data: strings.Repeat("[", jsonMaxDepth+1)},
	}
}

// nestObjects returns n objects, each the value of the one around it.
func nestObjects(n int) string {
	return strings.Repeat(`{"a":`, n-1) + "{}" + strings.Repeat("}", n-1)
}

func TestDecodeJSONValue(t *testing.T) {
	var dec jsonDecoder // shared by every case, to show that a refusal leaves nothing behind
	for _, tc := range jsonCases() {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.data)
			if _, ok := decodeJSONValueStd(data); ok != tc.ok {
				t.Fatalf("encoding/json accepts %q: %v, the table says %v", clip(tc.data), ok, tc.ok)
			}
			sameJSONValue(t, &dec, data)
			// The same value as a member of an object, one level deeper,
			// and the element itself, through decodeElem.
			sameElem(t, &dec, []byte(`{"k":`+tc.data+`}`))
			sameElem(t, &dec, data)
		})
	}
}

// TestDecodeElem pins down what decodeElem takes as an element: one object,
// whitespace before it but not after it, as encoding/json's InputOffset said.
func TestDecodeElem(t *testing.T) {
	tests := []struct {
		name string
		data string
		ok   bool
	}{
		{name: "object", data: `{"type":"indicator"}`, ok: true},
		{name: "empty object", data: `{}`, ok: true},
		{name: "whitespace before", data: " \t\r\n{}", ok: true},
		{name: "space after", data: `{} `},
		{name: "newline after", data: "{}\n"},
		{name: "null", data: `null`},
		{name: "array", data: `[{}]`},
		{name: "string", data: `"{}"`},
		{name: "number", data: `1`},
		{name: "two objects", data: `{}{}`},
		{name: "object and a comma", data: `{},`},
		{name: "empty", data: ``},
	}
	var dec jsonDecoder
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := decodeElemStd([]byte(tc.data)); ok != tc.ok {
				t.Fatalf("encoding/json accepts %q: %v, the table says %v", tc.data, ok, tc.ok)
			}
			sameElem(t, &dec, []byte(tc.data))
		})
	}
}

// sameJSONValue fails t unless dec decodes data as encoding/json does.
func sameJSONValue(t *testing.T, dec *jsonDecoder, data []byte) {
	t.Helper()
	want, wantOK := decodeJSONValueStd(data)
	got, gotOK := dec.decode(data)
	if gotOK != wantOK {
		t.Fatalf("decode(%q) accepted = %v, encoding/json %v", clip(string(data)), gotOK, wantOK)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decode(%q) = %s, encoding/json %s", clip(string(data)), clip(fmt.Sprintf("%#v", got)), clip(fmt.Sprintf("%#v", want)))
	}
}

// sameElem fails t unless decodeElem with dec does what it did with encoding/json.
func sameElem(t *testing.T, dec *jsonDecoder, data []byte) {
	t.Helper()
	want, wantOK := decodeElemStd(data)
	got, gotOK := decodeElem(dec, data)
	if gotOK != wantOK {
		t.Fatalf("decodeElem(%q) accepted = %v, encoding/json %v", clip(string(data)), gotOK, wantOK)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeElem(%q) = %s, encoding/json %s", clip(string(data)), clip(fmt.Sprintf("%#v", got)), clip(fmt.Sprintf("%#v", want)))
	}
}

// clip shortens s for a failure message: the nesting cases are 20 KB long.
func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// TestDecodeJSONValueBundles decodes whole documents and their objects: the
// fixtures, the benchmark's feed and, when present, the OASIS examples.
func TestDecodeJSONValueBundles(t *testing.T) {
	var dec jsonDecoder
	for name, data := range jsonDocuments(t) {
		t.Run(name, func(t *testing.T) {
			sameJSONValue(t, &dec, data)
			scan, err := scanLimits(data, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range scan.elems {
				sameElem(t, &dec, data[e.start:e.end])
			}
		})
	}
}

// jsonDocuments returns the JSON documents the decoder tests and the fuzz
// target start from, by name: the benchmark's feed, the fixtures, and the
// OASIS examples when their checkout is where schemaDir looks.
func jsonDocuments(t testing.TB) map[string][]byte {
	docs := map[string][]byte{"feed": indicatorFeed(20)}
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	dir := os.Getenv("KAKEHASHI_STIX_SCHEMAS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "stix2-json-schemas")
	}
	examples, _ := filepath.Glob(filepath.Join(dir, "examples", "*.json"))
	threatReports, _ := filepath.Glob(filepath.Join(dir, "examples", "threat-reports", "*.json"))
	for _, p := range append(append(paths, examples...), threatReports...) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs[filepath.Base(p)] = data
	}
	return docs
}

func FuzzDecodeJSONValue(f *testing.F) {
	for _, tc := range jsonCases() {
		f.Add([]byte(tc.data))
	}
	for _, tc := range splitCases() {
		f.Add([]byte(tc.data))
	}
	for _, data := range jsonDocuments(f) {
		f.Add(data)
	}
	// One decoder lasts the whole run, as a worker's lasts a bundle: what
	// a refusal leaves in it, or what it interned, must not show in what it
	// decodes next. Its table of strings fills early, so each input also
	// goes through a new decoder, which interns its recurring strings.
	var shared jsonDecoder
	f.Fuzz(func(t *testing.T, data []byte) {
		var dec jsonDecoder
		sameJSONValue(t, &dec, data)
		sameElem(t, &shared, data)
	})
}

// TestPlainRun checks the eight-bytes-at-a-time test against the table, with
// one byte of each kind at every place in and around a word.
func TestPlainRun(t *testing.T) {
	for _, c := range []byte{'"', '\\', 0x00, 0x01, 0x1f, ' ', '!', '#', '[', ']', 0x7f, 0x80, 0xa2, 0xdc, 0xe0, 0xff} {
		for at := 0; at < 24; at++ {
			data := bytes.Repeat([]byte{'a'}, 24)
			data[at] = c
			for start := 0; start < 9; start++ {
				want, wantOr := start, uint64(0)
				for want < len(data) && strPlain[data[want]] {
					wantOr |= uint64(data[want])
					want++
				}
				got, gotOr := plainRun(data, start)
				if got != want || (gotOr&highBits == 0) != (wantOr&highBits == 0) {
					t.Fatalf("plainRun(%q, %d) = %d, high bits %v; want %d, %v", data, start, got, gotOr&highBits != 0, want, wantOr&highBits != 0)
				}
			}
		}
	}
}

// TestDecodeElemResultsLast decodes every object of the documents with one
// decoder and checks the results only at the end, after the input has been
// overwritten: nothing returned may share memory with the input, with the
// decoder's scratch buffer or with what it decodes later.
func TestDecodeElemResultsLast(t *testing.T) {
	var dec jsonDecoder
	var wants, gots []map[string]any
	for _, data := range jsonDocuments(t) {
		scan, err := scanLimits(data, DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		data = bytes.Clone(data)
		for _, e := range scan.elems {
			want, _ := decodeElemStd(data[e.start:e.end])
			got, ok := decodeElem(&dec, data[e.start:e.end])
			if !ok {
				t.Fatalf("decodeElem refused %s", data[e.start:e.end])
			}
			wants, gots = append(wants, want), append(gots, got)
		}
		for i := range data {
			data[i] = 'x'
		}
	}
	for i := range wants {
		if !reflect.DeepEqual(gots[i], wants[i]) {
			t.Fatalf("object %d is %v once the others are decoded, want %v", i, gots[i], wants[i])
		}
	}
}

// TestIntern checks that interning stays on where strings recur (the
// feed's names, types, timestamps and references) and turns itself off
// where none does, once its table is full.
func TestIntern(t *testing.T) {
	decodeAll := func(elems [][]byte) *jsonDecoder {
		var dec jsonDecoder
		for _, e := range elems {
			if _, ok := decodeElem(&dec, e); !ok {
				t.Fatalf("decodeElem refused %s", e)
			}
		}
		return &dec
	}
	feed := indicatorFeed(3000)
	scan, err := scanLimits(feed, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	var recurring [][]byte
	for _, e := range scan.elems {
		recurring = append(recurring, feed[e.start:e.end])
	}
	if dec := decodeAll(recurring); dec.internOff || len(dec.interned) != internMaxEntries || dec.hits < 10*dec.misses {
		t.Errorf("on the feed: interning off %v, %d strings, %d hits, %d misses; want on, full, 10 hits a miss", dec.internOff, len(dec.interned), dec.hits, dec.misses)
	}
	var unique [][]byte
	for k := range internMaxEntries {
		unique = append(unique, fmt.Appendf(nil, `{"x_%d":"%d"}`, k, k))
	}
	if dec := decodeAll(unique); !dec.internOff {
		t.Errorf("on unique strings: interning on, %d hits, %d misses; want off", dec.hits, dec.misses)
	}
}
