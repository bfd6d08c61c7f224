package server

import (
	"encoding/base64"
	"testing"

	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// testClock is a settable clock shared by the services under test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// hs256WithPublicKey forges the classic algorithm-confusion token: HS256 with
// the hub's public key bytes as the HMAC secret.
func hs256WithPublicKey(t *testing.T, f *fixture) string {
	t.Helper()
	k, err := jwk.ParseKey(f.keyJWK)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := jwk.PublicKeyOf(k)
	pubJSON, _ := json.Marshal(pub)
	var m map[string]string
	_ = json.Unmarshal(pubJSON, &m)
	secret, _ := base64.RawURLEncoding.DecodeString(m["x"])
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	now := time.Now()
	input := enc(map[string]any{"alg": "HS256", "typ": "JWT"}) + "." + enc(map[string]any{"iss": "kakehashi", "aud": "kakehashi", "sub": "carrier-a", "org": "carrier-a", "role": "carrier", "jti": "forged", "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
