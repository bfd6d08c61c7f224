package sharing

import (
	"fmt"
	"strings"
	"time"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// The default plausible window for the times of a report: nothing in the
// sector's digital records predates 1985 (the Telecommunications Business Act
// took effect on 1 April 1985), and a report may run ahead of the hub's clock
// by at most a day (clock skew, time zones written wrong).
var (
	DefaultEarliest   = time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC)
	DefaultFutureSkew = 24 * time.Hour
)

// TimeWindow is the range of plausible times of the telecom extension. A time
// outside it is refused at intake: a typo such as year 9999 would otherwise
// produce deadlines that mean nothing (and, beyond year 9999, cannot be
// written as dates at all).
type TimeWindow struct {
	Earliest time.Time
	Latest   time.Time
}

// window returns the intake's window for a submission received at now.
func (in *Intake) window(now time.Time) TimeWindow {
	w := TimeWindow{Earliest: in.Earliest, Latest: now.Add(in.FutureSkew)}
	if w.Earliest.IsZero() {
		w.Earliest = DefaultEarliest
	}
	if in.FutureSkew == 0 {
		w.Latest = now.Add(DefaultFutureSkew)
	}
	return w
}

// telecomTimes are the timestamp properties of the telecom extension, as JSON
// pointers below the extension (PROFILE.md §3).
var telecomTimes = []string{"occurred_at", "aware_at", "recovered_at", "disaster/emergency_measures_completed_at"}

// check returns a violation, with its pointer, for every telecom time of the
// bundle outside the window.
func (w TimeWindow) check(b *stix.Bundle) []stix.Violation {
	var v []stix.Violation
	for i, o := range b.Objects {
		exts, _ := o.Props["extensions"].(map[string]any)
		ext, _ := exts[stix.TelecomExtensionID].(map[string]any)
		if ext == nil {
			continue
		}
		base := fmt.Sprintf("/objects/%d/extensions/%s/", i, stix.TelecomExtensionID)
		for _, p := range telecomTimes {
			v = append(v, w.checkAt(base+p, lookup(ext, p))...)
		}
		services, _ := ext["services"].([]any)
		for j, sv := range services {
			svc, _ := sv.(map[string]any)
			steps, _ := svc["user_profile"].([]any)
			for k, st := range steps {
				step, _ := st.(map[string]any)
				for _, p := range []string{"start", "end"} {
					v = append(v, w.checkAt(fmt.Sprintf("%sservices/%d/user_profile/%d/%s", base, j, k, p), step[p])...)
				}
			}
		}
	}
	return v
}

func (w TimeWindow) checkAt(pointer string, value any) []stix.Violation {
	s, ok := value.(string)
	if !ok {
		return nil
	}
	t, err := stix.ParseTimestamp(s)
	if err != nil {
		return nil // the validator reports malformed timestamps
	}
	if t.Before(w.Earliest) || t.After(w.Latest) {
		return []stix.Violation{{Path: pointer, Message: fmt.Sprintf("%s is outside the plausible range %s to %s (one day after the hub received the report); check the year and the time zone",
			s, w.Earliest.Format(time.RFC3339), w.Latest.Format(time.RFC3339))}}
	}
	return nil
}

// lookup follows a slash-separated path through nested JSON objects.
func lookup(m map[string]any, path string) any {
	var cur any = m
	for {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		key, rest, more := strings.Cut(path, "/")
		cur = obj[key]
		if !more {
			return cur
		}
		path = rest
	}
}
