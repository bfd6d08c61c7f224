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
	"sync"
	"time"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/server"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
	"github.com/kakehashi-hub/kakehashi/store/postgres"
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

	// Store is the database the hubs and the floor ran on: "sqlite" or
	// "postgres" (--database).
	Store string `json:"store"`
	// Hubs is how many hub instances served the run (--hubs), each on its
	// own loopback listener over the one database.
	Hubs int `json:"hubs"`
	// Clients is how many intake writers, and then how many TAXII readers,
	// ran at once (--clients), spread over the hubs in turn.
	Clients int `json:"clients"`
	// TAXIIObjectsRead is how many objects each TAXII reader read back (the
	// fewest of any reader): at least Objects.
	TAXIIObjectsRead int `json:"taxii_objects_read"`
}

// benchOptions are the flags of `kakehashi bench`.
type benchOptions struct {
	objects  int
	schemas  string // --stix-schemas
	database string // --database: PostgreSQL URL; "": SQLite in the temporary directory
	hubs     int
	clients  int
}

// benchScratchPrefix names the schema the bench makes for itself on
// PostgreSQL and drops when done (postgres.CreateScratchSchema).
const benchScratchPrefix = "kakehashi_bench"

// cmdBench is `kakehashi bench`: the performance suite on a temporary data
// directory (INTERFACES.md §7) and, with --database, a schema of its own in
// a PostgreSQL database, dropped at the end.
func cmdBench(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("bench", e)
	o := benchOptions{}
	fs.IntVar(&o.objects, "objects", 20000, "objects to submit, store and read back")
	asJSON := fs.Bool("json", false, "print the figures as one JSON object")
	fs.StringVar(&o.schemas, "stix-schemas", "", "also time the OASIS STIX 2.1 schemas in DIR")
	fs.StringVar(&o.database, "database", "", "run on PostgreSQL postgres://… in a schema of the bench's own, dropped at the end (env KAKEHASHI_DATABASE_URL; default: SQLite)")
	fs.IntVar(&o.hubs, "hubs", 1, "hub instances over the one database (more than 1 needs --database)")
	fs.IntVar(&o.clients, "clients", 0, "intake writers and TAXII readers at once, spread over the hubs (default: one per hub)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if o.database == "" {
		o.database = e.getenv("KAKEHASHI_DATABASE_URL")
	}
	if o.clients == 0 {
		o.clients = o.hubs
	}
	if len(pos) != 0 || o.objects < benchBatch || o.hubs < 1 || o.clients < 1 {
		return usageError(e, fmt.Errorf("usage: kakehashi bench [--objects N (≥ %d)] [--json] [--stix-schemas DIR] [--database postgres://…] [--hubs N] [--clients N]", benchBatch))
	}
	if err := o.validate(); err != nil {
		return usageError(e, err)
	}
	applyGC(DefaultConfig(), e) // the hub's default garbage collector, as serve sets it
	f, err := runBench(ctx, o, e)
	if err != nil {
		fmt.Fprintf(e.stderr, "kakehashi bench: %v\n", err)
		return exitInvalid
	}
	if *asJSON {
		return writeJSON(e, f)
	}
	printBench(e, f)
	return exitOK
}

// validate refuses what the bench cannot run.
func (o benchOptions) validate() error {
	if o.database != "" && !isPostgresURL(o.database) {
		return fmt.Errorf("--database %s: want a PostgreSQL URL postgres://user@host/dbname", redactDatabaseURL(o.database))
	}
	if o.hubs > 1 && o.database == "" {
		return fmt.Errorf("--hubs %d needs --database postgres://…: several hubs share one PostgreSQL database; SQLite's file belongs to one hub", o.hubs)
	}
	return nil
}

// printBench writes the figures as a table for a person.
func printBench(e env, f benchFigures) {
	fmt.Fprintf(e.stdout, "objects                 %d\n", f.Objects)
	fmt.Fprintf(e.stdout, "store                   %s, %d hub(s), %d client(s)\n", f.Store, f.Hubs, f.Clients)
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

func runBench(ctx context.Context, o benchOptions, e env) (benchFigures, error) {
	n := o.objects
	f := benchFigures{Objects: n, CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), Store: "sqlite", Hubs: o.hubs, Clients: o.clients}
	bundles := (n + benchBatch - 1) / benchBatch
	sample := benchBundle(0, n)
	decoded, err := benchCodec(&f, sample, o.schemas)
	if err != nil {
		return f, err
	}

	dir, err := os.MkdirTemp("", "kakehashi-bench-")
	if err != nil {
		return f, err
	}
	defer os.RemoveAll(dir)
	database := ""
	if o.database != "" {
		f.Store = "postgres"
		scratch, err := postgres.CreateScratchSchema(ctx, o.database, benchScratchPrefix)
		if err != nil {
			return f, err
		}
		defer func() {
			// A fresh context: drop the schema even when ctx was cancelled.
			dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := scratch.Drop(dctx); err != nil {
				fmt.Fprintf(e.stderr, "kakehashi bench: %v: drop it by hand\n", err)
			}
		}()
		database = scratch.URL
	}
	if f.FloorObjectsPerS, err = benchFloor(ctx, filepath.Join(dir, "floor.db"), database, bundles, n); err != nil {
		return f, fmt.Errorf("floor: %w", err)
	}

	hubs, err := openBenchHubs(ctx, dir, database, o.hubs)
	defer func() {
		for _, h := range hubs {
			h.Close()
		}
	}()
	if err != nil {
		return f, err
	}
	tokens, err := hubs[0].ensureDemoTokensMap(ctx)
	if err != nil {
		return f, err
	}
	if f.AnonymizeMBPerS, err = benchAnonymize(hubs[0], sample, decoded); err != nil {
		return f, err
	}
	bases, stop, err := serveBenchHubs(hubs)
	defer stop()
	if err != nil {
		return f, err
	}

	took, err := benchIntake(bases, tokens["carrier-a"], bundles, n, o.clients)
	if err != nil {
		return f, err
	}
	f.IntakeObjectsPerS = float64(n) / took.Seconds()
	f.IntakeRatio = f.IntakeObjectsPerS / f.FloorObjectsPerS
	if a, ok := hubs[0].db.(analyzer); ok {
		// What autovacuum does within a minute or so: the read figures are
		// those of a database whose statistics are current (Analyze).
		if err := a.Analyze(ctx); err != nil {
			return f, err
		}
	}
	if f.IntakeSingleP99Ms, err = benchSingleP99(bases, tokens["carrier-b"]); err != nil {
		return f, err
	}
	if err := benchRead(&f, bases, tokens["ict-isac"], o.clients); err != nil {
		return f, err
	}
	f.PeakRSSMB = peakRSSMB()
	return f, nil
}

// analyzer is a store whose planner statistics can be refreshed at once
// (postgres.DB.Analyze); SQLite plans without them.
type analyzer interface {
	Analyze(ctx context.Context) error
}

var _ analyzer = (*postgres.DB)(nil)

// benchCodec times plain decoding, the own validator and, when schemas is
// set, the OASIS schemas on sample, and returns it decoded.
func benchCodec(f *benchFigures, sample []byte, schemas string) (*stix.Bundle, error) {
	perBundle := bytes.Count(sample, []byte(`"spec_version"`))
	var err error
	if f.DecodeObjectsPerS, err = rate(perBundle, func() error { var v any; return json.Unmarshal(sample, &v) }); err != nil {
		return nil, err
	}
	decoded, err := stix.DecodeBundle(sample, stix.Limits{})
	if err != nil {
		return nil, err
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
		return nil, err
	}
	if schemas != "" {
		sv, err := stix.NewSchemaValidator(schemas)
		if err != nil {
			return nil, err
		}
		r, err := rate(perBundle, func() error { return sv.Validate(decoded) })
		if err != nil {
			return nil, err
		}
		f.SchemaValidateObjectsPerS = &r
	}
	return decoded, nil
}

// openBenchHubs opens n demo hubs over one database (database: a PostgreSQL
// URL; "": SQLite in the first hub's data directory), each with a data
// directory of its own under dir holding the first one's registry and keys,
// as the hubs of one deployment do (docs/deployment.md). The caller closes
// the hubs returned, also on error.
func openBenchHubs(ctx context.Context, dir, database string, n int) ([]*hub, error) {
	var hubs []*hub
	first := filepath.Join(dir, "hub1")
	for i := range n {
		cfg := DefaultConfig()
		cfg.DataDir, cfg.Database, cfg.Demo, cfg.LogLevel = filepath.Join(dir, fmt.Sprintf("hub%d", i+1)), database, true, "error"
		if i == 0 {
			if _, err := ensureDemoWorld(cfg.DataDir); err != nil {
				return hubs, err
			}
		} else if err := copyHubFiles(first, cfg.DataDir); err != nil {
			return hubs, err
		}
		h, err := openHub(ctx, cfg)
		if err != nil {
			return hubs, fmt.Errorf("hub %d: %w", i+1, err)
		}
		hubs = append(hubs, h)
	}
	return hubs, nil
}

// copyHubFiles makes dir the data directory of another hub of the same
// deployment as the one in from: the registry, the hub's keys, the
// pseudonym key (so that tokens, signatures and TAXII next tokens are good
// on both), the demo tokens and keys when there are any; nothing else.
func copyHubFiles(from, dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, demoKeysDir), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	files := []string{"registry.yaml", jwtKeyFile, hubPGPSecret, hubPGPPublic, pseudonymKeyFile, demoTokensFile}
	keys, err := os.ReadDir(filepath.Join(from, demoKeysDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read %s: %w", demoKeysDir, err)
	}
	for _, k := range keys {
		files = append(files, filepath.Join(demoKeysDir, k.Name()))
	}
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join(from, name))
		if errors.Is(err, os.ErrNotExist) && name == demoTokensFile {
			continue
		}
		if err != nil {
			return fmt.Errorf("copy the hub's files: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return fmt.Errorf("copy the hub's files: %w", err)
		}
	}
	return nil
}

// benchAnonymize times the CEPTOAR profile on sample in MB/s, with the
// hub's own CEPTOAR identity, as serve uses it: without it the copy is
// attributed to the default identity and the ISAC's alias in its name
// withholds every copy, and the figure would time a withheld copy.
func benchAnonymize(h *hub, sample []byte, decoded *stix.Bundle) (float64, error) {
	anon, err := anonymize.NewAnonymizer(h.registry.Parties(), anonymize.Options{PseudonymKey: []byte("kakehashi-bench-pseudonym-key"),
		CEPTOARIdentity: ceptoarIdentity(h.registry)})
	if err != nil {
		return 0, err
	}
	bps, err := rate(len(sample), func() error {
		res, err := anon.Anonymize(decoded, "carrier-a", anonymize.ProfileCEPTOAR)
		if err == nil && res.Withheld {
			err = fmt.Errorf("anonymize: the bench copy was withheld: %v", res.Hits)
		}
		return err
	})
	return bps / 1e6, err
}

// serveBenchHubs serves each hub's API on a loopback port of its own and
// returns their base URLs and the function that shuts them down.
func serveBenchHubs(hubs []*hub) ([]string, func(), error) {
	var srvs []*server.Server
	stop := func() {
		for _, srv := range srvs {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_ = srv.Shutdown(sctx)
			cancel()
		}
	}
	var bases []string
	for _, h := range hubs {
		sc, err := h.serverConfig(false)
		if err != nil {
			return nil, stop, err
		}
		srv, err := server.New(sc)
		if err != nil {
			return nil, stop, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, stop, err
		}
		srvs = append(srvs, srv)
		go func() { _ = srv.Serve(ln) }()
		bases = append(bases, "http://"+ln.Addr().String())
	}
	return bases, stop, nil
}

// benchIntake posts the bundles through HTTP from clients writers at once,
// writer w to hub w mod len(bases), and returns the time the hubs took:
// the sum of the slowest writer's request times (making each bundle is not
// timed; with one writer, the time of every request one after the other).
func benchIntake(bases []string, tok string, bundles, n, clients int) (time.Duration, error) {
	took := make([]time.Duration, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for w := range clients {
		wg.Go(func() {
			base := bases[w%len(bases)]
			for i := w; i < bundles; i += clients {
				raw := benchBundle(i, n)
				t0 := time.Now()
				status, body, err := benchDo("POST", base+"/api/v1/submissions", tok, "application/json", raw)
				took[w] += time.Since(t0)
				if err != nil || status != http.StatusCreated {
					errs[w] = fmt.Errorf("intake: %d %v %.300s", status, err, body)
					return
				}
			}
		})
	}
	wg.Wait()
	return slices.Max(took), errors.Join(errs...)
}

// benchRead walks the isac-members collection with clients TAXII readers at
// once, reader r on hub r mod len(bases), each reading the whole collection.
// The rate is every object read over the slowest reader's time in its page
// requests; the page percentiles are over every page of every reader.
func benchRead(f *benchFigures, bases []string, tok string, clients int) error {
	read := make([]int, clients)
	pages := make([][]time.Duration, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for r := range clients {
		wg.Go(func() {
			read[r], pages[r], errs[r] = benchTAXIIRead(bases[r%len(bases)], tok, "isac-members")
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("taxii read: %w", err)
	}
	f.TAXIIObjectsRead = slices.Min(read)
	if f.TAXIIObjectsRead < f.Objects {
		return fmt.Errorf("taxii read %d objects of the %d submitted", f.TAXIIObjectsRead, f.Objects)
	}
	var all []time.Duration
	var slowest time.Duration
	total := 0
	for r := range clients {
		var t time.Duration
		for _, p := range pages[r] {
			t += p
		}
		slowest = max(slowest, t)
		total += read[r]
		all = append(all, pages[r]...)
	}
	f.TAXIIReadObjectsPerS = float64(total) / slowest.Seconds()
	slices.Sort(all)
	f.TAXIIPageP50Ms = float64(all[len(all)/2].Microseconds()) / 1000
	f.TAXIIPageP99Ms = float64(all[min(len(all)-1, len(all)*99/100)].Microseconds()) / 1000
	return nil
}

// benchSingleP99 is the acknowledgement time a carrier sees for a single
// incident while the bench's objects are stored: the 99th percentile, in ms.
// The submissions go to each hub in turn, one after the other.
func benchSingleP99(bases []string, tok string) (float64, error) {
	var single []time.Duration
	for i := range benchSingles {
		t0 := time.Now()
		status, body, err := benchDo("POST", bases[i%len(bases)]+"/api/v1/submissions", tok, "application/json", singleIncident(i))
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

// floorStore is the store method of the floor: store/sqlite and
// store/postgres each have it, so the bench writes no SQL.
type floorStore interface {
	InsertFloor(ctx context.Context, objs []sharing.StoredObject) error
	Close() error
}

var (
	_ floorStore = (*sqlite.DB)(nil)
	_ floorStore = (*postgres.DB)(nil)
)

// benchFloor decodes the same objects and inserts them into a bare table
// through the store's InsertFloor, one transaction per bundle: the physical
// floor of intake on this machine. On SQLite the table is in a database
// file of its own (file); on PostgreSQL (database set) in the bench's schema.
func benchFloor(ctx context.Context, file, database string, bundles, n int) (float64, error) {
	var db floorStore
	var err error
	if database == "" {
		db, err = sqlite.Open(ctx, file)
	} else {
		db, err = postgres.Open(ctx, database)
	}
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
		objs := make([]sharing.StoredObject, len(b.Objects))
		for i, o := range b.Objects {
			js, err := json.Marshal(o)
			if err != nil {
				return 0, err
			}
			id, _ := o["id"].(string)
			version, _ := o["modified"].(string)
			objs[i] = sharing.StoredObject{ID: id, Version: version, JSON: js}
		}
		if err := db.InsertFloor(ctx, objs); err != nil {
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
