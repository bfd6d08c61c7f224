package sharing

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// PreviousVersion returns the caller's version of an incident that came
// before modified: the report a follow-up (第2報, 第3報, 最終報) continues,
// so that the console can show what changed. It finds it among the
// classifications intake recorded for the caller's own organization, so it
// never reads another organization's versions; ErrNotFound when there is
// none (a first report).
func (s *Submissions) PreviousVersion(ctx context.Context, caller *Organization, incidentID, modified string) (*stix.Object, error) {
	if caller == nil {
		return nil, fmt.Errorf("previous version: %w", ErrNotFound)
	}
	events, err := s.Store.FindAuditEvents(ctx, []string{AuditClassification})
	if err != nil {
		return nil, fmt.Errorf("find classifications: %w", err)
	}
	best := ""
	for _, e := range events {
		if e.Subject != incidentID || (e.Actor != caller.ID && !strings.HasPrefix(e.Actor, caller.ID+"/")) {
			continue
		}
		var d struct {
			Modified string `json:"modified"`
		}
		if json.Unmarshal([]byte(e.Detail), &d) != nil {
			continue
		}
		// STIX timestamps of one form compare as strings; parse to be safe
		// with different fractions.
		if older(d.Modified, modified) && (best == "" || older(best, d.Modified)) {
			best = d.Modified
		}
	}
	if best == "" {
		return nil, fmt.Errorf("no earlier version of %s: %w", incidentID, ErrNotFound)
	}
	stored, err := s.Store.FindObjectVersion(ctx, caller.ID, ObjectKey{ID: incidentID, Version: best})
	if err != nil {
		return nil, err
	}
	return stix.DecodeObject(stored.JSON)
}

// older reports whether STIX timestamp a is before b; unparseable ones are not.
func older(a, b string) bool {
	ta, err1 := stix.ParseTimestamp(a)
	tb, err2 := stix.ParseTimestamp(b)
	return err1 == nil && err2 == nil && ta.Before(tb)
}
