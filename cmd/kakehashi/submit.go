package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// cmdSubmit is `kakehashi submit`: sends a bundle to a running hub, the CLI
// way in for carriers (POST /api/v1/submissions), and prints the answer.
// Exit 0 when accepted, 1 when the hub refused the bundle, 2 on usage or
// connection problems.
func cmdSubmit(args []string, e env) int {
	fs := newFlagSet("submit", e)
	hubURL := fs.String("hub", "http://127.0.0.1:8080", "base URL of the hub")
	tok := fs.String("token", "", "access token (default $KAKEHASHI_TOKEN)")
	shareWith := fs.String("share-with", "", "comma-separated organization ids named for RED and AMBER+STRICT objects")
	hold := fs.Bool("hold", false, "hold community copies until you release them")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if len(pos) != 1 {
		return usageError(e, errors.New("submit takes one FILE, or - for standard input"))
	}
	if *tok == "" {
		*tok = e.getenv("KAKEHASHI_TOKEN")
	}
	if *tok == "" {
		return usageError(e, errors.New("no token: pass --token or set KAKEHASHI_TOKEN"))
	}
	data, err := readInput(pos[0], e)
	if err != nil {
		return usageError(e, err)
	}
	body := data
	if *shareWith != "" || *hold {
		var named []string
		for _, id := range strings.Split(*shareWith, ",") {
			if id = strings.TrimSpace(id); id != "" {
				named = append(named, id)
			}
		}
		body, err = json.Marshal(map[string]any{"bundle": json.RawMessage(data), "share_with": named, "hold_for_review": *hold})
		if err != nil {
			return usageError(e, fmt.Errorf("the file is not JSON: %w", err))
		}
	}
	req, err := http.NewRequest("POST", strings.TrimRight(*hubURL, "/")+"/api/v1/submissions", bytes.NewReader(body))
	if err != nil {
		return usageError(e, err)
	}
	req.Header.Set("Authorization", "Bearer "+*tok)
	req.Header.Set("Content-Type", "application/stix+json;version=2.1")
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	if err != nil {
		return usageError(e, fmt.Errorf("cannot reach the hub: %w", err))
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return usageError(e, err)
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, answer, "", "  ") == nil {
		answer = append(pretty.Bytes(), '\n')
	}
	if _, err := e.stdout.Write(answer); err != nil {
		return usageError(e, err)
	}
	switch {
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated:
		return exitOK
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden:
		return exitInvalid
	}
	fmt.Fprintf(e.stderr, "kakehashi: the hub answered %s\n", resp.Status)
	return exitUsage
}
