package stix

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sequential never splits the objects' decoding: DecodeBundle as it was
// before decodeBundleSplit.
var sequential = parallelism{minObjects: math.MaxInt}

// splitEvery splits from one object on, over three goroutines so that runs of
// unequal length are exercised.
var splitEvery = parallelism{minObjects: 1, workers: 3}

// splitCase is an input for the split decode, and whether decodeBundleSplit
// itself should accept it (when not, DecodeBundle falls back and the result
// must still be the sequential one).
type splitCase struct {
	name  string
	data  string
	lim   Limits
	split bool
}

func splitCases() []splitCase {
	obj := func(n string) string {
		return `{"type":"indicator","id":"indicator--` + n + `","created":"2026-07-10T01:10:00.000Z","object_marking_refs":["` + MarkingGreen + `",7]}`
	}
	env := func(elems ...string) string { return `{"objects":[` + strings.Join(elems, ",") + `]}` }
	bundle := func(elems ...string) string {
		return `{"type":"bundle","id":"bundle--5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","objects":[` + strings.Join(elems, ",") + `]}`
	}
	nested := func(levels int) string {
		return `{"x":` + strings.Repeat("[", levels) + strings.Repeat("]", levels) + `}`
	}
	return []splitCase{
		{name: "bundle", data: bundle(obj("1"), obj("2"), obj("3"), obj("4")), split: true},
		{name: "envelope", data: env(obj("1"), obj("2")), split: true},
		{name: "one object", data: env(obj("1")), split: true},
		{name: "whitespace everywhere", data: " \n{ \"objects\" :\t[ " + obj("1") + " ,\r\n" + obj("2") + " ] , \"type\" : \"bundle\" , \"id\" : \"bundle--5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a\" }\n", split: true},
		{name: "duplicate keys in an element", data: env(`{"type":"a","type":"b","x":{"y":1,"y":2}}`, obj("2")), split: true},
		{name: "duplicate type and id", data: `{"type":"x","type":"bundle","id":"bundle--5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","objects":[{}]}`, split: true},
		{name: "duplicate objects", data: `{"objects":[{"a":1},{"b":2}],"objects":[{"c":3}]}`},
		{name: "duplicate objects of one length", data: `{"objects":[{"a":1}],"objects":[{"c":3}]}`},
		{name: "duplicate objects, the first not an array", data: `{"objects":1,"objects":[{"c":3}]}`},
		{name: "escaped quotes and backslashes", data: env(`{"a":"\"}]","b":"\\","c":"\\\"","d\"}":"\\\\\"{["}`, obj("2")), split: true},
		{name: "brackets in strings", data: env(`{"a":"}","b":"]","c":"{[","}":"]]"}`, `{"objects":"],{"}`), split: true},
		{name: "nested arrays and objects", data: env(`{"a":[[1,[2,[]]],{"b":[{},{"c":[null]}]}],"d":{}}`, `{}`), split: true},
		{name: "objects key inside an element", data: env(`{"objects":[{"x":1}],"type":"bundle"}`), split: true},
		{name: "unicode escapes", data: env(`{"a":"\u007d\u005d\u0022\u005c","\u0074ype":"\ud83d\ude00","b":"\u65e5\u672c"}`), split: true},
		{name: "escaped top-level key", data: `{"obj\u0065cts":[{"a":1}]}`},
		{name: "top-level key in another case", data: `{"Objects":[{"a":1}]}`},
		{name: "another top-level key", data: `{"objects":[{"a":1}],"spec_version":"2.1"}`},
		{name: "numbers as json.Number", data: env(`{"a":1.50e+3,"b":-0,"c":12345678901234567890123,"d":[1E-7,0.1]}`), split: true},
		{name: "invalid UTF-8", data: env("{\"a\":\"\xff\xfe\",\"b\xc3\":1}"), split: true},
		{name: "trailing garbage", data: env(obj("1")) + ` x`},
		{name: "trailing closing brackets", data: env(obj("1")) + `]}`, split: true},
		{name: "trailing second document", data: env(obj("1")) + env(obj("2"))},
		{name: "trailing objects after a bracket", data: env(obj("1")) + `]` + env(obj("2")), split: true},
		{name: "trailing objects at depth one", data: env(obj("1")) + `}{` + env(obj("2")) + `}`},
		{name: "leading garbage", data: `]` + env(obj("1"))},
		{name: "garbage between elements", data: `{"objects":[{"a":1} x {"b":2}]}`},
		{name: "two commas", data: `{"objects":[{"a":1},,{"b":2}]}`},
		{name: "trailing comma", data: `{"objects":[{"a":1},{"b":2},]}`},
		{name: "missing comma", data: `{"objects":[{"a":1}{"b":2}]}`},
		{name: "missing colon in an element", data: `{"objects":[{"a" 1},{"b":2}]}`},
		{name: "mismatched bracket in an element", data: `{"objects":[{"a":[1}],{"b":2}]}`},
		{name: "element closed by a bracket", data: `{"objects":[{"a":1]]}`},
		{name: "unterminated", data: `{"objects":[{"a":1},{"b":"2}]}`},
		{name: "invalid escape", data: `{"objects":[{"a":"\x"}]}`},
		{name: "control character in a string", data: "{\"objects\":[{\"a\":\"\x01\"}]}"},
		{name: "empty objects", data: `{"objects":[]}`},
		{name: "empty objects in a bundle", data: bundle()},
		{name: "no objects", data: `{"type":"bundle","id":"bundle--5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"}`},
		{name: "objects not an array", data: `{"objects":{"a":{"b":1}}}`},
		{name: "null element", data: env(obj("1"), `null`)},
		{name: "null element first", data: env(`null`, obj("1"))},
		{name: "string element", data: env(obj("1"), `"x"`)},
		{name: "number element", data: env(`1`, obj("1"))},
		{name: "array element", data: env(obj("1"), `[{"a":1}]`)},
		{name: "empty array element", data: env(`[]`, obj("1"))},
		{name: "only empty objects", data: env(`{}`, `{}`, `{}`), split: true},
		{name: "bad bundle id", data: `{"type":"bundle","id":"bundle--x","objects":[{"a":1}]}`},
		{name: "type without id", data: `{"type":"bundle","objects":[{"a":1}]}`},
		{name: "document is an array", data: `[{"objects":[{"a":1}]}]`},
		{name: "document is null", data: `null`},
		{name: "empty body", data: ``},
		{name: "deep nesting at the limit", data: env(nested(61), obj("1")), split: true},
		{name: "deep nesting over the limit", data: env(nested(62), obj("1"))},
		{name: "more objects than allowed", data: env(obj("1"), obj("2"), obj("3")), lim: Limits{MaxObjects: 2}},
		{name: "as many objects as allowed", data: env(obj("1"), obj("2")), lim: Limits{MaxObjects: 2}, split: true},
		// An element decoded alone is two levels shallower than in the
		// document: past encoding/json's own depth limit that would accept
		// what the whole document fails (jsonMaxDepth).
		{name: "past encoding/json's depth", data: env(nested(jsonMaxDepth-2), `{}`), lim: Limits{MaxDepth: 2 * jsonMaxDepth}},
		{name: "at encoding/json's depth", data: env(nested(jsonMaxDepth-3), `{}`), lim: Limits{MaxDepth: jsonMaxDepth}, split: true},
	}
}

// decodeSplit runs only the split path, as DecodeBundle would.
func decodeSplit(t *testing.T, data []byte, lim Limits) (*Bundle, bool) {
	t.Helper()
	lim = lim.withDefaults()
	scan, err := scanLimits(data, lim)
	if err != nil || len(scan.elems) == 0 {
		return nil, false
	}
	return decodeBundleSplit(data, lim, scan, splitEvery.workers)
}

// sameDecode fails t unless the split decode and the sequential one return
// equal bundles or the same error.
func sameDecode(t *testing.T, data []byte, lim Limits, par parallelism) {
	t.Helper()
	want, wantErr := decodeBundle(data, lim, sequential)
	got, gotErr := decodeBundle(data, lim, par)
	if !sameError(wantErr, gotErr) {
		t.Fatalf("split decode error %v, sequential %v", gotErr, wantErr)
	}
	if diff := bundleDiff(want, got); diff != "" {
		t.Fatalf("split decode differs from sequential: %s", diff)
	}
}

// sameError reports whether two decode errors are the same: equal strings, or
// for *ValidationError the same violations in any order, with the same Limit.
// The order is not the split's to keep: decodeBundleSlow lists unknown
// top-level members in map order, so two sequential decodes of one input can
// already list them differently.
func sameError(want, got error) bool {
	if want == nil || got == nil {
		return want == got
	}
	var wv, gv *ValidationError
	if !errors.As(want, &wv) || !errors.As(got, &gv) {
		return want.Error() == got.Error()
	}
	sorted := func(v []Violation) []Violation {
		v = slices.Clone(v)
		slices.SortFunc(v, func(a, b Violation) int { return strings.Compare(a.Path+"\x00"+a.Message, b.Path+"\x00"+b.Message) })
		return v
	}
	return wv.Limit == gv.Limit && slices.Equal(sorted(wv.Violations), sorted(gv.Violations))
}

// bundleDiff says how got differs from want, or returns "" when they are deeply
// equal. It compares with reflect.DeepEqual and not go-cmp, whose slice diff
// takes time exponential in the nesting of the arrays the fuzzer builds.
func bundleDiff(want, got *Bundle) string {
	switch {
	case reflect.DeepEqual(want, got):
		return ""
	case want == nil || got == nil:
		return fmt.Sprintf("bundle %v, want %v", got, want)
	case want.ID != got.ID:
		return fmt.Sprintf("id %q, want %q", got.ID, want.ID)
	case len(want.Objects) != len(got.Objects):
		return fmt.Sprintf("%d objects, want %d", len(got.Objects), len(want.Objects))
	}
	for i := range want.Objects {
		if !reflect.DeepEqual(want.Objects[i], got.Objects[i]) {
			return fmt.Sprintf("objects[%d] is\n%+v\nwant\n%+v", i, *got.Objects[i], *want.Objects[i])
		}
	}
	return "no difference found by field"
}

func TestDecodeBundleSplit(t *testing.T) {
	for _, tc := range splitCases() {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.data)
			for _, workers := range []int{2, 3, 5} {
				sameDecode(t, data, tc.lim, parallelism{minObjects: 1, workers: workers})
			}
			got, ok := decodeSplit(t, data, tc.lim)
			if ok != tc.split {
				t.Fatalf("decodeBundleSplit accepted = %v, want %v", ok, tc.split)
			}
			if !ok {
				return
			}
			want, err := decodeBundle(data, tc.lim, sequential)
			if err != nil {
				t.Fatalf("the split path accepted what the sequential path refuses: %v", err)
			}
			if diff := bundleDiff(want, got); diff != "" {
				t.Fatalf("decodeBundleSplit differs from sequential: %s", diff)
			}
		})
	}
}

// TestDecodeBundleSplitFeed checks the split on the benchmark's feed, at
// DecodeBundle's own threshold and worker count, and that numbers stay
// json.Number and the objects their order.
func TestDecodeBundleSplitFeed(t *testing.T) {
	data := indicatorFeed(parallelMinObjects)
	sameDecode(t, data, Limits{}, parallelism{minObjects: parallelMinObjects, workers: 2})
	b, ok := decodeSplit(t, data, Limits{})
	if !ok {
		t.Fatal("decodeBundleSplit refused the feed")
	}
	for i, o := range b.Objects[1:] {
		if want := indicatorFeedID(i + 1); o.ID != want {
			t.Fatalf("objects[%d].id = %q, want %q", i+1, o.ID, want)
		}
	}
	users := telecomExt(b.Objects[0].Props)["services"].([]any)[0].(map[string]any)["affected_users"]
	if users != json.Number("30000") {
		t.Fatalf("affected_users = %#v, want json.Number(\"30000\")", users)
	}
}

func TestScanLimitsElems(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string // the spans' text
	}{
		{name: "elements", data: `{"id":"x", "objects" : [ {"a":"}"} , {"b":[{}]} ] }`, want: []string{`{"a":"}"}`, `{"b":[{}]}`}},
		{name: "key in a string", data: `{"x":"\"objects\":[{}]","objects":[{"a":1}]}`, want: []string{`{"a":1}`}},
		{name: "first objects only", data: `{"objects":[{"a":1}],"objects":[{"b":2}]}`, want: []string{`{"a":1}`}},
		{name: "objects not at depth one", data: `{"x":{"objects":[{"a":1}]}}`},
		{name: "objects not an array", data: `{"objects":{"a":{}}}`},
		{name: "array element", data: `{"objects":[{"a":1},[{}]]}`},
		{name: "unterminated", data: `{"objects":[{"a":1}`},
		{name: "after the first value", data: `{}{"objects":[{"a":1}]}`},
		{name: "closed by the wrong bracket", data: `{"objects":[{"a":1}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scan, err := scanLimits([]byte(tc.data), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range scan.elems {
				got = append(got, tc.data[e.start:e.end])
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("spans (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzDecodeBundleParallel(f *testing.F) {
	for _, tc := range splitCases() {
		if tc.lim == (Limits{}) {
			f.Add([]byte(tc.data))
		}
	}
	f.Add(indicatorFeed(200))
	if data, err := os.ReadFile(filepath.Join("testdata", "valid-bundle.json")); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameDecode(t, data, Limits{MaxStringBytes: 1 << 16, MaxObjects: 1000}, splitEvery)
	})
}
