package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// walkByDate pages the way OpenCTI's TAXII ingester does: added_after = the
// previous page's X-TAXII-Date-Added-Last, ignoring next.
func (c *taxiiClient) walkByDate(col, params string) []string {
	c.t.Helper()
	var ids []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 5000 {
			c.t.Fatal("paging by added_after does not end")
		}
		u := col + "objects/?" + params
		if after != "" {
			u += "&added_after=" + url.QueryEscape(after)
		}
		a := c.get(u)
		objs, _ := a.body["objects"].([]any)
		if len(objs) == 0 {
			return ids
		}
		for _, o := range objs {
			ids = append(ids, o.(map[string]any)["id"].(string))
		}
		after = a.header.Get("X-TAXII-Date-Added-Last")
	}
}

// TestTAXIIPagingByDateLosesNothing posts 1,000 objects in one envelope and
// reads them back from the intake collection and from a channel, both with
// next and with added_after alone, at limits 1, 7 and 100: every id exactly
// once, in order (issue #12).
func TestTAXIIPagingByDateLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000-object paging skipped in -short mode")
	}
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	writer := &taxiiClient{t: t, auth: "Bearer " + tokens["carrier-a"]}
	reader := &taxiiClient{t: t, auth: "Bearer " + tokens["ict-isac"]}
	intake := writer.collectionURL(h.base, "intake")
	if a := writer.do("POST", intake+"objects/", greenIndicators(0, 1000)); a.status != http.StatusAccepted || a.body["success_count"] != 1000.0 {
		t.Fatalf("POST 1,000: %d %.300s", a.status, a.raw)
	}
	var want []string
	for k := range 1000 {
		want = append(want, fmt.Sprintf("indicator--%08x-1111-4000-8000-%012x", k, k))
	}
	for _, tc := range []struct {
		name   string
		client *taxiiClient
		col    string
	}{
		{"intake", writer, intake},
		{"isac-members", reader, reader.collectionURL(h.base, "isac-members")},
	} {
		for _, limit := range []int{1, 7, 100} {
			params := fmt.Sprintf("limit=%d&match[type]=indicator", limit)
			if got, _ := tc.client.walk(tc.col, params); !slices.Equal(got, want) {
				t.Errorf("%s, limit %d, with next: %d ids, want the 1,000 in order", tc.name, limit, len(got))
			}
			if got := tc.client.walkByDate(tc.col, params); !slices.Equal(got, want) {
				t.Errorf("%s, limit %d, by added_after alone: %d ids, want the 1,000 in order", tc.name, limit, len(got))
			}
		}
	}
}

// TestTAXIIPagingWhileOthersSubmit: a reader polls by added_after alone while
// two carriers submit concurrently; at the end it has read every object once.
func TestTAXIIPagingWhileOthersSubmit(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrent paging skipped in -short mode")
	}
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	reader := &taxiiClient{t: t, auth: "Bearer " + tokens["ict-isac"]}
	col := reader.collectionURL(h.base, "isac-members")
	var wg sync.WaitGroup
	for w, org := range []string{"carrier-b", "carrier-c"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &taxiiClient{t: t, auth: "Bearer " + tokens[org]}
			for i := range 10 {
				if a := c.do("POST", h.base+"/taxii2/hub/collections/intake/objects/", greenIndicators(10000*(w+1)+i*25, 25)); a.status != http.StatusAccepted || a.body["success_count"] != 25.0 {
					t.Errorf("%s POST: %d %.200s", org, a.status, a.raw)
				}
			}
		}()
	}
	seen := map[string]int{}
	after := ""
	poll := func() {
		for {
			u := col + "objects/?limit=13&match[type]=indicator"
			if after != "" {
				u += "&added_after=" + url.QueryEscape(after)
			}
			a := reader.get(u)
			objs, _ := a.body["objects"].([]any)
			if len(objs) == 0 {
				return
			}
			for _, o := range objs {
				seen[o.(map[string]any)["id"].(string)]++
			}
			after = a.header.Get("X-TAXII-Date-Added-Last")
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-time.After(5 * time.Millisecond):
		}
		poll()
	}
	poll()
	if len(seen) != 500 {
		t.Errorf("read %d distinct objects, want 500", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s read %d times", id, n)
		}
	}
}

// TestTAXIINextIsSealedAndMethodsAnswer405: the next token reveals nothing
// (no hub-wide sequence), a tampered one is refused, and other methods on
// TAXII resources are 405 with Allow.
func TestTAXIINextIsSealedAndMethodsAnswer405(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	c := &taxiiClient{t: t, auth: "Bearer " + tokens["carrier-a"]}
	if a := c.do("POST", h.base+"/taxii2/hub/collections/intake/objects/", greenIndicators(0, 5)); a.status != http.StatusAccepted {
		t.Fatalf("POST: %d %s", a.status, a.raw)
	}
	a := c.get(h.base + "/taxii2/hub/collections/intake/objects/?limit=2")
	next, _ := a.body["next"].(string)
	raw, err := base64.RawURLEncoding.DecodeString(next)
	if next == "" || err != nil {
		t.Fatalf("next %q: %v", next, err)
	}
	var plain map[string]any
	if json.Unmarshal(raw, &plain) == nil || strings.Contains(string(raw), `"s"`) {
		t.Errorf("next token is readable: %s", raw)
	}
	raw[len(raw)-1] ^= 1
	tampered := base64.RawURLEncoding.EncodeToString(raw)
	if a := c.do("GET", h.base+"/taxii2/hub/collections/intake/objects/?limit=2&next="+tampered, nil); a.status != http.StatusBadRequest {
		t.Errorf("tampered next: %d %s", a.status, a.raw)
	}
	if a := c.do("GET", h.base+"/taxii2/hub/collections/intake/objects/?limit=2&next="+url.QueryEscape(next), nil); a.status != http.StatusOK {
		t.Errorf("genuine next: %d %s", a.status, a.raw)
	}
	for _, tc := range []struct{ method, path, allow string }{
		{"PUT", "/taxii2/hub/collections/intake/objects/", "GET, HEAD, POST"},
		{"POST", "/taxii2/hub/collections/", "GET, HEAD"},
		{"PATCH", "/taxii2/hub/collections/intake/objects/indicator--00000000-1111-4000-8000-000000000000/", "GET, HEAD, DELETE"},
		{"DELETE", "/taxii2/", "GET, HEAD"},
	} {
		a := c.do(tc.method, h.base+tc.path, nil)
		if a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != tc.allow || a.body["http_status"] != "405" {
			t.Errorf("%s %s: %d Allow %q %s, want 405 Allow %q", tc.method, tc.path, a.status, a.header.Get("Allow"), a.raw, tc.allow)
		}
	}
}
