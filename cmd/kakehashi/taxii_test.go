package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A small TAXII 2.1 client written from the specification (plain net/http,
// nothing of the server's code): discovery, API root, collections, objects
// with limit/next, and polling with added_after = X-TAXII-Date-Added-Last.

const taxiiMT = "application/taxii+json;version=2.1"

type taxiiClient struct {
	t    testing.TB
	auth string // Authorization header
}

type taxiiAnswer struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (c *taxiiClient) do(method, u string, body []byte) taxiiAnswer {
	c.t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Accept", taxiiMT)
	if body != nil {
		req.Header.Set("Content-Type", taxiiMT)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := taxiiAnswer{status: resp.StatusCode, header: resp.Header, raw: raw}
	if ct := resp.Header.Get("Content-Type"); ct != taxiiMT {
		c.t.Errorf("%s %s: Content-Type %q, want %q", method, u, ct, taxiiMT)
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			c.t.Fatalf("%s %s: not JSON: %v", method, u, err)
		}
	}
	return a
}

func (c *taxiiClient) get(u string) taxiiAnswer {
	c.t.Helper()
	a := c.do("GET", u, nil)
	if a.status != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", u, a.status, a.raw)
	}
	return a
}

func resolve(t testing.TB, base, ref string) string {
	t.Helper()
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	r, err := url.Parse(ref)
	if err != nil {
		t.Fatal(err)
	}
	return b.ResolveReference(r).String()
}

// collectionURL walks discovery → API root → collections to the collection
// with the alias and returns its URL.
func (c *taxiiClient) collectionURL(base, alias string) string {
	c.t.Helper()
	disc := c.get(base + "/taxii2/")
	roots, _ := disc.body["api_roots"].([]any)
	if len(roots) == 0 {
		c.t.Fatalf("discovery lists no API root: %s", disc.raw)
	}
	root := resolve(c.t, base+"/taxii2/", roots[0].(string))
	info := c.get(root)
	if !slices.Contains(info.body["versions"].([]any), any(taxiiMT)) {
		c.t.Fatalf("API root versions %v lack %s", info.body["versions"], taxiiMT)
	}
	cols := c.get(resolve(c.t, root, "collections/"))
	for _, x := range cols.body["collections"].([]any) {
		m := x.(map[string]any)
		if m["alias"] == alias {
			if m["can_read"] != true {
				c.t.Fatalf("collection %s: can_read false", alias)
			}
			return resolve(c.t, root, "collections/"+m["id"].(string)+"/")
		}
	}
	c.t.Fatalf("no collection with alias %s in %s", alias, cols.raw)
	return ""
}

// walk reads objects/ with limit and next until more is false; it returns the
// ids in order and the last X-TAXII-Date-Added-Last seen.
func (c *taxiiClient) walk(col, params string) ([]string, string) {
	c.t.Helper()
	var ids []string
	last, next := "", ""
	for {
		u := col + "objects/?" + params
		if next != "" {
			u += "&next=" + url.QueryEscape(next)
		}
		a := c.get(u)
		objs, _ := a.body["objects"].([]any)
		for _, o := range objs {
			ids = append(ids, o.(map[string]any)["id"].(string))
		}
		if len(objs) > 0 {
			if a.header.Get("X-TAXII-Date-Added-First") == "" || a.header.Get("X-TAXII-Date-Added-Last") == "" {
				c.t.Fatalf("page without X-TAXII-Date-Added headers: %v", a.header)
			}
			last = a.header.Get("X-TAXII-Date-Added-Last")
		}
		if a.body["more"] != true {
			return ids, last
		}
		next, _ = a.body["next"].(string)
		if next == "" {
			c.t.Fatal("more without next")
		}
	}
}

func greenIndicators(from, n int) []byte {
	objs := make([]map[string]any, n)
	for i := range n {
		k := from + i
		objs[i] = map[string]any{"type": "indicator", "spec_version": "2.1", "id": fmt.Sprintf("indicator--%08x-1111-4000-8000-%012x", k, k),
			"created": "2026-07-10T01:00:00.000Z", "modified": "2026-07-10T01:00:00.000Z", "name": fmt.Sprintf("Scanner %d", k),
			"indicator_types": []string{"malicious-activity"}, "pattern": fmt.Sprintf("[ipv4-addr:value = '198.18.%d.%d']", k/250, k%250+1),
			"pattern_type": "stix", "valid_from": "2026-07-10T00:00:00Z",
			"object_marking_refs": []string{"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"}}
	}
	b, _ := json.Marshal(map[string]any{"objects": objs})
	return b
}

func TestTAXIIClientWalk(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)

	// carrier-b reads over HTTP Basic with a key from `token issue --basic`.
	e, out, errb := testEnv("")
	if code := run(context.Background(), []string{"token", "issue", "--basic", "--org", "carrier-b", "--data", dir}, e); code != exitOK {
		t.Fatalf("token issue --basic: %d %s", code, errb)
	}
	key := strings.TrimSpace(out.String())
	keyID := strings.Fields(errb.String())[3]
	if !strings.HasPrefix(keyID, "apikey-") || len(key) < 40 {
		t.Fatalf("issued %q / %q", keyID, errb)
	}
	reader := &taxiiClient{t: t, auth: "Basic " + base64.StdEncoding.EncodeToString([]byte("carrier-b:"+key))}
	writer := &taxiiClient{t: t, auth: "Bearer " + tokens["carrier-a"]}

	// carrier-a submits three envelopes through the intake collection.
	intake := writer.collectionURL(h.base, "intake")
	var want []string
	for i := range 3 {
		a := writer.do("POST", intake+"objects/", greenIndicators(i*20, 20))
		if a.status != http.StatusAccepted || a.body["status"] != "complete" || a.body["success_count"] != 20.0 {
			t.Fatalf("POST envelope %d: %d %s", i, a.status, a.raw)
		}
		st := writer.get(resolve(t, intake, "../../status/"+a.body["id"].(string)+"/"))
		if st.body["id"] != a.body["id"] {
			t.Errorf("status: %s", st.raw)
		}
		for k := i * 20; k < i*20+20; k++ {
			want = append(want, fmt.Sprintf("indicator--%08x-1111-4000-8000-%012x", k, k))
		}
	}

	col := reader.collectionURL(h.base, "isac-members")
	ids, last := reader.walk(col, "limit=7&match[type]=indicator")
	if !slices.Equal(ids, want) {
		t.Fatalf("walk with next: %d ids, want %d in submission order:\n%v", len(ids), len(want), ids)
	}

	// Polling: nothing new after the last date_added; then exactly the new ones.
	if more, _ := reader.walk(col, "limit=7&match[type]=indicator&added_after="+url.QueryEscape(last)); len(more) != 0 {
		t.Errorf("nothing new, got %v", more)
	}
	if a := writer.do("POST", intake+"objects/", greenIndicators(60, 5)); a.status != http.StatusAccepted {
		t.Fatalf("POST: %d %s", a.status, a.raw)
	}
	fresh, _ := reader.walk(col, "limit=2&match[type]=indicator&added_after="+url.QueryEscape(last))
	if len(fresh) != 5 || fresh[0] != fmt.Sprintf("indicator--%08x-1111-4000-8000-%012x", 60, 60) {
		t.Errorf("after added_after: %v", fresh)
	}

	// Revoking the key (by its id) shuts the reader out with a Basic challenge.
	e, _, errb = testEnv("")
	if code := run(context.Background(), []string{"token", "revoke", "--data", dir, keyID}, e); code != exitOK {
		t.Fatalf("token revoke %s: %d %s", keyID, code, errb)
	}
	a := reader.do("GET", col+"objects/", nil)
	if a.status != http.StatusUnauthorized || !strings.Contains(strings.Join(a.header.Values("WWW-Authenticate"), ","), "Basic") {
		t.Errorf("revoked key: %d %v", a.status, a.header)
	}
}

// BenchmarkTAXIIRead1MHTTP is BenchmarkTAXIIRead1M (store/sqlite) through the
// whole server: the real `kakehashi serve` on loopback, a bearer token, every
// page of 1,000 of a 1,000,000-object collection read with next. The
// collection is filled by SQL in one transaction before the hub starts.
//
//	go test -run '^$' -bench TAXIIRead1MHTTP -benchtime 1x ./cmd/kakehashi/
func BenchmarkTAXIIRead1MHTTP(b *testing.B) {
	const total = 1_000_000
	dir := b.TempDir()
	if _, err := ensureDemoWorld(dir); err != nil {
		b.Fatal(err)
	}
	e, _, errb := testEnv("")
	if code := run(context.Background(), []string{"token", "issue", "--org", "carrier-b", "--data", dir}, e); code != exitOK { // creates the database
		b.Fatalf("token issue: %s", errb)
	}
	fillChannel(b, filepath.Join(dir, dbFile), total)
	tok := issueToken(b, dir, "carrier-b")

	ctx, cancel := context.WithCancel(context.Background())
	e, _, errb = testEnv("")
	ready := make(chan string, 1)
	e.ready = func(addr string) { ready <- addr }
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, e) }()
	var base string
	select {
	case addr := <-ready:
		base = "http://" + addr
	case <-done:
		b.Fatalf("serve: %s", errb)
	}
	defer func() { cancel(); <-done }()
	c := &taxiiClient{t: b, auth: "Bearer " + tok}
	col := c.collectionURL(base, "isac-members")

	b.ResetTimer()
	var lat []time.Duration
	for range b.N {
		lat = lat[:0]
		n, next := 0, ""
		for {
			u := col + "objects/?limit=1000"
			if next != "" {
				u += "&next=" + url.QueryEscape(next)
			}
			start := time.Now()
			a := c.get(u)
			lat = append(lat, time.Since(start))
			n += len(a.body["objects"].([]any))
			if a.body["more"] != true {
				break
			}
			next = a.body["next"].(string)
		}
		if n != total {
			b.Fatalf("read %d, want %d", n, total)
		}
	}
	b.StopTimer()
	reportLatency(b, lat, total)
}

func issueToken(b *testing.B, dir, org string) string {
	e, out, errb := testEnv("")
	if code := run(context.Background(), []string{"token", "issue", "--org", org, "--data", dir}, e); code != exitOK {
		b.Fatalf("token issue: %s", errb)
	}
	return strings.TrimSpace(out.String())
}

// fillChannel writes total released isac-members entries, a thousand per date_added.
func fillChannel(b *testing.B, path string, total int) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_foreign_keys=on&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO submissions(id, organization, received_at, bundle_id, digest) VALUES ('s-bench', 'carrier-a', '2026-07-10T01:00:00.000000Z', '', 'd-bench')`); err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.Prepare(`INSERT INTO channel_entries(channel, object_id, version, version_key, submission_id, organization, recipients, status, date_added, json_id)
		VALUES ('isac-members', ?, '2026-07-10T01:00:00.000Z', '2026-07-10T01:00:00.000000000Z', 's-bench', 'carrier-a', NULL, 'released', ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2026, 7, 10, 1, 0, 0, 0, time.UTC)
	for i := range total {
		id := fmt.Sprintf("indicator--%08x-0000-4000-8000-%012x", i, i)
		js := fmt.Sprintf(`{"created":"2026-07-10T01:00:00.000Z","id":%q,"indicator_types":["malicious-activity"],"modified":"2026-07-10T01:00:00.000Z","name":"Scanner %d","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],"pattern":"[ipv4-addr:value = '198.18.%d.%d']","pattern_type":"stix","spec_version":"2.1","type":"indicator","valid_from":"2026-07-10T00:00:00Z"}`,
			id, i, (i/250)%250, i%250+1)
		body, err := tx.Exec(`INSERT INTO copy_objects(json) VALUES (?)`, []byte(js))
		if err != nil {
			b.Fatal(err)
		}
		jsonID, _ := body.LastInsertId()
		if _, err := stmt.Exec(id, t0.Add(time.Duration(i/1000)*time.Millisecond).Format("2006-01-02T15:04:05.000000Z"), jsonID); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// reportLatency reports objects/s, p50/p99 and the first-ten and last-ten page means.
func reportLatency(b *testing.B, lat []time.Duration, total int) {
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	mean := func(ds []time.Duration) float64 {
		var s time.Duration
		for _, d := range ds {
			s += d
		}
		return ms(s) / float64(len(ds))
	}
	sorted := slices.Clone(lat)
	slices.Sort(sorted)
	b.ReportMetric(float64(total)/sum.Seconds(), "objects/s")
	b.ReportMetric(ms(sorted[len(sorted)/2]), "p50_ms")
	b.ReportMetric(ms(sorted[int(0.99*float64(len(sorted)-1))]), "p99_ms")
	b.ReportMetric(mean(lat[:10]), "first10_ms")
	b.ReportMetric(mean(lat[len(lat)-10:]), "last10_ms")
	b.ReportMetric(0, "ns/op")
}
