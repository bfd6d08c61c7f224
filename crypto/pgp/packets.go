package pgp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

// Packet tags (RFC 9580 §5, table 3) that the raw scanner cares about.
const (
	tagSecretKey    = 5
	tagPublicKey    = 6
	tagSecretSubkey = 7
)

// isArmored reports whether b looks like ASCII armor (RFC 9580 §6.2) rather
// than binary packets. Every binary packet header has bit 7 of its first
// octet set (RFC 9580 §4.2), while armor starts with "-----BEGIN" or
// whitespace, all plain ASCII.
func isArmored(b []byte) bool {
	return len(b) > 0 && b[0]&0x80 == 0
}

// armorBlocks counts the armor header lines in b, so that two concatenated
// armored blocks are noticed: armor.Decode would silently read the first only.
func armorBlocks(b []byte) int {
	return bytes.Count(b, []byte("-----BEGIN PGP "))
}

// dearmor returns the binary packets of b and the armor type ("" for binary
// input).
func dearmor(b []byte) ([]byte, string, error) {
	b = bytes.TrimLeft(b, " \t\r\n")
	if !isArmored(b) {
		return b, "", nil
	}
	block, err := armor.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, "", fmt.Errorf("read ASCII armor: %w", err)
	}
	body, err := io.ReadAll(block.Body)
	if err != nil {
		return nil, "", fmt.Errorf("read ASCII armor: %w", err)
	}
	return body, block.Type, nil
}

// openMessage returns a reader of the binary packets of a message given
// armored or binary, without buffering more than a small read-ahead.
func openMessage(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	for {
		c, err := br.ReadByte()
		if err != nil {
			if err == io.EOF {
				return nil, fmt.Errorf("%w: empty input", ErrNotEncrypted)
			}
			return nil, fmt.Errorf("read message: %w", err)
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			_ = br.UnreadByte()
			if c&0x80 != 0 {
				return br, nil
			}
			break
		}
	}
	block, err := armor.Decode(br)
	if err != nil {
		return nil, fmt.Errorf("%w: read ASCII armor: %v", ErrNotEncrypted, err)
	}
	if block.Type != openpgp.MessageType {
		return nil, fmt.Errorf("%w: armored block is a %q, not a %q", ErrNotEncrypted, block.Type, openpgp.MessageType)
	}
	return block.Body, nil
}

// errPartialLength is returned by scanPackets for packets whose length is not
// known from the header; transferable keys never use them (RFC 9580 §4.2.1.4
// allows partial lengths for data packets only).
var errPartialLength = errors.New("packet with partial or indeterminate length")

// scanPackets walks the packet headers of b (RFC 9580 §4.2) and returns the
// tag of every packet, without interpreting bodies. Unlike go-crypto's
// ReadKeyRing it does not skip what it does not understand, so it counts
// every key in a block, supported or not.
func scanPackets(b []byte) ([]int, error) {
	var tags []int
	for len(b) > 0 {
		h := b[0]
		if h&0x80 == 0 {
			return tags, fmt.Errorf("octet 0x%02x is not an OpenPGP packet header", h)
		}
		var tag, hdr, n int
		if h&0x40 != 0 { // new format, RFC 9580 §4.2.1
			tag = int(h & 0x3f)
			if len(b) < 2 {
				return tags, io.ErrUnexpectedEOF
			}
			switch o := int(b[1]); {
			case o < 192:
				hdr, n = 2, o
			case o < 224:
				if len(b) < 3 {
					return tags, io.ErrUnexpectedEOF
				}
				hdr, n = 3, (o-192)<<8+int(b[2])+192
			case o == 255:
				if len(b) < 6 {
					return tags, io.ErrUnexpectedEOF
				}
				hdr, n = 6, int(b[2])<<24|int(b[3])<<16|int(b[4])<<8|int(b[5])
			default:
				return tags, errPartialLength
			}
		} else { // legacy format, RFC 9580 §4.2.2
			tag = int(h>>2) & 0x0f
			switch h & 3 {
			case 0:
				if len(b) < 2 {
					return tags, io.ErrUnexpectedEOF
				}
				hdr, n = 2, int(b[1])
			case 1:
				if len(b) < 3 {
					return tags, io.ErrUnexpectedEOF
				}
				hdr, n = 3, int(b[1])<<8|int(b[2])
			case 2:
				if len(b) < 5 {
					return tags, io.ErrUnexpectedEOF
				}
				hdr, n = 5, int(b[1])<<24|int(b[2])<<16|int(b[3])<<8|int(b[4])
			default:
				return tags, errPartialLength
			}
		}
		if n < 0 || hdr+n > len(b) {
			return tags, io.ErrUnexpectedEOF
		}
		tags = append(tags, tag)
		b = b[hdr+n:]
	}
	return tags, nil
}
