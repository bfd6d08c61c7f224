package anonymize

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// jst is Japan Standard Time (no daylight saving), the zone rotation periods
// are counted in.
var jst = time.FixedZone("JST", 9*60*60)

// Period returns the label of the rotation period that t falls in, in Japan
// Standard Time: "2026-07" (monthly), "2026-Q3" (quarterly) or "2026" (yearly).
func (r Rotation) Period(t time.Time) string {
	t = t.In(jst)
	switch r {
	case RotationQuarterly:
		return fmt.Sprintf("%04d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
	case RotationYearly:
		return fmt.Sprintf("%04d", t.Year())
	default:
		return fmt.Sprintf("%04d-%02d", t.Year(), int(t.Month()))
	}
}

func (a *Anonymizer) mac(label string, parts ...string) []byte {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte("kakehashi/" + label + "/v1"))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

var pseudonymEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Pseudonym returns the source pseudonym of a party for the rotation period
// containing t: "src-" followed by the first 80 bits of
// HMAC-SHA256(key, "kakehashi/source-pseudonym/v1" 0x00 partyID 0x00 period)
// in lowercase base32 (16 characters). The same source gets the same
// pseudonym throughout a period; without the key nobody can tell which source
// it is, nor link two periods.
func (a *Anonymizer) Pseudonym(partyID string, t time.Time) string {
	sum := a.mac("source-pseudonym", partyID, a.rotation.Period(t))
	return "src-" + strings.ToLower(pseudonymEncoding.EncodeToString(sum[:10]))
}

// derivedUUID returns an RFC 4122 version-4-form UUID taken from a keyed HMAC,
// so that replaced identifiers are stable for the same input (a copy can be
// rebuilt identically) yet reveal nothing of the value they replace.
func (a *Anonymizer) derivedUUID(label string, parts ...string) string {
	sum := a.mac(label, parts...)
	u := sum[:16]
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
