package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// validateOutput is the JSON `kakehashi validate` prints, both shapes.
type validateOutput struct {
	Valid    bool           `json:"valid"`
	Objects  int            `json:"objects"`
	Warnings []stix.Warning `json:"warnings"`
	Details  *struct {
		Violations []stix.Violation `json:"violations"`
		Warnings   []stix.Warning   `json:"warnings"`
	} `json:"details"`
}

// TestValidateCommandWarnings: the SHOULDs a bundle departs from are printed
// as warnings with their pointers, in the valid shape (exit 0) and next to
// the violations in the invalid shape (exit 1); a bundle without any prints
// no "warnings" key.
func TestValidateCommandWarnings(t *testing.T) {
	const (
		indicator = `{"type":"indicator","spec_version":"2.1","id":"indicator--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z","pattern_type":"stix","pattern":"[ipv4-addr:value = '198.51.100.7']","valid_from":"2026-07-10T00:00:00Z"`
		marking   = "marking-definition--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	)
	bundle := func(objs ...string) string {
		return `{"type":"bundle","id":"bundle--5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","objects":[` + strings.Join(objs, ",") + `]}`
	}
	tests := []struct {
		name           string
		stdin          string
		code           int
		wantWarnings   []string // paths
		wantViolations []string // paths
	}{
		{name: "valid without warnings", stdin: bundle(indicator + `,"indicator_types":["malicious-activity"]}`), code: exitOK},
		{name: "valid with warnings", stdin: bundle(indicator + `,"indicator_types":["Bad Guys"],"object_marking_refs":["` + marking + `"]}`),
			code: exitOK, wantWarnings: []string{"/objects/0/indicator_types/0", "/objects/0/object_marking_refs/0"}},
		{name: "invalid with warnings", stdin: bundle(indicator + `,"indicator_types":["Bad Guys"],"lang":"Japanese"}`),
			code: exitInvalid, wantWarnings: []string{"/objects/0/indicator_types/0"}, wantViolations: []string{"/objects/0/lang"}},
		{name: "undecodable", stdin: `{"objects":7}`, code: exitInvalid, wantViolations: []string{"/objects"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, out, errb := testEnv(tc.stdin)
			if code := run(context.Background(), []string{"validate", "-"}, e); code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tc.code, out, errb)
			}
			if len(tc.wantWarnings) == 0 && strings.Contains(out.String(), `"warnings"`) {
				t.Errorf("stdout has a warnings key without warnings:\n%s", out)
			}
			var got validateOutput
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, out)
			}
			var ws []stix.Warning
			var vs []stix.Violation
			if got.Details != nil {
				ws, vs = got.Details.Warnings, got.Details.Violations
				if len(got.Warnings) > 0 {
					t.Errorf("an invalid report carries warnings at the top level: %+v", got.Warnings)
				}
			} else {
				ws = got.Warnings
				if !got.Valid {
					t.Errorf("exit 0 without valid: true:\n%s", out)
				}
			}
			var wp, vp []string
			for _, w := range ws {
				wp = append(wp, w.Path)
				if w.Message == "" {
					t.Errorf("warning %s without a message", w.Path)
				}
			}
			for _, v := range vs {
				vp = append(vp, v.Path)
			}
			if diff := cmp.Diff(tc.wantWarnings, wp); diff != "" {
				t.Errorf("warning paths (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantViolations, vp); diff != "" {
				t.Errorf("violation paths (-want +got):\n%s", diff)
			}
		})
	}
}
