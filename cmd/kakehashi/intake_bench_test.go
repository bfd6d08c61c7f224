package main

import (
	"context"
	"testing"
)

// BenchmarkIntake1000 submits one 1,000-object bundle (an incident and GREEN
// indicators, as `kakehashi bench` does) straight to the intake service of a
// demo hub on a fresh SQLite file: validate, classify, route, anonymize,
// store, release. It is the profile behind docs/performance.md:
//
//	go test -run '^$' -bench Intake1000 -benchtime 20x -cpuprofile cpu.prof -memprofile mem.prof ./cmd/kakehashi/
func BenchmarkIntake1000(b *testing.B) {
	dir := b.TempDir()
	if _, err := ensureDemoWorld(dir); err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.DataDir = dir
	h, err := openHub(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	org, err := h.registry.FindOrganizationByID("carrier-a")
	if err != nil {
		b.Fatal(err)
	}
	bundles := benchBundles(benchBatch * (b.N + 1))
	b.ReportAllocs()
	b.SetBytes(int64(len(bundles[0])))
	b.ResetTimer()
	for i := range b.N {
		req, err := h.intake.ParseSubmission(org, bundles[i])
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := h.intake.Submit(context.Background(), org, req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "objects/s")
}
