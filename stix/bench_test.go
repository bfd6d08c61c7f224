package stix

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Benchmarks of the intake validation paths over the OASIS threat-report
// examples (PROFILE.md §1): the hub's own validator must be at least 5× the
// OASIS schema path and at least half the speed of a plain encoding/json
// decode of the same objects.

var benchFiles = []string{"apt1.json", "poisonivy.json"}

func benchInputs(b *testing.B) (raws [][]byte, bundles []*Bundle, objects int) {
	dir := schemaDir(b)
	for _, f := range benchFiles {
		data, err := os.ReadFile(filepath.Join(dir, "examples", "threat-reports", f))
		if err != nil {
			b.Fatal(err)
		}
		bun, err := DecodeBundle(data, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		raws = append(raws, data)
		bundles = append(bundles, bun)
		objects += len(bun.Objects)
	}
	return raws, bundles, objects
}

func reportObjects(b *testing.B, objects int) {
	b.ReportMetric(float64(objects)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

func byteCount(raws [][]byte) int64 {
	var n int64
	for _, r := range raws {
		n += int64(len(r))
	}
	return n
}

func BenchmarkValidateOwn(b *testing.B) {
	raws, bundles, objects := benchInputs(b)
	b.SetBytes(byteCount(raws))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, bun := range bundles {
			if err := Validate(bun); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportObjects(b, objects)
}

func BenchmarkValidateOwnFromBytes(b *testing.B) {
	raws, _, objects := benchInputs(b)
	b.SetBytes(byteCount(raws))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range raws {
			bun, err := DecodeBundle(r, Limits{})
			if err != nil {
				b.Fatal(err)
			}
			if err := Validate(bun); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportObjects(b, objects)
}

func BenchmarkValidateSchema(b *testing.B) {
	raws, bundles, objects := benchInputs(b)
	sv := loadSchemaValidator(b)
	b.SetBytes(byteCount(raws))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, bun := range bundles {
			if err := sv.Validate(bun); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportObjects(b, objects)
}

func BenchmarkDecodeJSON(b *testing.B) {
	raws, _, objects := benchInputs(b)
	b.SetBytes(byteCount(raws))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range raws {
			var v any
			if err := json.Unmarshal(r, &v); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportObjects(b, objects)
}

// BenchmarkWarnings is the second pass the intake makes after Validate: the
// SHOULD checks of warning.go, on bundles that have no warnings.
func BenchmarkWarnings(b *testing.B) {
	raws, bundles, objects := benchInputs(b)
	b.SetBytes(byteCount(raws))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, bun := range bundles {
			if ws := Warnings(bun, nil); ws != nil {
				b.Fatal(ws)
			}
		}
	}
	reportObjects(b, objects)
}

// indicatorFeed is a bundle of n objects shaped like an indicator feed: one
// incident and n-1 indicators, each about 1 KB (pattern, name, a paragraph of
// description, labels, valid_from, object_marking_refs), so that n = 1,000 is
// the ~1 MB request body the intake decodes on its critical path.
func indicatorFeed(n int) []byte {
	objs := []any{fixtureAny(incidentJSON())}
	const desc = "Source address of the volumetric flood seen on the edge routers of the Kanto " +
		"region between 00:00 and 00:20 JST. Traffic was UDP reflection (DNS and NTP) towards the " +
		"subscriber-facing resolvers; the address was confirmed by NetFlow at two exchanges and by " +
		"the upstream transit provider. Block at the border or rate-limit to 1 Mbit/s; do not block " +
		"the whole prefix, which also carries a hosting provider's legitimate customers. Seen again " +
		"after 01:00 with a lower rate, so keep the rule for at least seven days."
	for k := 1; k < n; k++ {
		objs = append(objs, map[string]any{
			"type": "indicator", "spec_version": "2.1", "id": indicatorFeedID(k),
			"created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z",
			"created_by_ref": idA, "name": fmt.Sprintf("Flood source %d", k), "description": desc,
			"indicator_types": []string{"malicious-activity"}, "labels": []string{"ddos", "reflection", "kanto"},
			"pattern_type": "stix", "valid_from": "2026-07-10T00:00:00Z",
			"pattern":             fmt.Sprintf("[ipv4-addr:value = '198.18.%d.%d'] OR [network-traffic:dst_port = %d]", (k/250)%250, k%250+1, 1024+k),
			"object_marking_refs": []string{MarkingGreen},
		})
	}
	raw, err := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", "objects": objs})
	if err != nil {
		panic(err)
	}
	return raw
}

// indicatorFeedID is the id of the k-th object of indicatorFeed.
func indicatorFeedID(k int) string {
	return fmt.Sprintf("indicator--%08x-0000-4000-8000-%012x", k, k)
}

// fixtureAny decodes s as the decoders do (json.Number for numbers).
func fixtureAny(s string) any {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		panic(err)
	}
	return v
}

// BenchmarkDecodeBundle1000 is DecodeBundle on the ~1 MB body of a 1,000-object
// indicator feed: the parse that sits on the intake's critical path.
func BenchmarkDecodeBundle1000(b *testing.B) {
	data := indicatorFeed(1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		bun, err := DecodeBundle(data, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if len(bun.Objects) != 1000 {
			b.Fatalf("decoded %d objects, want 1000", len(bun.Objects))
		}
	}
}

// BenchmarkDecodeElem is decodeElem alone, on one core, over the 1,000
// elements of BenchmarkDecodeBundle1000's feed: the per-object parse that
// decodeElems runs on every core, without the skeleton and the goroutines.
// One decoder serves every element of an iteration, as one serves a
// worker's run in decodeElems, and none serves two: what it keeps (its
// buffers, its interned strings) lasts one bundle.
func BenchmarkDecodeElem(b *testing.B) {
	benchElems(b, func() func([]byte) (map[string]any, bool) {
		var dec jsonDecoder
		return func(raw []byte) (map[string]any, bool) { return decodeElem(&dec, raw) }
	})
}

// BenchmarkDecodeElemStd is BenchmarkDecodeElem with encoding/json, as
// decodeElem was before jsonDecoder: the speed to beat.
func BenchmarkDecodeElemStd(b *testing.B) {
	benchElems(b, func() func([]byte) (map[string]any, bool) { return decodeElemStd })
}

// BenchmarkDecodeElemUnique is BenchmarkDecodeElem on 1,000 objects of 20
// members whose names and values never recur: the worst case of jsonDecoder's
// interning, which must then cost little more than it would without it.
func BenchmarkDecodeElemUnique(b *testing.B) {
	var elems [][]byte
	for k := range 1000 {
		var members []string
		for j := range 20 {
			members = append(members, fmt.Sprintf(`"x_%d_%d":"198.%d.%d.%d"`, k, j, k%250, j, k/250))
		}
		elems = append(elems, []byte("{"+strings.Join(members, ",")+"}"))
	}
	b.ReportAllocs()
	for b.Loop() {
		var dec jsonDecoder
		for _, e := range elems {
			if _, ok := decodeElem(&dec, e); !ok {
				b.Fatalf("decodeElem refused %s", e)
			}
		}
	}
}

// benchElems decodes the feed's elements with a decode function made anew
// for each iteration.
func benchElems(b *testing.B, newDecode func() func([]byte) (map[string]any, bool)) {
	data := indicatorFeed(1000)
	scan, err := scanLimits(data, DefaultLimits())
	if err != nil || len(scan.elems) != 1000 {
		b.Fatalf("scanLimits found %d elements (%v), want 1000", len(scan.elems), err)
	}
	var size int64
	for _, e := range scan.elems {
		size += int64(e.end - e.start)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		decode := newDecode()
		for _, e := range scan.elems {
			if _, ok := decode(data[e.start:e.end]); !ok {
				b.Fatalf("decodeElem refused %s", data[e.start:e.end])
			}
		}
	}
}
