package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kakehashi-hub/kakehashi/stix"
	"github.com/kakehashi-hub/kakehashi/store/postgres/pgtest"
)

// benchFigureKeys are the figures of INTERFACES.md §7 and the bench's own
// extensions, each of which must be present and positive.
var benchFigureKeys = []string{"validate_objects_per_s", "decode_objects_per_s", "intake_objects_per_s", "floor_objects_per_s",
	"intake_ratio", "taxii_read_objects_per_s", "taxii_page_p50_ms", "taxii_page_p99_ms", "anonymize_mb_per_s", "intake_single_p99_ms",
	"peak_rss_mb", "cpus", "go_version", "store", "hubs", "clients", "taxii_objects_read"}

// runBenchJSON runs `kakehashi bench --json` with args and checks that it
// reports every figure, each sane, from one run.
func runBenchJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	e, out, errb := testEnv("")
	if code := run(context.Background(), append([]string{"bench", "--json"}, args...), e); code != exitOK {
		t.Fatalf("bench %v: exit %d: %s", args, code, errb)
	}
	var f map[string]any
	if err := json.Unmarshal(out.Bytes(), &f); err != nil {
		t.Fatalf("bench --json is not JSON: %v\n%s", err, out)
	}
	for _, k := range benchFigureKeys {
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
	if read, n := f["taxii_objects_read"].(float64), f["objects"].(float64); read < n {
		t.Errorf("each TAXII reader read %v objects, want at least the %v submitted", read, n)
	}
	if p50, p99 := f["taxii_page_p50_ms"].(float64), f["taxii_page_p99_ms"].(float64); p50 > p99 {
		t.Errorf("page p50 %v ms > p99 %v ms", p50, p99)
	}
	return f
}

// TestBenchCommandFigures runs the performance suite small and checks that it
// reports every figure of INTERFACES.md §7 from one run.
func TestBenchCommandFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("the bench command runs the whole hub; skipped in -short mode")
	}
	f := runBenchJSON(t, "--objects", "1000")
	if f["store"] != "sqlite" || f["hubs"] != 1.0 || f["clients"] != 1.0 {
		t.Errorf("default bench: store %v, %v hubs, %v clients; want sqlite, 1, 1", f["store"], f["hubs"], f["clients"])
	}
	e, _, _ := testEnv("")
	if code := run(context.Background(), []string{"bench", "--objects", "10"}, e); code != exitUsage {
		t.Errorf("bench with too few objects: exit %d, want 2", code)
	}
}

// TestBenchRefuses: several hubs need PostgreSQL, and --database a
// PostgreSQL URL; each refusal says what to give instead.
func TestBenchRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"hubs on SQLite", []string{"--hubs", "2"}, "--hubs 2 needs --database postgres://"},
		{"not PostgreSQL", []string{"--database", "mysql://db/kakehashi"}, "want a PostgreSQL URL"},
		{"no hub", []string{"--hubs", "0"}, "usage: kakehashi bench"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _, errb := testEnv("")
			if code := run(context.Background(), append([]string{"bench", "--objects", "1000"}, tc.args...), e); code != exitUsage || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("bench %v: exit %d, %q; want 2 and %q", tc.args, code, errb, tc.want)
			}
		})
	}
}

// TestBenchOnPostgres runs the same workload on PostgreSQL with one hub and
// with two hubs and two clients (issue #14): every figure is there, the
// readers read back what was written, and the bench drops the schema it made.
func TestBenchOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("the bench command runs the whole hub; skipped in -short mode")
	}
	db := pgtest.URL(t)
	before := benchSchemas(t, db)
	f := runBenchJSON(t, "--objects", "2000", "--database", db)
	if f["store"] != "postgres" || f["hubs"] != 1.0 || f["clients"] != 1.0 {
		t.Errorf("bench --database: store %v, %v hubs, %v clients; want postgres, 1, 1", f["store"], f["hubs"], f["clients"])
	}
	f = runBenchJSON(t, "--objects", "2000", "--database", db, "--hubs", "2")
	if f["store"] != "postgres" || f["hubs"] != 2.0 || f["clients"] != 2.0 {
		t.Errorf("bench --database --hubs 2: store %v, %v hubs, %v clients; want postgres, 2, 2", f["store"], f["hubs"], f["clients"])
	}
	if after := benchSchemas(t, db); !slices.Equal(after, before) {
		t.Errorf("the bench left schemas behind: %v, before it %v", after, before)
	}
}

// benchSchemas lists the schemas the bench makes in the database at url.
func benchSchemas(t *testing.T, url string) []string {
	t.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(url) // the URL carries pool_max_conns
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 ORDER BY nspname`, benchScratchPrefix+`\_%`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
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
