package token

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

func newSigner(t *testing.T) *Signer {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIssueVerifyRoundTrip(t *testing.T) {
	s := newSigner(t)
	raw, c, err := s.Issue("carrier-a", "carrier", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Verify(raw)
	if err != nil {
		t.Fatalf("verify fresh token: %v", err)
	}
	if got.Org != "carrier-a" || got.Role != "carrier" || got.ID != c.ID || got.Subject != "carrier-a" {
		t.Errorf("claims = %+v, want org carrier-a role carrier jti %s", got, c.ID)
	}
	var hdr map[string]any
	seg, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	if err := json.Unmarshal(seg, &hdr); err != nil || hdr["alg"] != "EdDSA" {
		t.Errorf("header = %s, want alg EdDSA", seg)
	}
}

// forge signs arbitrary claims with an arbitrary header and HMAC or no signature.
func forge(header, claims map[string]any, hmacKey []byte) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(header) + "." + enc(claims)
	if hmacKey == nil {
		return input + "."
	}
	m := hmac.New(sha256.New, hmacKey)
	m.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func TestVerifyRefuses(t *testing.T) {
	s := newSigner(t)
	now := time.Now()
	validClaims := func() map[string]any {
		return map[string]any{"iss": Issuer, "aud": Audience, "sub": "carrier-a", "org": "carrier-a", "role": "carrier",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "x1"}
	}
	signWith := func(s *Signer, mutate func(map[string]any)) string {
		c := validClaims()
		mutate(c)
		b := jwt.New()
		for k, v := range c {
			if err := b.Set(k, v); err != nil {
				t.Fatal(err)
			}
		}
		out, err := jwt.Sign(b, jwt.WithKey(jwa.EdDSA, s.priv))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	// signRaw signs exact claims JSON with the hub's key and extra protected
	// headers: a valid signature over a token of the wrong shape.
	signRaw := func(extra map[string]any, claims map[string]any) string {
		payload, _ := json.Marshal(claims)
		hdrs := jws.NewHeaders()
		for k, v := range extra {
			if err := hdrs.Set(k, v); err != nil {
				t.Fatal(err)
			}
		}
		out, err := jws.Sign(payload, jws.WithKey(jwa.EdDSA, s.priv, jws.WithProtectedHeaders(hdrs)))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	stringExp := validClaims()
	stringExp["exp"] = fmt.Sprint(now.Add(time.Hour).Unix())
	other := newSigner(t)
	pubJSON, _ := json.Marshal(s.pub)
	var pubMap map[string]string
	_ = json.Unmarshal(pubJSON, &pubMap)
	pubRaw, _ := base64.RawURLEncoding.DecodeString(pubMap["x"])
	if len(pubRaw) != ed25519.PublicKeySize {
		t.Fatalf("public key x has %d bytes", len(pubRaw))
	}

	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"garbage", "not.a.token"},
		{"expired", signWith(s, func(c map[string]any) {
			c["exp"] = now.Add(-time.Hour).Unix()
			c["iat"] = now.Add(-2 * time.Hour).Unix()
			c["nbf"] = now.Add(-2 * time.Hour).Unix()
		})},
		{"not yet valid", signWith(s, func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() })},
		{"wrong issuer", signWith(s, func(c map[string]any) { c["iss"] = "someone-else" })},
		{"wrong audience", signWith(s, func(c map[string]any) { c["aud"] = "other-service" })},
		{"missing exp", signWith(s, func(c map[string]any) { delete(c, "exp") })},
		{"missing jti", signWith(s, func(c map[string]any) { delete(c, "jti") })},
		{"missing org", signWith(s, func(c map[string]any) { delete(c, "org") })},
		{"wrong key", signWith(other, func(map[string]any) {})},
		{"unknown crit header", signRaw(map[string]any{"crit": []string{"x-kakehashi-unknown"}, "x-kakehashi-unknown": true}, validClaims())},
		{"exp as a string", signRaw(nil, stringExp)},
		{"alg none", forge(map[string]any{"alg": "none", "typ": "JWT"}, validClaims(), nil)},
		{"HS256 signed with the public key", forge(map[string]any{"alg": "HS256", "typ": "JWT"}, validClaims(), pubRaw)},
		{"HS256 signed with the public JWK JSON", forge(map[string]any{"alg": "HS256", "typ": "JWT"}, validClaims(), pubJSON)},
		{"tampered payload", func() string {
			good := signWith(s, func(map[string]any) {})
			parts := strings.Split(good, ".")
			c := validClaims()
			c["org"] = "carrier-b"
			b, _ := json.Marshal(c)
			parts[1] = base64.RawURLEncoding.EncodeToString(b)
			return strings.Join(parts, ".")
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Verify(tc.token); !errors.Is(err, ErrInvalid) {
				t.Errorf("Verify = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestJWKSHasOnlyThePublicKey(t *testing.T) {
	s := newSigner(t)
	b, err := s.JWKS()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"d"`) {
		t.Fatalf("JWKS leaks the private key: %s", b)
	}
	set, err := jwk.Parse(b)
	if err != nil || set.Len() != 1 {
		t.Fatalf("parse JWKS: %v (len %d)", err, set.Len())
	}
	raw, _, _ := s.Issue("mic", "regulator", time.Minute)
	key, _ := set.Key(0)
	if _, err := jwt.ParseString(raw, jwt.WithKey(jwa.EdDSA, key)); err != nil {
		t.Errorf("a token does not verify against the published JWKS: %v", err)
	}
}

func TestLoadOrCreateKeyReuses(t *testing.T) {
	p := t.TempDir() + "/key.json"
	a, err := LoadOrCreateKey(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreateKey(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Error("second start generated a new key instead of reusing the stored one")
	}
}
