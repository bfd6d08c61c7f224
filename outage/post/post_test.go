package post

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/outage"
)

var carriers = []outage.Carrier{
	{ID: "carrier-a", Names: []string{"Sakura Telecom", "さくらテレコム株式会社", "さくらテレコム", "Sakura Telecom Inc.", "SKT"},
		Prefixes: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}},
	{ID: "carrier-b", Names: []string{"Kaede Networks", "かえでネットワークス"}},
}

var t0 = time.Date(2026, 7, 10, 14, 0, 0, 0, time.UTC)

func TestCarriers(t *testing.T) {
	d, err := NewDetector(Config{Carriers: carriers})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []int
	}{
		{"Sakura Telecom is down again", []int{0}},
		{"ＳＡＫＵＲＡ　ＴＥＬＥＣＯＭ　ｄｏｗｎ", []int{0}},         // full-width
		{"ｻｸﾗﾃﾚｺﾑ繋がらない", []int{0}},                // half-width katakana
		{"サクラテレコム、圏外なんだけど", []int{0}},             // katakana
		{"さくらてれこむ 通信障害？", []int{0}},               // hiragana
		{"#SakuraTelecom outage", []int{0}},       // hashtag
		{"SKTが圏外", []int{0}},                      // short alias next to kana
		{"SKT つながらない かえでネットワークスも", []int{0, 1}},   // two carriers
		{"Sakura Telecom download finished", nil}, // "down" inside a word
		{"Sakura Telecom のキャンペーン", nil},           // no outage word
		{"asktoday 繋がらない", nil},                   // "skt" inside a word
		{"Kaede Networks not working", []int{1}},  //
		{"KAEDE  NETWORKS — NO SIGNAL", []int{1}}, //
		{"圏外です", nil},                             // no carrier
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, d.Carriers(tc.text)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.text, diff)
		}
	}
}

// minutes makes posts: perMinute[i] posts naming carrier-a in minute i.
func minutes(perMinute ...int) []Post {
	var out []Post
	for m, n := range perMinute {
		for k := range n {
			out = append(out, Post{Time: t0.Add(time.Duration(m)*time.Minute + time.Duration(k)*time.Second),
				Text: fmt.Sprintf("さくらテレコム 繋がらない #%d", k)})
		}
	}
	return out
}

func TestSurge(t *testing.T) {
	steady := []int{3, 2, 4, 3, 3, 2, 3, 4, 3, 2, 3, 3, 4, 2, 3}
	tests := []struct {
		name  string
		posts []Post
		want  []string // minute of each signal
	}{
		{name: "steady baseline makes no signal", posts: minutes(append(steady, 4, 3, 5, 2)...)},
		{name: "burst makes one signal at its onset", posts: minutes(append(steady, 40, 55, 60, 3)...), want: []string{"14:15"}},
		{name: "no surge during warm-up", posts: minutes(3, 40)},
		{name: "a small absolute rise is no surge", posts: minutes(append(make([]int, 15), 6)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewDetector(Config{Carriers: carriers})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			collect := func(ss []outage.Signal) {
				for _, s := range ss {
					if err := s.Validate(); err != nil {
						t.Errorf("invalid signal: %v", err)
					}
					if s.Concerns[0] != "carrier-a" || s.Symptom != outage.UserReportSurge {
						t.Errorf("signal %+v", s)
					}
					got = append(got, s.ObservedAt.Format("15:04"))
				}
			}
			for _, p := range tc.posts {
				collect(d.Observe(p))
			}
			collect(d.Flush(t0.Add(time.Hour)))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("signals (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRead(t *testing.T) {
	in := `{"time":"2026-07-10T14:00:00Z","text":"a"}

{"time":"2026-07-10T14:00:01+09:00","text":"b"}`
	var n int
	if err := Read(strings.NewReader(in), func(Post) error { n++; return nil }); err != nil || n != 2 {
		t.Errorf("Read: %d posts, %v", n, err)
	}
	if err := Read(strings.NewReader(`{"text":"no time"}`), func(Post) error { return nil }); err == nil {
		t.Error("a post without time was read")
	}
}

func FuzzCarriers(f *testing.F) {
	f.Add("ｻｸﾗﾃﾚｺﾑ繋がらない")
	f.Add("SKT down")
	d, _ := NewDetector(Config{Carriers: carriers})
	f.Fuzz(func(t *testing.T, s string) { d.Carriers(s) })
}
