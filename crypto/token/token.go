// Package token issues and verifies the hub's JWT access tokens (INTERFACES.md
// §6) with github.com/lestrrat-go/jwx/v2: EdDSA (Ed25519) signatures by a key
// the hub generates at init, and the JWK Set that publishes its public half.
// It knows nothing of organizations or revocation; the caller checks those.
package token

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// Issuer and Audience are the iss and aud of every hub token.
const (
	Issuer   = "kakehashi"
	Audience = "kakehashi"
)

// ErrInvalid is returned (wrapped, with the reason) for any token that must not
// be accepted: bad signature, wrong algorithm, expired, not yet valid, wrong
// issuer or audience, missing claims.
var ErrInvalid = errors.New("invalid token")

// Claims are what a verified token says about its bearer.
type Claims struct {
	Subject   string
	Org       string
	Role      string
	ID        string // jti
	IssuedAt  time.Time
	NotBefore time.Time
	Expiry    time.Time
}

// Signer issues and verifies tokens with one Ed25519 key.
type Signer struct {
	priv jwk.Key
	pub  jwk.Key
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Skew is the clock skew tolerated on exp and nbf.
	Skew time.Duration
}

// GenerateKey creates a new Ed25519 signing key as a private JWK (JSON).
func GenerateKey() ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate ed25519 key: %w", err)
	}
	k, err := jwk.FromRaw(priv)
	if err != nil {
		return nil, fmt.Errorf("wrap key: %w", err)
	}
	if err := jwk.AssignKeyID(k); err != nil {
		return nil, fmt.Errorf("assign kid: %w", err)
	}
	if err := k.Set(jwk.AlgorithmKey, jwa.EdDSA); err != nil {
		return nil, fmt.Errorf("set alg: %w", err)
	}
	if err := k.Set(jwk.KeyUsageKey, "sig"); err != nil {
		return nil, fmt.Errorf("set use: %w", err)
	}
	return json.Marshal(k)
}

// LoadOrCreateKey reads the private JWK at path, creating it (mode 0600) when absent.
func LoadOrCreateKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	if b, err = GenerateKey(); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	return b, nil
}

// NewSigner parses a private Ed25519 JWK.
func NewSigner(privateJWK []byte) (*Signer, error) {
	k, err := jwk.ParseKey(privateJWK)
	if err != nil {
		return nil, fmt.Errorf("parse signing key: %w", err)
	}
	if k.KeyType() != "OKP" {
		return nil, fmt.Errorf("signing key is of type %s; the hub signs with an Ed25519 (OKP) key", k.KeyType())
	}
	pub, err := jwk.PublicKeyOf(k)
	if err != nil {
		return nil, fmt.Errorf("public half of signing key: %w", err)
	}
	if _, ok := pub.Get(jwk.KeyIDKey); !ok {
		return nil, errors.New("signing key has no kid")
	}
	return &Signer{priv: k, pub: pub, Now: time.Now, Skew: 30 * time.Second}, nil
}

// Issue signs a token for org with role, valid from now for ttl.
func (s *Signer) Issue(org, role string, ttl time.Duration) (string, Claims, error) {
	if ttl <= 0 {
		return "", Claims{}, fmt.Errorf("token lifetime %s must be positive", ttl)
	}
	now := s.Now().UTC().Truncate(time.Second)
	c := Claims{Subject: org, Org: org, Role: role, ID: uuid.NewString(), IssuedAt: now, NotBefore: now, Expiry: now.Add(ttl)}
	t, err := jwt.NewBuilder().
		Issuer(Issuer).Audience([]string{Audience}).Subject(c.Subject).
		IssuedAt(c.IssuedAt).NotBefore(c.NotBefore).Expiration(c.Expiry).JwtID(c.ID).
		Claim("org", org).Claim("role", role).Build()
	if err != nil {
		return "", Claims{}, fmt.Errorf("build token: %w", err)
	}
	signed, err := jwt.Sign(t, jwt.WithKey(jwa.EdDSA, s.priv))
	if err != nil {
		return "", Claims{}, fmt.Errorf("sign token: %w", err)
	}
	return string(signed), c, nil
}

// Verify checks a token's signature (EdDSA with the hub's key only: alg none,
// HMAC or any other algorithm fails), its time window, issuer and audience,
// and that it carries every claim of INTERFACES.md §6.
func (s *Signer) Verify(raw string) (Claims, error) {
	if err := checkShape(raw); err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	t, err := jwt.ParseString(raw,
		jwt.WithKey(jwa.EdDSA, s.pub),
		jwt.WithValidate(true),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(Audience),
		jwt.WithClock(jwt.ClockFunc(s.Now)),
		jwt.WithAcceptableSkew(s.Skew),
		jwt.WithRequiredClaim("exp"),
		jwt.WithRequiredClaim("nbf"),
		jwt.WithRequiredClaim("iat"),
		jwt.WithRequiredClaim("jti"),
		jwt.WithRequiredClaim("sub"),
		jwt.WithRequiredClaim("org"),
		jwt.WithRequiredClaim("role"),
	)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	c := Claims{Subject: t.Subject(), ID: t.JwtID(), IssuedAt: t.IssuedAt(), NotBefore: t.NotBefore(), Expiry: t.Expiration()}
	org, _ := t.Get("org")
	role, _ := t.Get("role")
	c.Org, _ = org.(string)
	c.Role, _ = role.(string)
	if c.Org == "" || c.Role == "" {
		return Claims{}, fmt.Errorf("%w: org and role must be non-empty strings", ErrInvalid)
	}
	return c, nil
}

// SignPayload signs payload as a compact JWS with the hub's key (EdDSA, with
// its kid), so that anyone holding the JWKS can check it — the audit log's
// checkpoints are signed this way.
func (s *Signer) SignPayload(payload []byte) (string, error) {
	out, err := jws.Sign(payload, jws.WithKey(jwa.EdDSA, s.priv))
	if err != nil {
		return "", fmt.Errorf("sign payload: %w", err)
	}
	return string(out), nil
}

// VerifyPayload checks a compact JWS made by SignPayload with the hub's key
// and returns its payload; any other key or algorithm is ErrInvalid.
func (s *Signer) VerifyPayload(compact string) ([]byte, error) {
	payload, err := jws.Verify([]byte(compact), jws.WithKey(jwa.EdDSA, s.pub))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return payload, nil
}

// checkShape refuses what a lenient parser would let through: a protected
// header with "crit" (RFC 7515 §4.1.11: a recipient that does not understand
// the listed extensions must reject the token, and the hub understands none),
// and time claims that are not JSON numbers (RFC 7519 §2 NumericDate: a
// string "exp" is not a date, whatever a parser might make of it).
func checkShape(raw string) error {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return errors.New("a token has three dot-separated parts")
	}
	var header map[string]json.RawMessage
	if err := decodeSegment(parts[0], &header); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if _, ok := header["crit"]; ok {
		return errors.New(`header has "crit": the hub understands no critical extensions`)
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	for _, k := range []string{"exp", "nbf", "iat"} {
		if v, ok := claims[k]; ok {
			if _, isNum := v.(json.Number); !isNum {
				return fmt.Errorf("claim %s must be a number of seconds (RFC 7519 NumericDate)", k)
			}
		}
	}
	return nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return errors.New("not base64url")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return errors.New("not a JSON object")
	}
	return nil
}

// JWKS returns the JWK Set (RFC 7517 §5) holding the public verification key.
func (s *Signer) JWKS() ([]byte, error) {
	set := jwk.NewSet()
	if err := set.AddKey(s.pub); err != nil {
		return nil, fmt.Errorf("build jwks: %w", err)
	}
	return json.Marshal(set)
}
