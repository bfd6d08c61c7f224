package anonymize

import (
	"testing"
)

// BenchmarkAnonymize measures the ceptoar profile, leak check included, over
// the whole corpus; MB/s is of submitted JSON.
func BenchmarkAnonymize(b *testing.B) {
	a := newTestAnonymizer(b)
	cs := loadCorpus(b)
	var n int64
	for _, c := range cs {
		n += int64(len(c.raw))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, c := range cs {
			res, err := a.Anonymize(c.bundle, c.expect.Submitter, ProfileCEPTOAR)
			if err != nil || res.Withheld {
				b.Fatal(err, res)
			}
		}
	}
}

// BenchmarkScrub measures string scrubbing alone on the corpus texts.
func BenchmarkScrub(b *testing.B) {
	a := newTestAnonymizer(b)
	var strs []string
	var n int64
	for _, c := range loadCorpus(b) {
		for _, o := range c.bundle.Objects {
			walkStrings(o.Props, func(_, v string) bool { strs = append(strs, v); n += int64(len(v)); return true })
		}
	}
	s := a.getScrubber()
	b.SetBytes(n)
	b.ResetTimer()
	for b.Loop() {
		for _, x := range strs {
			s.scrub(x)
		}
	}
}
