package pgp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestSignVerifyDetached(t *testing.T) {
	hub, _ := newSecret(t, "Kakehashi Hub")
	other, _ := newSecret(t, "Impostor")
	data := []byte(`{"type":"bundle","id":"bundle--1"}` + "\n")
	sign := func(t *testing.T, key *SecretKey, armored bool) []byte {
		var b bytes.Buffer
		if err := SignDetached(&b, bytes.NewReader(data), key, armored); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	tests := []struct {
		name string
		data []byte
		sig  func(t *testing.T) []byte
		want error // nil: verifies
	}{
		{name: "armored", data: data, sig: func(t *testing.T) []byte { return sign(t, hub, true) }},
		{name: "binary", data: data, sig: func(t *testing.T) []byte { return sign(t, hub, false) }},
		{name: "tampered data", data: append(bytes.Clone(data), ' '), want: ErrBadSignature, sig: func(t *testing.T) []byte { return sign(t, hub, true) }},
		{name: "other key", data: data, want: ErrBadSignature, sig: func(t *testing.T) []byte { return sign(t, other, true) }},
		{name: "flipped signature byte", data: data, want: ErrBadSignature, sig: func(t *testing.T) []byte {
			s := sign(t, hub, false)
			s[len(s)-10] ^= 1
			return s
		}},
		{name: "garbage signature", data: data, want: ErrBadSignature, sig: func(t *testing.T) []byte { return []byte("not a signature") }},
		{name: "message instead of signature", data: data, want: ErrBadSignature, sig: func(t *testing.T) []byte {
			var b bytes.Buffer
			if err := SignMessage(&b, bytes.NewReader(data), hub, true); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyDetached(bytes.NewReader(tt.data), bytes.NewReader(tt.sig(t)), hub.Public())
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignMessageVerify(t *testing.T) {
	hub, _ := newSecret(t, "Kakehashi Hub")
	other, _ := newSecret(t, "Impostor")
	data := randomBytes(200<<10, 3)
	for _, armored := range []bool{false, true} {
		var msg bytes.Buffer
		if err := SignMessage(&msg, bytes.NewReader(data), hub, armored); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := VerifyMessage(&out, bytes.NewReader(msg.Bytes()), hub.Public()); err != nil || !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("armored=%v: VerifyMessage: %v (content equal: %v)", armored, err, bytes.Equal(out.Bytes(), data))
		}
		if err := VerifyMessage(&out, bytes.NewReader(msg.Bytes()), other.Public()); !errors.Is(err, ErrBadSignature) {
			t.Errorf("armored=%v: verified against another key: %v", armored, err)
		}
		if !armored {
			bad := bytes.Clone(msg.Bytes())
			bad[len(bad)/2] ^= 1
			if err := VerifyMessage(&out, bytes.NewReader(bad), hub.Public()); !errors.Is(err, ErrBadSignature) {
				t.Errorf("tampered content verified: %v", err)
			}
		}
	}
	var enc bytes.Buffer
	if err := SignAndEncrypt(&enc, strings.NewReader("export"), hub, []*PublicKey{other.Public()}, true); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := DecryptTo(&out, &enc, other, DecryptOptions{Signer: hub.Public()}); err != nil || out.String() != "export" {
		t.Fatalf("signed and encrypted: %v, %q", err, out.String())
	}
}
