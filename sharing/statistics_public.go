package sharing

import (
	"context"
	"encoding/json"
	"slices"
	"sort"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// Published returns the quarterly statistics as the public channel carries
// them (SHARING.md §2): the latest released version of each period's report
// that the hub published, oldest period first. It reads only the public
// channel, as an anonymous reader would, so that a page built from it shows
// nothing the public may not read (small counts are already "<3" there).
// The read is audited like any read of a channel; reader is nil for an
// anonymous visitor.
func (s *Statistics) Published(ctx context.Context, reader *Organization) ([]QuarterStatistics, error) {
	entries, err := s.Store.FindChannelEntries(ctx, ChannelFilter{Channel: ChannelPublic})
	if err != nil {
		return nil, err
	}
	out := []QuarterStatistics{}
	for _, e := range entries {
		if st, ok := publishedStatistics(e); ok {
			out = append(out, st)
		}
	}
	if err := s.Store.AppendAudit(ctx, AuditEvent{Actor: reader.Actor(), Action: AuditChannelRead, Subject: string(ChannelPublic),
		Detail: map[string]any{"objects": len(out), "via": "statistics"}}); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return periodBefore(out[i].Period, out[j].Period) })
	return out, nil
}

// publishedStatistics reads one public entry as statistics: only the hub's
// own statistics reports count (a carrier's CLEAR report that imitates one
// is not the hub's publication).
func publishedStatistics(e ChannelEntry) (QuarterStatistics, bool) {
	if e.Organization != HubOrganization {
		return QuarterStatistics{}, false
	}
	o, err := stix.DecodeObject(e.JSON)
	if err != nil || o.Type != "report" {
		return QuarterStatistics{}, false
	}
	if rev, _ := o.Props["revoked"].(bool); rev {
		return QuarterStatistics{}, false
	}
	types, _ := o.Props["report_types"].([]any)
	if !slices.Contains(types, any("statistics")) {
		return QuarterStatistics{}, false
	}
	raw, err := json.Marshal(o.Props["x_kakehashi_statistics"])
	if err != nil {
		return QuarterStatistics{}, false
	}
	var st QuarterStatistics
	if err := json.Unmarshal(raw, &st); err != nil || st.Period == "" {
		return QuarterStatistics{}, false
	}
	if _, err := reporting.ParsePeriod(st.Period); err != nil {
		return QuarterStatistics{}, false
	}
	return st, true
}

func periodBefore(a, b string) bool {
	pa, errA := reporting.ParsePeriod(a)
	pb, errB := reporting.ParsePeriod(b)
	if errA != nil || errB != nil {
		return a < b
	}
	return pa.Start().Before(pb.Start())
}
