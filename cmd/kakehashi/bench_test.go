package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// TestBenchCommandFigures runs the performance suite small and checks that it
// reports every figure of INTERFACES.md §7 from one run.
func TestBenchCommandFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("the bench command runs the whole hub; skipped in -short mode")
	}
	e, out, errb := testEnv("")
	if code := run(context.Background(), []string{"bench", "--objects", "1000", "--json"}, e); code != exitOK {
		t.Fatalf("bench: exit %d: %s", code, errb)
	}
	var f map[string]any
	if err := json.Unmarshal(out.Bytes(), &f); err != nil {
		t.Fatalf("bench --json is not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"validate_objects_per_s", "decode_objects_per_s", "intake_objects_per_s", "floor_objects_per_s",
		"intake_ratio", "taxii_read_objects_per_s", "taxii_page_p50_ms", "taxii_page_p99_ms", "anonymize_mb_per_s", "intake_single_p99_ms", "peak_rss_mb", "cpus", "go_version"} {
		v, ok := f[k]
		if !ok {
			t.Errorf("figure %s missing", k)
			continue
		}
		if n, isNum := v.(float64); isNum && n <= 0 {
			t.Errorf("figure %s = %v, want > 0", k, n)
		}
	}
	if r := f["intake_ratio"].(float64); r != f["intake_objects_per_s"].(float64)/f["floor_objects_per_s"].(float64) {
		t.Errorf("intake_ratio %v is not intake/floor", r)
	}
	e, _, _ = testEnv("")
	if code := run(context.Background(), []string{"bench", "--objects", "10"}, e); code != exitUsage {
		t.Errorf("bench with too few objects: exit %d, want 2", code)
	}
}

// TestBenchBundlesAreClean: the bundles the bench times are valid and draw
// no warnings, so validate_objects_per_s measures the common case.
func TestBenchBundlesAreClean(t *testing.T) {
	for i, raw := range benchBundles(2 * benchBatch) {
		b, err := stix.DecodeBundle(raw, stix.Limits{})
		if err != nil {
			t.Fatalf("bundle %d: %v", i, err)
		}
		if err := stix.Validate(b); err != nil {
			t.Errorf("bundle %d: %v", i, err)
		}
		if ws := stix.Warnings(b, nil); ws != nil {
			t.Errorf("bundle %d draws warnings: %+v", i, ws)
		}
	}
}
