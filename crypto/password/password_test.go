package password

import (
	"errors"
	"strings"
	"testing"
)

// fast keeps the tests quick; the format and checks are the same.
var fast = Params{Memory: 8 * 1024, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse battery staple", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	if err := Verify("correct horse battery staple", h); err != nil {
		t.Fatalf("right password: %v", err)
	}
	if err := Verify("correct horse battery stapler", h); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: %v, want ErrMismatch", err)
	}
	h2, _ := Hash("correct horse battery staple", fast)
	if h2 == h {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

func TestVerifyRefusesBadHashes(t *testing.T) {
	good, _ := Hash("a long enough password", fast)
	parts := strings.Split(good, "$")
	tests := []struct{ name, hash string }{
		{"empty", ""},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuv"},
		{"argon2i", strings.Replace(good, "argon2id", "argon2i", 1)},
		{"old version", strings.Replace(good, "v=19", "v=16", 1)},
		{"huge memory", strings.Replace(good, "m=8192", "m=99999999", 1)},
		{"zero time", strings.Replace(good, "t=1", "t=0", 1)},
		{"bad salt", strings.Join([]string{"", parts[1], parts[2], parts[3], "!!", parts[5]}, "$")},
		{"short key", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify("a long enough password", tt.hash)
			if err == nil || errors.Is(err, ErrMismatch) {
				t.Fatalf("Verify = %v, want a format error", err)
			}
		})
	}
}

func TestCheckStrength(t *testing.T) {
	for _, tt := range []struct {
		name, pw string
		ok       bool
	}{
		{"short", "short", false},
		{"eleven", "12345678901", false},
		{"twelve", "123456789012", true},
		{"japanese twelve runes", "あいうえおかきくけこさし", true},
		{"too long", strings.Repeat("x", MaxLength+1), false},
		{"invalid utf-8", "\xff\xfe" + strings.Repeat("x", 12), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckStrength(tt.pw); (err == nil) != tt.ok {
				t.Fatalf("CheckStrength = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
