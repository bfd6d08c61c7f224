package pgp

import (
	"bytes"
	"io"
	"testing"
)

const benchSize = 16 << 20

// BenchmarkEncrypt16MiB3Recipients encrypts a 16 MiB design to three v4
// recipients, streaming from a generator so that the input is not held in
// memory. B/op counts all allocations, garbage included: go-crypto's CFB
// writer allocates one ciphertext slice per 32 KiB write, so it grows with the
// input while the live heap does not; live-heap-B is measured after a forced
// GC halfway through one 16 MiB message.
func BenchmarkEncrypt16MiB3Recipients(b *testing.B) {
	hub, _ := newSecret(b, "Kakehashi Hub")
	a, _ := newSecret(b, "Carrier A")
	c, _ := newSecret(b, "MIC")
	to := []*PublicKey{hub.Public(), a.Public(), c.Public()}
	mid := &midpointReader{r: io.LimitReader(zeroReader{}, benchSize), at: benchSize / 2}
	if err := EncryptTo(io.Discard, mid, to, EncryptOptions{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSize)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := EncryptTo(io.Discard, io.LimitReader(zeroReader{}, benchSize), to, EncryptOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(mid.live), "live-heap-B")
}

// BenchmarkDecrypt16MiB decrypts a 16 MiB message with DecryptTo into
// io.Discard; live-heap-B is the live heap halfway through, as above.
func BenchmarkDecrypt16MiB(b *testing.B) {
	hub, _ := newSecret(b, "Kakehashi Hub")
	var msg bytes.Buffer
	if err := EncryptTo(&msg, io.LimitReader(zeroReader{}, benchSize), []*PublicKey{hub.Public()}, EncryptOptions{}); err != nil {
		b.Fatal(err)
	}
	mid := &midpointWriter{at: benchSize / 2}
	if err := DecryptTo(mid, bytes.NewReader(msg.Bytes()), hub, DecryptOptions{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSize)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := DecryptTo(io.Discard, bytes.NewReader(msg.Bytes()), hub, DecryptOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	// The 16 MiB ciphertext itself is live during the measurement.
	b.ReportMetric(float64(mid.live)-float64(msg.Cap()), "live-heap-B")
}
