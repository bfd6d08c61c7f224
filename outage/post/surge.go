package post

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/kakehashi-hub/kakehashi/outage"
)

// Config configures a Detector. Zero values take the defaults of
// docs/signals.md.
type Config struct {
	Carriers []outage.Carrier // names and aliases; prefixes go into the signal
	Words    []string         // outage words; default DefaultWords
	// Alpha is the weight of the newest minute in the EWMA baseline
	// (default 0.1: about the last ten minutes count most).
	Alpha float64
	// Z is the z-score a minute's count must reach over the baseline
	// (default 4).
	Z float64
	// MinCount is the fewest posts in a minute that can be a surge
	// (default 10): a quiet carrier's 0 → 2 is no outage.
	MinCount int
	// Warmup is how many minutes of baseline a carrier needs before it can
	// surge (default 10).
	Warmup int
	// MinStdDev floors the baseline's standard deviation (default 1), so a
	// perfectly steady baseline does not turn one extra post into a surge.
	MinStdDev float64
}

// Detector counts matching posts per carrier per minute against each
// carrier's own EWMA baseline. Posts must come in time order (a post older
// than the current minute is counted in it); it is not safe for concurrent
// use.
type Detector struct {
	cfg      Config
	names    []*matcher
	words    *matcher
	minute   time.Time // start of the minute being counted; zero before the first post
	counts   []int
	mean     []float64
	variance []float64
	seen     []int  // minutes of baseline
	surging  []bool // the last closed minute was a surge: signal only at the onset
}

// NewDetector checks the configuration and fills its defaults.
func NewDetector(cfg Config) (*Detector, error) {
	if cfg.Words == nil {
		cfg.Words = DefaultWords
	}
	if cfg.Alpha == 0 {
		cfg.Alpha = 0.1
	}
	if cfg.Z == 0 {
		cfg.Z = 4
	}
	if cfg.MinCount == 0 {
		cfg.MinCount = 10
	}
	if cfg.Warmup == 0 {
		cfg.Warmup = 10
	}
	if cfg.MinStdDev == 0 {
		cfg.MinStdDev = 1
	}
	switch {
	case cfg.Alpha <= 0 || cfg.Alpha >= 1:
		return nil, fmt.Errorf("user-report alpha %v must be between 0 and 1", cfg.Alpha)
	case cfg.Z <= 0 || cfg.MinCount < 1 || cfg.Warmup < 0 || cfg.MinStdDev <= 0:
		return nil, errors.New("user-report z, min_count and min_stddev must be positive")
	}
	n := len(cfg.Carriers)
	d := &Detector{cfg: cfg, words: newMatcher(cfg.Words), counts: make([]int, n), mean: make([]float64, n),
		variance: make([]float64, n), seen: make([]int, n), surging: make([]bool, n)}
	for _, c := range cfg.Carriers {
		d.names = append(d.names, newMatcher(c.Names))
	}
	return d, nil
}

// Carriers returns the indexes of the carriers a post names together with an
// outage word; none when it names none or has no outage word.
func (d *Detector) Carriers(text string) []int {
	f := fold(text)
	tight := stripSpaces(f)
	if !d.words.match(f, tight) {
		return nil
	}
	var out []int
	for i, m := range d.names {
		if m.match(f, tight) {
			out = append(out, i)
		}
	}
	return out
}

func stripSpaces(s string) string {
	b := []byte(s)
	return string(slices.DeleteFunc(b, func(c byte) bool { return c == ' ' }))
}

// Observe counts one post and returns the signals of the minutes it closed.
func (d *Detector) Observe(p Post) []outage.Signal {
	out := d.Flush(p.Time)
	if d.minute.IsZero() {
		d.minute = p.Time.UTC().Truncate(time.Minute)
	}
	for _, i := range d.Carriers(p.Text) {
		d.counts[i]++
	}
	return out
}

// maxGap bounds the empty minutes replayed after a silence; a longer gap
// decays the baselines as a day of silence would.
const maxGap = 24 * 60

// Flush closes every minute before now's and returns their signals.
func (d *Detector) Flush(now time.Time) []outage.Signal {
	cur := now.UTC().Truncate(time.Minute)
	var out []outage.Signal
	for n := 0; !d.minute.IsZero() && d.minute.Before(cur); n++ {
		if n == maxGap {
			d.minute = cur
			break
		}
		out = append(out, d.closeMinute()...)
		d.minute = d.minute.Add(time.Minute)
	}
	return out
}

// closeMinute judges the minute's counts against the baselines, then
// updates them (a surge minute does not raise the baseline it is judged by).
func (d *Detector) closeMinute() []outage.Signal {
	var out []outage.Signal
	for i := range d.counts {
		c := float64(d.counts[i])
		d.counts[i] = 0
		sd := math.Max(math.Sqrt(d.variance[i]), d.cfg.MinStdDev)
		z := (c - d.mean[i]) / sd
		surge := d.seen[i] >= d.cfg.Warmup && int(c) >= d.cfg.MinCount && z >= d.cfg.Z
		if surge && !d.surging[i] {
			out = append(out, d.signal(i, int(c), z))
		}
		d.surging[i] = surge
		if surge {
			continue
		}
		diff := c - d.mean[i]
		incr := d.cfg.Alpha * diff
		d.mean[i] += incr
		d.variance[i] = (1 - d.cfg.Alpha) * (d.variance[i] + diff*incr)
		d.seen[i]++
	}
	return out
}

func (d *Detector) signal(i, count int, z float64) outage.Signal {
	c := d.cfg.Carriers[i]
	return outage.Signal{
		ID:           outage.NewSignalID(outage.SourceUserReports, c.ID, d.minute.Format(time.RFC3339)),
		Organization: outage.SourceUserReports, ObservedAt: d.minute, Symptom: outage.UserReportSurge,
		// Posts do not say where; the carrier's networks tie the surge to
		// the carrier's own and routing signals. The anonymized view never
		// shows a carrier's networks.
		Prefixes: slices.Clone(c.Prefixes), Concerns: []string{c.ID},
		Note: fmt.Sprintf("%d posts naming %s with outage words in the minute from %s (baseline %.1f, z %.1f)",
			count, c.ID, d.minute.Format("15:04Z"), d.mean[i], z),
	}
}
