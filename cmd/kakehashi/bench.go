package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/server"
	"github.com/kakehashi-hub/kakehashi/stix"
	"github.com/kakehashi-hub/kakehashi/store/sqlite"
)

// benchBatch is how many objects one bench submission carries.
const benchBatch = 1000

// benchFigures is the JSON of INTERFACES.md §7. Every figure comes from the
// same run, so the ratios hold on a noisy machine.
type benchFigures struct {
	Objects                   int      `json:"objects"`
	ValidateObjectsPerS       float64  `json:"validate_objects_per_s"`
	SchemaValidateObjectsPerS *float64 `json:"schema_validate_objects_per_s,omitempty"`
	DecodeObjectsPerS         float64  `json:"decode_objects_per_s"`
	IntakeObjectsPerS         float64  `json:"intake_objects_per_s"`
	FloorObjectsPerS          float64  `json:"floor_objects_per_s"`
	IntakeRatio               float64  `json:"intake_ratio"`
	TAXIIReadObjectsPerS      float64  `json:"taxii_read_objects_per_s"`
	TAXIIPageP50Ms            float64  `json:"taxii_page_p50_ms"`
	TAXIIPageP99Ms            float64  `json:"taxii_page_p99_ms"`
	AnonymizeMBPerS           float64  `json:"anonymize_mb_per_s"`
	// IntakeSingleP99Ms is the 99th percentile of the time to acknowledge
	// one single-incident submission, once the --objects are stored.
	IntakeSingleP99Ms float64 `json:"intake_single_p99_ms"`
	// PeakRSSMB is the peak resident memory of the bench process, which runs
	// the hub in-process (Linux VmHWM; 0 where it cannot be read).
	PeakRSSMB float64 `json:"peak_rss_mb"`
	CPUs      int     `json:"cpus"`
	GoVersion string  `json:"go_version"`
}

// cmdBench is `kakehashi bench`: the performance suite on a temporary data
// directory (INTERFACES.md §7).
func cmdBench(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("bench", e)
	n := fs.Int("objects", 20000, "objects to submit, store and read back")
	asJSON := fs.Bool("json", false, "print the figures as one JSON object")
	schemas := fs.String("stix-schemas", "", "also time the OASIS STIX 2.1 schemas in DIR")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if len(pos) != 0 || *n < benchBatch {
		return usageError(e, fmt.Errorf("usage: kakehashi bench [--objects N (≥ %d)] [--json] [--stix-schemas DIR]", benchBatch))
	}
	applyGC(DefaultConfig(), e) // the hub's default garbage collector, as serve sets it
	f, err := runBench(ctx, *n, *schemas, e)
	if err != nil {
		fmt.Fprintf(e.stderr, "kakehashi bench: %v\n", err)
		return exitInvalid
	}
	if *asJSON {
		return writeJSON(e, f)
	}
	fmt.Fprintf(e.stdout, "objects                 %d\n", f.Objects)
	fmt.Fprintf(e.stdout, "validate                %.0f objects/s\n", f.ValidateObjectsPerS)
	if f.SchemaValidateObjectsPerS != nil {
		fmt.Fprintf(e.stdout, "OASIS schemas           %.0f objects/s\n", *f.SchemaValidateObjectsPerS)
	}
	fmt.Fprintf(e.stdout, "plain decode            %.0f objects/s\n", f.DecodeObjectsPerS)
	fmt.Fprintf(e.stdout, "intake (end to end)     %.0f objects/s\n", f.IntakeObjectsPerS)
	fmt.Fprintf(e.stdout, "floor (decode+insert)   %.0f objects/s  (intake ratio %.2f)\n", f.FloorObjectsPerS, f.IntakeRatio)
	fmt.Fprintf(e.stdout, "TAXII read              %.0f objects/s, page p50 %.1f ms, p99 %.1f ms\n", f.TAXIIReadObjectsPerS, f.TAXIIPageP50Ms, f.TAXIIPageP99Ms)
	fmt.Fprintf(e.stdout, "anonymize               %.1f MB/s\n", f.AnonymizeMBPerS)
	fmt.Fprintf(e.stdout, "single incident p99     %.1f ms\n", f.IntakeSingleP99Ms)
	fmt.Fprintf(e.stdout, "peak resident memory    %.0f MB\n", f.PeakRSSMB)
	fmt.Fprintf(e.stdout, "machine                 %d CPUs, %s\n", f.CPUs, f.GoVersion)
	return exitOK
}

// benchBundles makes n objects in bundles of benchBatch (benchBundle).
func benchBundles(n int) [][]byte {
	var out [][]byte
	for b := 0; b*benchBatch < n; b++ {
		out = append(out, benchBundle(b, n))
	}
	return out
}

// benchBundle makes the b-th bundle of a run of n objects: one incident of
// carrier-a and GREEN attacker indicators, so that intake classifies, routes,
// anonymizes and releases them to the community channels. The bench makes
// each when it sends it, so that its own memory does not hide the hub's.
func benchBundle(b, n int) []byte {
	{
		objs := []map[string]any{{
			"type": "incident", "spec_version": "2.1", "id": fmt.Sprintf("incident--%08x-0000-4000-8000-%012x", b, b),
			"created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z", "name": fmt.Sprintf("DDoS wave %d", b),
			"created_by_ref":      "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11",
			"object_marking_refs": []string{stix.MarkingGreen},
			"extensions": map[string]any{stix.TelecomExtensionID: map[string]any{
				"extension_type": "property-extension", "report_kind": "cyber-attack", "occurred_at": "2026-07-10T00:00:00Z",
				"recovered_at": "2026-07-10T00:20:00Z", "cyber": map[string]any{"attack_type": "ddos"},
				"services": []any{map[string]any{"service_class": "other", "impact": "degradation", "affected_users": 1200}},
			}},
		}}
		for i := 1; i < benchBatch && b*benchBatch+i < n; i++ {
			k := b*benchBatch + i
			objs = append(objs, map[string]any{
				"type": "indicator", "spec_version": "2.1", "id": fmt.Sprintf("indicator--%08x-0000-4000-8000-%012x", k, k),
				"created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z",
				"name": "Flood source", "description": "Source of the flood seen on the edge routers.",
				"indicator_types": []string{"malicious-activity"}, "pattern_type": "stix", "valid_from": "2026-07-10T00:00:00Z",
				"pattern":             fmt.Sprintf("[ipv4-addr:value = '198.18.%d.%d']", (k/250)%250, k%250+1),
				"created_by_ref":      "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11",
				"object_marking_refs": []string{stix.MarkingGreen},
			})
		}
		raw, _ := json.Marshal(map[string]any{"type": "bundle", "id": fmt.Sprintf("bundle--%08x-0000-4000-8000-000000000000", b), "objects": objs})
		return raw
	}
}

// rate runs fn repeatedly for at least half a second and returns units per second.
func rate(units int, fn func() error) (float64, error) {
	start, rounds := time.Now(), 0
	for time.Since(start) < 500*time.Millisecond || rounds == 0 {
		if err := fn(); err != nil {
			return 0, err
		}
		rounds++
	}
	return float64(units*rounds) / time.Since(start).Seconds(), nil
}

func runBench(ctx context.Context, n int, schemas string, e env) (benchFigures, error) {
	f := benchFigures{Objects: n, CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	bundles := (n + benchBatch - 1) / benchBatch
	sample := benchBundle(0, n)
	perBundle := bytes.Count(sample, []byte(`"spec_version"`))
	var err error

	if f.DecodeObjectsPerS, err = rate(perBundle, func() error { var v any; return json.Unmarshal(sample, &v) }); err != nil {
		return f, err
	}
	decoded, err := stix.DecodeBundle(sample, stix.Limits{})
	if err != nil {
		return f, err
	}
	// The own validator's figure is the whole validation step of the
	// intake: Validate (the MUSTs) and then Warnings (the SHOULDs). The bench
	// bundles draw no warnings (TestBenchBundlesAreClean), as most
	// submissions should not.
	validate := func() error {
		err := stix.Validate(decoded)
		_ = stix.Warnings(decoded, nil)
		return err
	}
	if f.ValidateObjectsPerS, err = rate(perBundle, validate); err != nil {
		return f, err
	}
	if schemas != "" {
		sv, err := stix.NewSchemaValidator(schemas)
		if err != nil {
			return f, err
		}
		r, err := rate(perBundle, func() error { return sv.Validate(decoded) })
		if err != nil {
			return f, err
		}
		f.SchemaValidateObjectsPerS = &r
	}

	dir, err := os.MkdirTemp("", "kakehashi-bench-")
	if err != nil {
		return f, err
	}
	defer os.RemoveAll(dir)
	if f.FloorObjectsPerS, err = benchFloor(filepath.Join(dir, "floor.db"), bundles, n); err != nil {
		return f, fmt.Errorf("floor: %w", err)
	}

	cfg := DefaultConfig()
	cfg.DataDir, cfg.Demo, cfg.LogLevel = filepath.Join(dir, "hub"), true, "error"
	if _, err := ensureDemoWorld(cfg.DataDir); err != nil {
		return f, err
	}
	h, err := openHub(ctx, cfg)
	if err != nil {
		return f, err
	}
	defer h.Close()
	tokens, err := h.ensureDemoTokensMap(ctx)
	if err != nil {
		return f, err
	}
	// The hub's own CEPTOAR identity, as serve uses it: without it the copy
	// is attributed to the default identity and the ISAC's alias in its
	// name withholds every copy, and the figure would time a withheld copy.
	anon, err := anonymize.NewAnonymizer(h.registry.Parties(), anonymize.Options{PseudonymKey: []byte("kakehashi-bench-pseudonym-key"),
		CEPTOARIdentity: ceptoarIdentity(h.registry)})
	if err != nil {
		return f, err
	}
	mbps, err := rate(len(sample), func() error {
		res, err := anon.Anonymize(decoded, "carrier-a", anonymize.ProfileCEPTOAR)
		if err == nil && res.Withheld {
			err = fmt.Errorf("anonymize: the bench copy was withheld: %v", res.Hits)
		}
		return err
	})
	if err != nil {
		return f, err
	}
	f.AnonymizeMBPerS = mbps / 1e6

	sc, err := h.serverConfig(false)
	if err != nil {
		return f, err
	}
	srv, err := server.New(sc)
	if err != nil {
		return f, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return f, err
	}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	base := "http://" + ln.Addr().String()

	took, err := benchIntake(base, tokens["carrier-a"], bundles, n)
	if err != nil {
		return f, err
	}
	f.IntakeObjectsPerS = float64(n) / took.Seconds()
	f.IntakeRatio = f.IntakeObjectsPerS / f.FloorObjectsPerS
	if f.IntakeSingleP99Ms, err = benchSingleP99(base, tokens["carrier-b"]); err != nil {
		return f, err
	}

	read, pages, err := benchTAXIIRead(base, tokens["ict-isac"], "isac-members")
	if err != nil {
		return f, fmt.Errorf("taxii read: %w", err)
	}
	if read < n {
		return f, fmt.Errorf("taxii read %d objects of the %d submitted", read, n)
	}
	var total time.Duration
	for _, p := range pages {
		total += p
	}
	f.TAXIIReadObjectsPerS = float64(read) / total.Seconds()
	slices.Sort(pages)
	f.TAXIIPageP50Ms = float64(pages[len(pages)/2].Microseconds()) / 1000
	f.TAXIIPageP99Ms = float64(pages[min(len(pages)-1, len(pages)*99/100)].Microseconds()) / 1000
	f.PeakRSSMB = peakRSSMB()
	return f, nil
}

// benchIntake posts the bundles through HTTP and returns the time the hub
// took (making each bundle is not timed).
func benchIntake(base, tok string, bundles, n int) (time.Duration, error) {
	var took time.Duration
	for i := range bundles {
		raw := benchBundle(i, n)
		t0 := time.Now()
		status, body, err := benchDo("POST", base+"/api/v1/submissions", tok, "application/json", raw)
		took += time.Since(t0)
		if err != nil || status != http.StatusCreated {
			return 0, fmt.Errorf("intake: %d %v %.300s", status, err, body)
		}
	}
	return took, nil
}

// benchSingleP99 is the acknowledgement time a carrier sees for a single
// incident while the bench's objects are stored: the 99th percentile, in ms.
func benchSingleP99(base, tok string) (float64, error) {
	var single []time.Duration
	for i := range benchSingles {
		t0 := time.Now()
		status, body, err := benchDo("POST", base+"/api/v1/submissions", tok, "application/json", singleIncident(i))
		single = append(single, time.Since(t0))
		if err != nil || status != http.StatusCreated {
			return 0, fmt.Errorf("single incident: %d %v %.300s", status, err, body)
		}
	}
	slices.Sort(single)
	return float64(single[len(single)*99/100].Microseconds()) / 1000, nil
}

// benchSingles is how many single-incident submissions the p99 is taken over.
const benchSingles = 200

// singleIncident is a carrier-b outage report of one incident.
func singleIncident(i int) []byte {
	raw, _ := json.Marshal(map[string]any{"type": "bundle", "id": fmt.Sprintf("bundle--%08x-5151-4000-8000-000000000000", i), "objects": []any{map[string]any{
		"type": "incident", "spec_version": "2.1", "id": fmt.Sprintf("incident--%08x-5151-4000-8000-000000000000", i),
		"created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z", "name": "Regional outage",
		"object_marking_refs": []string{stix.MarkingAmber},
		"extensions": map[string]any{stix.TelecomExtensionID: map[string]any{
			"extension_type": "property-extension", "report_kind": "service-outage", "occurred_at": "2026-07-10T00:00:00Z",
			"recovered_at": "2026-07-10T03:00:00Z", "failed_equipment": "other",
			"services": []any{map[string]any{"service_class": "voice", "impact": "stop", "affected_users": 31000}},
		}},
	}}})
	return raw
}

// peakRSSMB reads the process's peak resident set (VmHWM) on Linux.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%f kB", &kb); err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}

// benchFloor decodes and inserts the same objects into a bare table through
// the store (store/sqlite InsertFloor), one transaction per bundle: the
// physical floor of intake on this machine.
func benchFloor(path string, bundles, n int) (float64, error) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var took time.Duration // making the bundles is not timed
	for i := range bundles {
		raw := benchBundle(i, n)
		t0 := time.Now()
		var b struct {
			Objects []map[string]any `json:"objects"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			return 0, err
		}
		rows := make([]sqlite.FloorRow, len(b.Objects))
		for i, o := range b.Objects {
			js, err := json.Marshal(o)
			if err != nil {
				return 0, err
			}
			id, _ := o["id"].(string)
			version, _ := o["modified"].(string)
			rows[i] = sqlite.FloorRow{ID: id, Version: version, JSON: js}
		}
		if err := db.InsertFloor(ctx, rows); err != nil {
			return 0, err
		}
		took += time.Since(t0)
	}
	return float64(n) / took.Seconds(), nil
}

func benchDo(method, url, tok, contentType string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// benchTAXIIRead walks a collection with a TAXII 2.1 client written against
// the spec: collections by alias, then objects pages of 1,000 with next.
func benchTAXIIRead(base, tok, alias string) (int, []time.Duration, error) {
	status, body, err := benchDo("GET", base+"/taxii2/hub/collections/", tok, "", nil)
	if err != nil || status != 200 {
		return 0, nil, fmt.Errorf("collections: %d %v %.200s", status, err, body)
	}
	var cols struct {
		Collections []struct {
			ID    string `json:"id"`
			Alias string `json:"alias"`
		} `json:"collections"`
	}
	if err := json.Unmarshal(body, &cols); err != nil {
		return 0, nil, err
	}
	id := ""
	for _, c := range cols.Collections {
		if c.Alias == alias {
			id = c.ID
		}
	}
	if id == "" {
		return 0, nil, errors.New("no collection with alias " + alias)
	}
	read, next := 0, ""
	var pages []time.Duration
	for {
		url := base + "/taxii2/hub/collections/" + id + "/objects/?limit=1000"
		if next != "" {
			url += "&next=" + next
		}
		t0 := time.Now()
		status, body, err := benchDo("GET", url, tok, "", nil)
		pages = append(pages, time.Since(t0))
		if err != nil || status != 200 {
			return read, pages, fmt.Errorf("objects page: %d %v %.200s", status, err, body)
		}
		var env struct {
			More    bool              `json:"more"`
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return read, pages, err
		}
		read += len(env.Objects)
		if !env.More {
			return read, pages, nil
		}
		next = env.Next
	}
}
