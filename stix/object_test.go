package stix

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

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
