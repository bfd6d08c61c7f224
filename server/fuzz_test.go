package server

import (
	"bytes"
	"testing"
	"time"
)

// FuzzNextToken feeds the TAXII next decoder arbitrary strings: it never
// panics, anything it accepts is a complete token that seals and opens back
// to itself, and a token altered anywhere is refused (AES-GCM).
func FuzzNextToken(f *testing.F) {
	key := bytes.Repeat([]byte{7}, 32)
	c, err := newCursorSealer(key)
	if err != nil {
		f.Fatal(err)
	}
	for _, tok := range []nextToken{
		{DateAdded: time.Date(2026, 7, 10, 1, 0, 0, 123456000, time.UTC), Seq: 1, Binding: "b"},
		{DateAdded: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Seq: 1 << 40, Binding: "objects|c|carrier-a|"},
	} {
		f.Add(c.seal(tok))
	}
	f.Add("")
	f.Add("not base64 !")
	f.Add("eyJkIjoiMjAyNi0wNy0xMFQwMTowMDowMFoiLCJzIjoxLCJiIjoieCJ9") // an unsealed token of the old format
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := c.open(s)
		if err != nil {
			return
		}
		if tok.Binding == "" || tok.Seq <= 0 {
			t.Fatalf("accepted an incomplete token %+v from %q", tok, s)
		}
		again, err := c.open(c.seal(*tok))
		if err != nil || again.Seq != tok.Seq || again.Binding != tok.Binding || !again.DateAdded.Equal(tok.DateAdded) {
			t.Fatalf("token %+v does not survive seal and open: %+v, %v", tok, again, err)
		}
		// Flipping any bit of an accepted token makes it unacceptable.
		raw := []byte(s)
		for i := range raw {
			mut := bytes.Clone(raw)
			mut[i] ^= 0x01
			if tok2, err := c.open(string(mut)); err == nil && (tok2.Seq != tok.Seq || tok2.Binding != tok.Binding) {
				t.Fatalf("a token altered at byte %d opened to %+v", i, tok2)
			}
		}
	})
}
