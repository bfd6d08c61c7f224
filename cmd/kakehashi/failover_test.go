package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/crypto/token"
	"github.com/kakehashi-hub/kakehashi/store/postgres/pgtest"
)

// execMainEnv makes the test binary the kakehashi command: started with it
// set, TestMain runs main() instead of the tests, so that a test can run a
// hub (or any command) as an OS process of its own and kill it with SIGKILL.
// The binary is the one under test, race detector included, and nothing has
// to be built.
const execMainEnv = "KAKEHASHI_TEST_EXEC_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(execMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// commandProcess returns the kakehashi command with args as a process of its
// own, in an environment without the caller's KAKEHASHI_* variables.
func commandProcess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KAKEHASHI_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, execMainEnv+"=1")
	return cmd
}

// listenLine catches the address in serve's "listening on" line.
var listenLine = regexp.MustCompile(`listening on (http://\S+)\n`)

// addrWatcher is a process's stdout: it keeps the output and hands over the
// base URL once serve has printed it.
type addrWatcher struct {
	syncBuffer
	once sync.Once
	base chan string
}

func (w *addrWatcher) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	if m := listenLine.FindStringSubmatch(w.String()); m != nil {
		w.once.Do(func() { w.base <- m[1] })
	}
	return n, err
}

// osHub is `kakehashi serve` running as an OS process.
type osHub struct {
	cmd    *exec.Cmd
	base   string
	out    *addrWatcher
	stderr *syncBuffer
	exited chan struct{} // closed when the process has exited; then err is set
	err    error
}

// startOSHub starts serve in a process of its own on a free loopback port;
// ready waits until it answers. The process is killed at the end of the test
// if it still runs.
func startOSHub(t *testing.T, args ...string) *osHub {
	t.Helper()
	cmd := commandProcess(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	h := &osHub{cmd: cmd, out: &addrWatcher{base: make(chan string, 1)}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = h.out, h.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start serve: %v", err)
	}
	go func() { h.err = cmd.Wait(); close(h.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // an error only says it has exited
		<-h.exited
	})
	return h
}

// ready waits for serve's "listening on" line, then for /readyz to answer 200.
func (h *osHub) ready(t *testing.T) {
	t.Helper()
	select {
	case h.base = <-h.out.base:
	case <-h.exited:
		t.Fatalf("serve exited before listening: %v\n%s", h.err, h.stderr)
	case <-time.After(3 * time.Minute):
		t.Fatalf("serve did not listen within 3 min:\n%s", h.stderr)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(2 * time.Minute) // the first sweep and statistics run before it serves
	for {
		resp, err := client.Get(h.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/readyz not 200 within 2 min (%v):\n%s", h.base, err, h.stderr)
		}
		time.Sleep(50 * time.Millisecond) // polling the condition itself
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (h *osHub) kill(t *testing.T) {
	t.Helper()
	if err := h.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill -9: %v", err)
	}
	<-h.exited
	var ee *exec.ExitError
	if !errors.As(h.err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("hub did not die of SIGKILL: %v", h.err)
	}
	if strings.Contains(h.stderr.String(), "DATA RACE") {
		t.Errorf("the killed hub had a data race:\n%s", h.stderr)
	}
}

// stop sends SIGTERM and wants a clean exit without a data race.
func (h *osHub) stop(t *testing.T) {
	t.Helper()
	if err := h.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-h.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("hub did not stop within 60 s of SIGTERM:\n%s", h.stderr)
	}
	if h.err != nil || strings.Contains(h.stderr.String(), "DATA RACE") {
		t.Errorf("hub's exit: %v\n%s", h.err, h.stderr)
	}
}

// submitResult is a failover writer's outcome of one submission.
type submitResult struct {
	writer  int
	hub     string // base URL the submission went to
	org     string
	objects []string  // ids of the objects sent
	sent    time.Time // when the request started
	status  int       // the answer's status; 0 without an answer
	id      string    // submission id, when acknowledged (2xx)
	answer  string    // the answer's start, for a message
	err     error     // no (whole) answer: the hub died or refused the connection
}

// failoverWriter submits bundles of TLP:GREEN indicators it alone owns to
// hub and, once that fails to answer, to the survivor, until stop is closed
// or it has made maxAttempts.
type failoverWriter struct {
	n             int
	org, token    string
	hub, survivor string
	perBundle     int
	maxAttempts   int
	client        *http.Client
	results       chan<- submitResult
	stop          <-chan struct{}
}

func (w *failoverWriter) run() {
	for i := range w.maxAttempts {
		select {
		case <-w.stop:
			return
		default:
		}
		r := submitResult{writer: w.n, hub: w.hub, org: w.org}
		objs := make([]map[string]any, w.perBundle)
		for j := range objs {
			k := i*w.perBundle + j
			id := fmt.Sprintf("indicator--%08x-2222-4000-8000-%012x", w.n, k)
			r.objects = append(r.objects, id)
			objs[j] = map[string]any{"type": "indicator", "spec_version": "2.1", "id": id,
				"created": "2026-07-10T01:00:00.000Z", "modified": "2026-07-10T01:00:00.000Z", "name": fmt.Sprintf("Writer %d scanner %d", w.n, k),
				"indicator_types": []string{"malicious-activity"}, "pattern": fmt.Sprintf("[ipv4-addr:value = '198.18.%d.%d']", w.n, k%250+1),
				"pattern_type": "stix", "valid_from": "2026-07-10T00:00:00Z",
				"object_marking_refs": []string{"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"}}
		}
		body, _ := json.Marshal(map[string]any{"type": "bundle", "id": fmt.Sprintf("bundle--%08x-2222-4000-8000-%012x", w.n, i), "objects": objs})
		r.sent = time.Now()
		w.post(body, &r)
		if r.err != nil {
			w.hub = w.survivor // carry on against the survivor
		}
		w.results <- r
	}
}

// post sends one bundle and fills r from the answer.
func (w *failoverWriter) post(body []byte, r *submitResult) {
	req, err := http.NewRequest("POST", w.hub+"/api/v1/submissions", bytes.NewReader(body))
	if err != nil {
		r.err = err
		return
	}
	req.Header.Set("Authorization", "Bearer "+w.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		r.err = err
		return
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		r.err = err // the answer was cut: not acknowledged
		return
	}
	var ans struct {
		SubmissionID string `json:"submission_id"`
	}
	_ = json.Unmarshal(raw, &ans)
	r.status, r.answer = resp.StatusCode, fmt.Sprintf("%.300s", raw)
	if resp.StatusCode/100 == 2 {
		r.id = ans.SubmissionID
	}
}

// failoverTally is what the writers reported, as the test goroutine reads it.
type failoverTally struct {
	t          *testing.T
	dead       string    // base URL of the killed hub, once killed
	killedAt   time.Time // just before the kill
	acks       []submitResult
	acksOn     map[string]int
	afterKill  map[int]int    // acknowledged on the survivor after the kill, per writer
	unanswered int            // submissions to the dead hub without an answer
	inFlight   int            // of which sent before the kill
	lost       []submitResult // those unanswered submissions
	committed  int            // of which the reader saw (the kill came after the commit)
	objectsAck int
}

func (ft *failoverTally) add(r submitResult) {
	switch {
	case r.err != nil && ft.dead != "" && r.hub == ft.dead:
		ft.unanswered++
		ft.lost = append(ft.lost, r)
		if r.sent.Before(ft.killedAt) {
			ft.inFlight++
		}
	case r.err != nil:
		ft.t.Errorf("writer %d: %s answered nothing: %v", r.writer, r.hub, r.err)
	case r.status/100 != 2 || r.id == "":
		ft.t.Errorf("writer %d: %s answered %d: %s", r.writer, r.hub, r.status, r.answer)
	default:
		ft.acks = append(ft.acks, r)
		ft.acksOn[r.hub]++
		ft.objectsAck += len(r.objects)
		if ft.dead != "" && r.hub != ft.dead {
			ft.afterKill[r.writer]++
		}
	}
}

// drain reads the results already there.
func (ft *failoverTally) drain(results <-chan submitResult) {
	for {
		select {
		case r, ok := <-results:
			if !ok {
				return
			}
			ft.add(r)
		default:
			return
		}
	}
}

// wait reads n results; it fails the test after two minutes.
func (ft *failoverTally) wait(results <-chan submitResult, n int) {
	ft.t.Helper()
	timeout := time.After(2 * time.Minute)
	for range n {
		select {
		case r := <-results:
			ft.add(r)
		case <-timeout:
			ft.t.Fatalf("writers: no answer within two minutes (acknowledged per hub: %v)", ft.acksOn)
		}
	}
}

// failoverReader pages a TAXII collection as a polling client does: with
// next while the server says more, then a new walk from added_after = the
// last page's X-TAXII-Date-Added-Last (TAXII 2.1 §3.4). A next token
// is bound to the filters of its walk, which query keeps.
type failoverReader struct {
	c     *taxiiClient
	ids   []string
	query string // the filters of the current walk
	next  string // "" between walks
	last  string
	pages int
}

const failoverFilters = "limit=5&match[type]=indicator"

// step reads one page of col and reports whether the server said more.
func (r *failoverReader) step(col string) bool {
	r.c.t.Helper()
	u := col + "objects/?" + r.query
	if r.next != "" {
		u += "&next=" + url.QueryEscape(r.next)
	}
	a := r.c.get(u)
	r.pages++
	objs, _ := a.body["objects"].([]any) // absent from an empty page
	for _, o := range objs {
		r.ids = append(r.ids, o.(map[string]any)["id"].(string))
	}
	if len(objs) > 0 {
		if r.last = a.header.Get("X-TAXII-Date-Added-Last"); r.last == "" {
			r.c.t.Fatalf("GET %s: a page without X-TAXII-Date-Added-Last", u)
		}
	}
	if a.body["more"] == true {
		if r.next, _ = a.body["next"].(string); r.next == "" {
			r.c.t.Fatalf("GET %s: more without next", u)
		}
		return true
	}
	r.next = ""
	if r.last != "" {
		r.query = failoverFilters + "&added_after=" + url.QueryEscape(r.last)
	}
	return false
}

// failoverHubs makes the data directories of two hubs of one
// deployment: the demo registry and the hub's keys, the same in both; then it
// starts both hubs (plain serve, not --demo) at once and, while they start,
// issues tokens through the real `token issue` for the organizations the
// test uses.
func failoverHubs(t *testing.T, db string, orgs []string) (hubs [2]*osHub, dirs [2]string, tokens map[string]string) {
	t.Helper()
	dirs[0] = t.TempDir()
	if _, err := ensureDemoWorld(dirs[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := token.LoadOrCreateKey(filepath.Join(dirs[0], jwtKeyFile)); err != nil {
		t.Fatal(err)
	}
	if err := ensureHubPGPKey(dirs[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := pseudonymKey(Config{DataDir: dirs[0]}); err != nil {
		t.Fatal(err)
	}
	dirs[1] = secondHubDir(t, dirs[0])
	// The survivor tries for the lead every second, not every 30 s.
	conf := filepath.Join(t.TempDir(), "kakehashi.yaml")
	if err := os.WriteFile(conf, []byte("leader_interval: 1s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, dir := range dirs {
		hubs[i] = startOSHub(t, "--config", conf, "--data", dir, "--database", db)
	}
	tokens = map[string]string{}
	for _, org := range orgs {
		e, out, errb := testEnv("")
		if code := run(context.Background(), []string{"token", "issue", "--org", org, "--data", dirs[0], "--database", db}, e); code != exitOK {
			t.Fatalf("token issue --org %s: exit %d: %s", org, code, errb)
		}
		tokens[org] = strings.TrimSpace(out.String())
	}
	for _, h := range hubs {
		h.ready(t)
	}
	return hubs, dirs, tokens
}

// TestFailoverKill9 is the failure test of issue #14: two hubs, real OS
// processes on loopback over one PostgreSQL; 8 writers spread across both;
// a TAXII reader paging through the leading hub while they write; `kill -9`
// of that hub mid-load. Every acknowledged submission must be readable
// through the survivor (API and TAXII), the reader must resume on the
// survivor with its next token and read every object of the collection
// exactly once, the survivor must take the lead, and `audit verify` must
// pass on the database (docs/deployment.md).
func TestFailoverKill9(t *testing.T) {
	begin := time.Now()
	db := pgtest.URL(t)
	carriers := []string{"carrier-a", "carrier-b", "carrier-c"}
	hubs, dirs, tokens := failoverHubs(t, db, append(slices.Clone(carriers), "ict-isac"))
	started := time.Since(begin)
	// The victim is the hub that leads: killing it also kills the leader.
	victim, survivor := hubs[0], hubs[1]
	if strings.Contains(survivor.stderr.String(), "now leads") {
		victim, survivor = survivor, victim
	}
	if !strings.Contains(victim.stderr.String(), "now leads") {
		t.Fatalf("no hub leads:\n%s\n%s", victim.stderr, survivor.stderr)
	}
	reader := &taxiiClient{t: t, auth: "Bearer " + tokens["ict-isac"]}
	colV := reader.collectionURL(victim.base, "isac-members")
	colS := reader.collectionURL(survivor.base, "isac-members")

	results, stopWriters := startFailoverWriters(t, carriers, tokens, victim.base, survivor.base)
	ft := &failoverTally{t: t, acksOn: map[string]int{}, afterKill: map[int]int{}}

	// The reader pages through the victim while the load builds up, until
	// both hubs have acknowledged 10 submissions and it holds a next token.
	// Caught up, it waits for two answers (6 new objects, more than a page)
	// before polling again, so that it soon holds one.
	rd := &failoverReader{c: reader, query: failoverFilters}
	for deadline := time.Now().Add(2 * time.Minute); ; {
		ft.drain(results)
		if ft.acksOn[victim.base] >= 10 && ft.acksOn[survivor.base] >= 10 && rd.next != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no load on both hubs and a next token within two minutes (acknowledged per hub: %v)", ft.acksOn)
		}
		if !rd.step(colV) {
			ft.wait(results, 2)
		}
	}
	readBefore, pagesBefore := len(rd.ids), rd.pages
	ft.dead, ft.killedAt = victim.base, time.Now()
	victim.kill(t)

	// The reader resumes on the survivor with the victim's next token and
	// pages on while the writers carry on there, until each has had 5
	// submissions acknowledged by the survivor; then to the end.
	for done := false; !done; {
		ft.drain(results)
		done = true
		for n := range failoverWriters {
			done = done && ft.afterKill[n] >= 5
		}
		if !done && !rd.step(colS) {
			ft.wait(results, 1)
		}
	}
	stopWriters()
	for r := range results {
		ft.add(r)
	}
	if ft.inFlight == 0 {
		t.Errorf("no submission was under way on the victim when it was killed (%d unanswered after)", ft.unanswered)
	}
	for rd.step(colS) {
	}
	read := rd.ids
	checkFailoverRead(t, ft, read)
	if fresh, _ := reader.walk(colS, failoverFilters); !slices.Equal(fresh, read) {
		t.Errorf("the reader's walk across the kill (%d ids) differs from a fresh walk on the survivor (%d ids)", len(read), len(fresh))
	}
	checkFailoverSubmissions(t, ft, survivor.base, tokens)

	out := checkFailoverLead(t, survivor, ft.killedAt, dirs[1], db)
	t.Logf("%d submissions acknowledged (%d by the victim before its death, %d by the survivor; %d objects); "+
		"unanswered by the dead hub %d (%d under way at the kill, %d of them committed); reader: %d objects in %d pages through the victim, %d in %d through the survivor; %s; %.1f s (hubs up after %.1f s)",
		len(ft.acks), ft.acksOn[victim.base], ft.acksOn[survivor.base], ft.objectsAck, ft.unanswered, ft.inFlight, ft.committed,
		readBefore, pagesBefore, len(read)-readBefore, rd.pages-pagesBefore, out, time.Since(begin).Seconds(), started.Seconds())
}

// failoverWriters is how many writers the failure test runs.
const failoverWriters = 8

// startFailoverWriters starts the failure test's writers, half on hub and
// half on the survivor, the carriers' tokens in turn. They report on
// results; stop makes them stop and waits for them (also at the end of the
// test, before the hubs are killed).
func startFailoverWriters(t *testing.T, carriers []string, tokens map[string]string, hub, survivor string) (<-chan submitResult, func()) {
	const maxAttempts = 300                                         // a bound, far above what the test waits for
	results := make(chan submitResult, failoverWriters*maxAttempts) // never blocks a writer
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: time.Minute}
	for n := range failoverWriters {
		w := &failoverWriter{n: n, org: carriers[n%len(carriers)], token: tokens[carriers[n%len(carriers)]], hub: hub, survivor: survivor,
			perBundle: 3, maxAttempts: maxAttempts, client: client, results: results, stop: stop}
		if n%2 == 1 {
			w.hub = survivor
		}
		wg.Add(1)
		go func() { defer wg.Done(); w.run() }()
	}
	stopWriters := sync.OnceFunc(func() { close(stop); wg.Wait(); close(results) })
	t.Cleanup(stopWriters)
	return results, stopWriters
}

// checkFailoverLead waits for the survivor to take the lead the dead hub's
// session held (leader_interval 1s; a minute for a busy machine), stops it
// (the leader signs a last checkpoint) and runs `audit verify` as a process
// on the database; it returns what verify printed.
func checkFailoverLead(t *testing.T, survivor *osHub, killedAt time.Time, dir, db string) string {
	t.Helper()
	for !strings.Contains(survivor.stderr.String(), "now leads") {
		if time.Since(killedAt) > time.Minute {
			t.Fatalf("the survivor did not take the lead within a minute of the kill:\n%s", survivor.stderr)
		}
		time.Sleep(100 * time.Millisecond) // polling the log itself
	}
	survivor.stop(t)
	out, err := commandProcess(t, "audit", "verify", "--data", dir, "--database", db).CombinedOutput()
	if err != nil {
		t.Errorf("audit verify --database after the kill: %v\n%s", err, out)
	} else if strings.Contains(string(out), " 0 signed checkpoints") {
		t.Errorf("audit verify checked no checkpoint of the survivor's: %s", out)
	}
	return strings.TrimSpace(string(out))
}

// checkFailoverRead wants every object of every acknowledged submission in
// what the reader read, nothing read twice, and of a submission the dead hub
// never answered all objects or none (intake is one transaction).
func checkFailoverRead(t *testing.T, ft *failoverTally, read []string) {
	t.Helper()
	seen := map[string]int{}
	for _, id := range read {
		seen[id]++
		if seen[id] == 2 {
			t.Errorf("the reader read %s twice", id)
		}
	}
	missing := 0
	for _, r := range ft.acks {
		for _, id := range r.objects {
			if seen[id] == 0 {
				missing++
				if missing <= 5 {
					t.Errorf("object %s of acknowledged submission %s (writer %d on %s) never reached the reader", id, r.id, r.writer, r.hub)
				}
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d acknowledged objects missing from the reader's %d", missing, len(read))
	}
	for _, r := range ft.lost {
		n := 0
		for _, id := range r.objects {
			n += min(seen[id], 1)
		}
		switch n {
		case 0:
		case len(r.objects):
			ft.committed++
		default:
			t.Errorf("writer %d's unanswered submission left %d of its %d objects: %v", r.writer, n, len(r.objects), r.objects)
		}
	}
}

// checkFailoverSubmissions reads every acknowledged submission by id on the
// survivor, as its submitter.
func checkFailoverSubmissions(t *testing.T, ft *failoverTally, survivor string, tokens map[string]string) {
	t.Helper()
	for _, r := range ft.acks {
		status, body := request(t, "GET", survivor+"/api/v1/submissions/"+r.id, tokens[r.org], nil)
		if status != http.StatusOK {
			t.Errorf("acknowledged submission %s (writer %d on %s): %d on the survivor", r.id, r.writer, r.hub, status)
			continue
		}
		var got []string
		objs, _ := body["objects"].([]any)
		for _, o := range objs {
			got = append(got, o.(map[string]any)["id"].(string))
		}
		if !slices.Equal(got, r.objects) {
			t.Errorf("submission %s on the survivor holds %v, want %v", r.id, got, r.objects)
		}
	}
}
