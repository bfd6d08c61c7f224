package stix

import (
	"encoding/json"
	"os"
	"path/filepath"
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
