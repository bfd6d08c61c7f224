package sharing

import (
	"context"
	"fmt"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// PreviousVersion returns the caller's version of an incident that came
// before modified: the report a follow-up (第2報, 第3報, 最終報) continues,
// so that the console can show what changed. It finds it among the
// caller's own stored versions, so it never reads another organization's;
// ErrNotFound when there is none (a first report).
func (s *Submissions) PreviousVersion(ctx context.Context, caller *Organization, incidentID, modified string) (*stix.Object, error) {
	if caller == nil {
		return nil, fmt.Errorf("previous version: %w", ErrNotFound)
	}
	stored, err := s.Store.FindObjectBefore(ctx, caller.ID, incidentID, modified)
	if err != nil {
		return nil, err
	}
	return stix.DecodeObject(stored.JSON)
}
