// Package ris reads BGP updates in the RIS Live message format (RIPE NCC,
// https://ris-live.ripe.net/manual/, JSON lines as the firehose and the
// WebSocket API send them) and detects two kinds of routing trouble on the
// registry carriers' networks: an announcement of a carrier's prefix, or a
// more-specific of it, from an origin AS that is not the carrier's
// (routing-anomaly: a hijack or a leak), and a burst of withdrawals of a
// carrier's prefixes (routing-withdrawal). Both become outage signals of
// the "routing" source (INTERFACES §9). It fetches nothing: the hub or the
// CLI hands it the lines.
package ris

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strconv"
	"time"
)

// Update is one BGP UPDATE as RIS Live reports it.
type Update struct {
	Time          time.Time
	Peer          string // the collector's BGP peer
	PeerASN       int64
	Host          string  // the route collector, e.g. "rrc21"
	Path          []int64 // AS path, AS sets flattened in place
	Origin        int64   // the last AS of the path; 0 when it ends in an AS set of more than one AS
	Announcements []netip.Prefix
	Withdrawals   []netip.Prefix
}

// message is the wire form: {"type": "ris_message", "data": {...}}.
type message struct {
	Type string `json:"type"`
	Data struct {
		Timestamp     float64           `json:"timestamp"` // Unix seconds with fraction
		Peer          string            `json:"peer"`
		PeerASN       json.Number       `json:"peer_asn"` // a string in RIS Live
		Host          string            `json:"host"`
		Type          string            `json:"type"` // UPDATE, OPEN, NOTIFICATION, KEEPALIVE, RIS_PEER_STATE
		Path          []json.RawMessage `json:"path"` // ASNs, and AS sets as nested lists
		Announcements []struct {
			NextHop  string   `json:"next_hop"`
			Prefixes []string `json:"prefixes"`
		} `json:"announcements"`
		Withdrawals []string `json:"withdrawals"`
	} `json:"data"`
}

// Parse decodes one line. It returns ok false, and no error, for messages
// that are not BGP UPDATEs (ris_subscribe_ok, pong, RIS_PEER_STATE, …);
// an error names what was wrong with the line.
func Parse(line []byte) (Update, bool, error) {
	var m message
	if err := json.Unmarshal(line, &m); err != nil {
		return Update{}, false, fmt.Errorf("not a RIS Live message: %w", err)
	}
	if m.Type != "ris_message" || m.Data.Type != "UPDATE" {
		return Update{}, false, nil
	}
	d := m.Data
	if d.Timestamp <= 0 || math.IsInf(d.Timestamp, 0) || d.Timestamp > 1e11 {
		return Update{}, false, fmt.Errorf("data.timestamp %v is not Unix seconds", d.Timestamp)
	}
	sec, frac := math.Modf(d.Timestamp)
	u := Update{Time: time.Unix(int64(sec), int64(frac*1e9)).UTC(), Peer: d.Peer, Host: d.Host}
	if d.PeerASN != "" {
		n, err := strconv.ParseInt(string(d.PeerASN), 10, 64)
		if err != nil {
			return Update{}, false, fmt.Errorf("data.peer_asn %q is not an AS number", d.PeerASN)
		}
		u.PeerASN = n
	}
	for i, seg := range d.Path {
		var asn int64
		if err := json.Unmarshal(seg, &asn); err == nil {
			u.Path = append(u.Path, asn)
			if i == len(d.Path)-1 {
				u.Origin = asn
			}
			continue
		}
		var set []int64
		if err := json.Unmarshal(seg, &set); err != nil {
			return Update{}, false, fmt.Errorf("data.path[%d] is neither an AS number nor an AS set", i)
		}
		u.Path = append(u.Path, set...)
		if i == len(d.Path)-1 && len(set) == 1 {
			u.Origin = set[0]
		}
	}
	for i, a := range d.Announcements {
		for j, p := range a.Prefixes {
			pfx, err := netip.ParsePrefix(p)
			if err != nil {
				return Update{}, false, fmt.Errorf("data.announcements[%d].prefixes[%d] %q is not a prefix", i, j, p)
			}
			u.Announcements = append(u.Announcements, pfx.Masked())
		}
	}
	for i, p := range d.Withdrawals {
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			return Update{}, false, fmt.Errorf("data.withdrawals[%d] %q is not a prefix", i, p)
		}
		u.Withdrawals = append(u.Withdrawals, pfx.Masked())
	}
	return u, true, nil
}

// MaxLine bounds one JSON line (RIS Live messages are a few kilobytes).
const MaxLine = 1 << 20

// Read calls fn for every UPDATE in r, one JSON object per line; blank lines
// are skipped. It stops at the first bad line with an error naming its
// number, or at fn's error.
func Read(r io.Reader, fn func(Update) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), MaxLine)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(line) == 0 || isBlank(line) {
			continue
		}
		u, ok, err := Parse(line)
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if !ok {
			continue
		}
		if err := fn(u); err != nil {
			return err
		}
	}
	return sc.Err()
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}
