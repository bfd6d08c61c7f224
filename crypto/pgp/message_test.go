package pgp

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

func TestEncryptDecryptRoundTrip(t *testing.T) {
	hub, _ := newSecret(t, "Kakehashi Hub")
	a, _ := newSecret(t, "Carrier A")
	b, _ := newSecret(t, "Carrier B")
	signer, _ := newSecret(t, "Signer")
	tests := []struct {
		name string
		size int
		opts EncryptOptions
	}{
		{name: "empty", size: 0},
		{name: "one byte", size: 1},
		{name: "binary 1 MiB", size: 1 << 20},
		{name: "armored 100 KiB", size: 100 << 10, opts: EncryptOptions{Armor: true}},
		{name: "signed armored", size: 4096, opts: EncryptOptions{Armor: true, Signer: signer, FileName: "design.pdf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := randomBytes(tt.size, uint64(tt.size))
			var msg bytes.Buffer
			recipients := []*PublicKey{a.Public(), hub.Public(), b.Public(), hub.Public()} // duplicate merged
			if err := EncryptTo(&msg, bytes.NewReader(plain), recipients, tt.opts); err != nil {
				t.Fatal(err)
			}
			if got := strings.HasPrefix(msg.String(), "-----BEGIN PGP MESSAGE-----"); got != tt.opts.Armor {
				t.Errorf("armored = %v, want %v", got, tt.opts.Armor)
			}
			if !IsEncryptedMessage(msg.Bytes()) {
				t.Error("IsEncryptedMessage = false")
			}
			ids, err := Recipients(msg.Bytes())
			if err != nil || len(ids) != 3 {
				t.Fatalf("Recipients = %v, %v; want 3 ids", ids, err)
			}
			for _, k := range []*SecretKey{hub, a, b} {
				got, err := Decrypt(bytes.NewReader(msg.Bytes()), k)
				if err != nil {
					t.Fatalf("decrypt with %s: %v", k.Public().UserID(), err)
				}
				if !bytes.Equal(got, plain) {
					t.Fatalf("decrypt with %s: %d bytes differ from the %d sent", k.Public().UserID(), len(got), len(plain))
				}
			}
			if tt.opts.Signer != nil {
				var out bytes.Buffer
				if err := DecryptTo(&out, bytes.NewReader(msg.Bytes()), hub, DecryptOptions{Signer: signer.Public()}); err != nil {
					t.Errorf("signed by the signer: %v", err)
				}
				err := DecryptTo(io.Discard, bytes.NewReader(msg.Bytes()), hub, DecryptOptions{Signer: a.Public()})
				if !errors.Is(err, ErrBadSignature) {
					t.Errorf("checked against another signer: %v, want ErrBadSignature", err)
				}
			}
		})
	}
}

// TestMessageFormat pins the packets EncryptTo emits for v4 recipients: v3
// PKESK, SEIPD v1 with MDC, AES-256, nothing gpg 2.2 cannot read.
func TestMessageFormat(t *testing.T) {
	hub, _ := newSecret(t, "Kakehashi Hub")
	var msg bytes.Buffer
	if err := EncryptTo(&msg, strings.NewReader("design"), []*PublicKey{hub.Public()}, EncryptOptions{}); err != nil {
		t.Fatal(err)
	}
	pr := packet.NewReader(bytes.NewReader(msg.Bytes()))
	p, _ := pr.Next()
	ek, ok := p.(*packet.EncryptedKey)
	if !ok || ek.Version != 3 {
		t.Fatalf("first packet %T, want a v3 PKESK", p)
	}
	key, _ := hub.entity.EncryptionKey(time.Now())
	if err := ek.Decrypt(key.PrivateKey, nil); err != nil {
		t.Fatal(err)
	}
	p, _ = pr.Next()
	if se, ok := p.(*packet.SymmetricallyEncrypted); !ok || !se.IntegrityProtected || se.Version != 1 {
		t.Fatalf("second packet %#v, want SEIPD v1 (MDC)", p)
	}
	if ek.CipherFunc != packet.CipherAES256 {
		t.Errorf("cipher %v, want AES-256", ek.CipherFunc)
	}
}

func TestV6Keys(t *testing.T) {
	v6 := newEntity(t, v6Config())
	sk6, err := ParseSecretKey(armoredSecret(t, v6))
	if err != nil {
		t.Fatal(err)
	}
	hub, _ := newSecret(t, "Kakehashi Hub")
	plain := randomBytes(300<<10, 6)
	tests := []struct {
		name     string
		to       []*PublicKey
		wantAEAD bool
	}{
		{name: "only v6: SEIPD v2", to: []*PublicKey{sk6.Public()}, wantAEAD: true},
		{name: "v4 and v6: SEIPD v1", to: []*PublicKey{sk6.Public(), hub.Public()}, wantAEAD: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var msg bytes.Buffer
			if err := EncryptTo(&msg, bytes.NewReader(plain), tt.to, EncryptOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := seipdVersion(t, msg.Bytes()) == 2; got != tt.wantAEAD {
				t.Errorf("SEIPD v2 = %v, want %v", got, tt.wantAEAD)
			}
			ids, err := Recipients(msg.Bytes())
			if err != nil || len(ids) != len(tt.to) {
				t.Errorf("Recipients = %v, %v", ids, err)
			}
			for _, k := range []*SecretKey{sk6, hub}[:len(tt.to)] {
				got, err := Decrypt(bytes.NewReader(msg.Bytes()), k)
				if err != nil || !bytes.Equal(got, plain) {
					t.Fatalf("decrypt with v%d key: %v", k.Public().Version(), err)
				}
			}
		})
	}
}

// seipdVersion returns the version of the encrypted data packet: 1 for
// SEIPD v1 (MDC), 2 for SEIPD v2 (AEAD).
func seipdVersion(t *testing.T, msg []byte) int {
	t.Helper()
	pr := packet.NewReader(bytes.NewReader(msg))
	for {
		p, err := pr.Next()
		if err != nil {
			t.Fatalf("no encrypted data packet: %v", err)
		}
		if se, ok := p.(*packet.SymmetricallyEncrypted); ok {
			return se.Version
		}
		if _, ok := p.(*packet.AEADEncrypted); ok {
			return 5 // the draft AEAD packet (tag 20), never emitted by us
		}
	}
}

func TestDecryptErrors(t *testing.T) {
	hub, _ := newSecret(t, "Kakehashi Hub")
	other, _ := newSecret(t, "Carrier C")
	plain := randomBytes(200<<10, 7)
	encrypt := func(t *testing.T, to ...*PublicKey) []byte {
		var b bytes.Buffer
		if err := EncryptTo(&b, bytes.NewReader(plain), to, EncryptOptions{}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	flip := func(b []byte, at int) []byte {
		b = bytes.Clone(b)
		if at < 0 {
			at += len(b)
		}
		b[at] ^= 0x40
		return b
	}
	signed := func(t *testing.T) []byte {
		var b bytes.Buffer
		if err := SignMessage(&b, strings.NewReader("hello"), other, false); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	tests := []struct {
		name string
		msg  func(t *testing.T) []byte
		max  int64
		want error
	}{
		{name: "encrypted to other keys", want: ErrNotForUs, msg: func(t *testing.T) []byte { return encrypt(t, other.Public()) }},
		{name: "plain text", want: ErrNotEncrypted, msg: func(t *testing.T) []byte { return []byte("just a design") }},
		{name: "empty", want: ErrNotEncrypted, msg: func(t *testing.T) []byte { return nil }},
		{name: "signed, not encrypted", want: ErrNotEncrypted, msg: signed},
		{name: "flipped byte in the middle", want: ErrIntegrity, msg: func(t *testing.T) []byte { return flip(encrypt(t, hub.Public()), 100<<10) }},
		{name: "flipped byte in the MDC", want: ErrIntegrity, msg: func(t *testing.T) []byte { return flip(encrypt(t, hub.Public()), -3) }},
		{name: "flipped byte after the session keys", want: ErrIntegrity, msg: func(t *testing.T) []byte {
			m := encrypt(t, other.Public(), hub.Public())
			return flip(m, headerEnd(t, m)+20)
		}},
		{name: "flipped byte in the hub's session key", want: ErrIntegrity, msg: func(t *testing.T) []byte {
			m := encrypt(t, hub.Public())
			return flip(m, headerEnd(t, m)-5)
		}},
		{name: "truncated", want: ErrIntegrity, msg: func(t *testing.T) []byte { m := encrypt(t, hub.Public()); return m[:len(m)-1000] }},
		{name: "too large", max: 100 << 10, want: ErrTooLarge, msg: func(t *testing.T) []byte { return encrypt(t, hub.Public()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := DecryptTo(io.Discard, bytes.NewReader(tt.msg(t)), hub, DecryptOptions{MaxSize: tt.max})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			t.Log(err)
		})
	}
}

// headerEnd returns the offset of the encrypted data packet (tag 18) in a
// message we made: go-crypto writes its session key packets in the new
// packet format with one- or two-octet lengths (RFC 9580 §4.2.1).
func headerEnd(t *testing.T, msg []byte) int {
	t.Helper()
	off := 0
	for msg[off] != 0xC0|18 {
		switch n := int(msg[off+1]); {
		case n < 192:
			off += 2 + n
		case n < 224:
			off += 3 + (n-192)<<8 + int(msg[off+2]) + 192
		default:
			t.Fatalf("unexpected length octet %d", n)
		}
	}
	return off
}

func TestEncryptRefusesKeyExpiredSinceParse(t *testing.T) {
	e := newEntity(t, &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, KeyLifetimeSecs: 3600})
	k := mustParse(t, armoredPublic(t, e))
	later := func() time.Time { return time.Now().Add(2 * time.Hour) }
	err := EncryptTo(io.Discard, strings.NewReader("x"), []*PublicKey{k}, EncryptOptions{Now: later})
	if !errors.Is(err, ErrKeyRefused) || !strings.Contains(err.Error(), k.Fingerprint()) {
		t.Fatalf("err = %v, want a KeyError naming %s", err, k.Fingerprint())
	}
	if err := EncryptTo(io.Discard, strings.NewReader("x"), nil, EncryptOptions{}); err == nil {
		t.Error("no recipients accepted")
	}
}

// TestEncryptMemoryBounded streams 64 MiB through EncryptTo and DecryptTo and
// measures the live heap halfway through (after a forced GC): it must not
// grow with the input.
func TestEncryptMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 64 MiB")
	}
	hub, _ := newSecret(t, "Kakehashi Hub")
	a, _ := newSecret(t, "Carrier A")
	b, _ := newSecret(t, "Carrier B")
	const size = 64 << 20
	src := &midpointReader{r: io.LimitReader(zeroReader{}, size), at: size / 2}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(EncryptTo(pw, src, []*PublicKey{hub.Public(), a.Public(), b.Public()}, EncryptOptions{}))
	}()
	dst := &midpointWriter{at: size / 2}
	if err := DecryptTo(dst, pr, hub, DecryptOptions{MaxSize: size}); err != nil {
		t.Fatal(err)
	}
	if dst.n != size {
		t.Fatalf("decrypted %d bytes, want %d", dst.n, size)
	}
	const bound = 8 << 20
	if src.live > bound || dst.live > bound {
		t.Errorf("live heap halfway through 64 MiB: %d B (encrypt side), %d B (decrypt side); want < %d", src.live, dst.live, bound)
	}
	t.Logf("live heap halfway through 64 MiB: %d KiB / %d KiB", src.live>>10, dst.live>>10)
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// midpointReader records the live heap once at offset at.
type midpointReader struct {
	r        io.Reader
	n, at    int64
	live     uint64
	measured bool
}

func (m *midpointReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.n += int64(n)
	if !m.measured && m.n >= m.at {
		m.measured, m.live = true, liveHeap()
	}
	return n, err
}

type midpointWriter struct {
	n, at    int64
	live     uint64
	measured bool
}

func (m *midpointWriter) Write(p []byte) (int, error) {
	m.n += int64(len(p))
	if !m.measured && m.n >= m.at {
		m.measured, m.live = true, liveHeap()
	}
	return len(p), nil
}

// FuzzDecrypt: no input makes Decrypt, IsEncryptedMessage or Recipients
// panic, and Decrypt never returns plaintext together with an error.
func FuzzDecrypt(f *testing.F) {
	hub, _ := newSecret(f, "Kakehashi Hub")
	var msg bytes.Buffer
	if err := EncryptTo(&msg, strings.NewReader("design"), []*PublicKey{hub.Public()}, EncryptOptions{}); err != nil {
		f.Fatal(err)
	}
	f.Add(msg.Bytes())
	f.Add([]byte("-----BEGIN PGP MESSAGE-----\n\nwcBMA\n-----END PGP MESSAGE-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		IsEncryptedMessage(b)
		_, _ = Recipients(b)
		got, err := Decrypt(bytes.NewReader(b), hub)
		if err != nil && got != nil {
			t.Fatal("plaintext returned with an error")
		}
	})
}
