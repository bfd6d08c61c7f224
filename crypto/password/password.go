// Package password hashes and checks the console users' passwords with
// Argon2id (RFC 9106), in the PHC string format
// `$argon2id$v=19$m=…,t=…,p=…$salt$hash` so that the parameters travel with
// each hash and can be raised later without invalidating stored ones.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are Argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// Default is the OWASP Password Storage Cheat Sheet's first Argon2id
// configuration (19 MiB, 2 passes, 1 lane): about 45 ms per sign-in on the
// hub's machine, so that a burst of sign-ins cannot exhaust two cores, while
// an offline guess still costs 19 MiB of memory each. Operators who want
// RFC 9106 §4's 64 MiB option can raise it; each hash records its own cost.
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// MinLength is the shortest password accepted (NIST SP 800-63B §5.1.1.2
	// asks for at least 8; the hub's users are few and privileged).
	MinLength = 12
	// MaxLength bounds the work one sign-in can ask of the hub.
	MaxLength = 256
)

// ErrMismatch is a password that does not match the hash.
var ErrMismatch = errors.New("password does not match")

// CheckStrength says why a new password is not acceptable, or nil.
func CheckStrength(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return errors.New("the password is not valid UTF-8")
	case n < MinLength:
		return fmt.Errorf("the password has %d characters; use at least %d", n, MinLength)
	case len(pw) > MaxLength:
		return fmt.Errorf("the password is longer than %d bytes", MaxLength)
	}
	return nil
}

// Hash returns the PHC string of pw with a fresh random salt.
func Hash(pw string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify checks pw against a PHC string made by Hash; ErrMismatch when it
// does not match, another error when the hash cannot be read. The comparison
// takes the same time wherever the first differing byte is.
func Verify(pw, hash string) error {
	p, salt, key, err := parse(hash)
	if err != nil {
		return err
	}
	if len(pw) > MaxLength {
		return ErrMismatch
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return ErrMismatch
	}
	return nil
}

func parse(hash string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("password hash is not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("password hash has version %q; want v=%d", parts[2], argon2.Version)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("password hash parameters %q: %w", parts[3], err)
	}
	// Bounds keep a tampered hash from asking for gigabytes or hours.
	if p.Memory < 8*1024 || p.Memory > 1024*1024 || p.Time < 1 || p.Time > 16 || p.Threads < 1 {
		return p, nil, nil, fmt.Errorf("password hash parameters %q are out of bounds", parts[3])
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, errors.New("password hash has an unreadable salt")
	}
	key, err := enc.DecodeString(parts[5])
	if err != nil || len(key) < 16 {
		return p, nil, nil, errors.New("password hash has an unreadable key")
	}
	return p, salt, key, nil
}
