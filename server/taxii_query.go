package server

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// taxiiMediaType is the only TAXII 2.1 media type (TAXII 2.1 §1.6.8).
const taxiiMediaType = "application/taxii+json;version=2.1"

// stixMediaType names what a collection holds (TAXII 2.1 §5.2, §5.3).
const stixMediaType = "application/stix+json;version=2.1"

// DefaultTAXIIPageSize is the largest page the TAXII endpoints serve when
// Config.TAXIIMaxPageSize is not set; a larger limit is clamped (TAXII 2.1 §3.4.1).
const DefaultTAXIIPageSize = 1000

// taxiiProtocol wraps every /taxii2 request: it checks Accept (406, TAXII 2.1
// §1.6.8), answers errors in the TAXII error shape with the TAXII media type
// (§3.6.1), and adds the Basic challenge to a 401 (§1.6.9).
func (s *Server) taxiiProtocol(c *fiber.Ctx) error {
	err := acceptsTAXII(c.Get(fiber.HeaderAccept))
	if err == nil {
		err = c.Next()
	}
	if err != nil {
		if herr := s.handleError(c, err); herr != nil {
			return herr
		}
	}
	if c.Response().StatusCode() == fiber.StatusUnauthorized {
		addBasicChallenge(c)
	}
	c.Set(fiber.HeaderContentType, taxiiMediaType)
	return nil
}

// acceptsTAXII checks an Accept header: it must admit the TAXII 2.1 media
// type (bare application/taxii+json means the latest, which is 2.1). A
// missing Accept admits anything (RFC 9110 §12.5.1).
func acceptsTAXII(accept string) error {
	if strings.TrimSpace(accept) == "" {
		return nil
	}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
				continue
			}
		}
		switch mt {
		case "*/*", "application/*":
			return nil
		case "application/taxii+json":
			if v, ok := params["version"]; !ok || v == "2.1" {
				return nil
			}
		}
	}
	return newError(fiber.StatusNotAcceptable, "not-acceptable", "Not acceptable",
		fmt.Sprintf("Accept %q does not admit %s, the only media type of this TAXII 2.1 server", accept, taxiiMediaType))
}

// checkTAXIIContentType checks the body of a POST (TAXII 2.1 §1.6.8): 415 otherwise.
func checkTAXIIContentType(c *fiber.Ctx) error {
	ct := c.Get(fiber.HeaderContentType)
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/taxii+json" {
		if v, ok := params["version"]; !ok || v == "2.1" {
			return nil
		}
	}
	return newError(fiber.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported content type",
		fmt.Sprintf("content type %q is not accepted; send the envelope as %s", ct, taxiiMediaType))
}

// taxiiFilter is the parsed URL filtering of one request (TAXII 2.1 §3.4).
type taxiiFilter struct {
	addedAfter   time.Time
	limit        int
	next         *nextToken
	ids          []string
	types        []string
	versions     sharing.VersionMatch
	specVersions []string
	binding      string // what a next token must have been issued for
}

// The filters each endpoint takes (TAXII 2.1 §5.3–5.9); others are ignored,
// as unknown match fields may be (§3.4.2).
type filterSet uint8

const (
	takeID filterSet = 1 << iota
	takeType
	takeVersion
	takeSpecVersion
)

const (
	filtersObjects  = takeID | takeType | takeVersion | takeSpecVersion // objects, manifest
	filtersObject   = takeVersion | takeSpecVersion                     // one object
	filtersVersions = takeSpecVersion                                   // versions
)

// parseTAXIIFilter reads added_after, limit, next and the match fields.
// Anything malformed is a 400 naming the parameter. scope names the endpoint,
// the collection, the reader and the object, so that a next token only
// continues the listing it was issued for.
func (s *Server) parseTAXIIFilter(c *fiber.Ctx, take filterSet, scope string) (*taxiiFilter, error) {
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return nil, badFilter("the query string", err.Error())
	}
	f := &taxiiFilter{limit: s.taxiiMaxPage()}
	one := func(name string) (string, bool, error) {
		v, ok := q[name]
		if !ok {
			return "", false, nil
		}
		if len(v) != 1 || v[0] == "" {
			return "", false, badFilter(name, "give it once, with a value")
		}
		return v[0], true, nil
	}
	list := func(name string) ([]string, bool, error) {
		v, ok, err := one(name)
		if !ok || err != nil {
			return nil, ok, err
		}
		parts := strings.Split(v, ",")
		for i, p := range parts {
			parts[i] = strings.TrimSpace(p)
			if parts[i] == "" {
				return nil, false, badFilter(name, "has an empty value in its comma-separated list")
			}
		}
		return parts, true, nil
	}
	if v, ok, err := one("added_after"); err != nil {
		return nil, err
	} else if ok {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, badFilter("added_after", fmt.Sprintf("%q is not a timestamp like 2026-07-10T01:10:00.000000Z", v))
		}
		f.addedAfter = t.UTC().Truncate(time.Microsecond)
	}
	if v, ok, err := one("limit"); err != nil {
		return nil, err
	} else if ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, badFilter("limit", fmt.Sprintf("%q is not a positive whole number", v))
		}
		f.limit = min(n, s.taxiiMaxPage())
	}
	bind := []string{scope, "added_after=" + formatTAXIITime(f.addedAfter)}
	if take&takeID != 0 {
		ids, ok, err := list("match[id]")
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if !stix.ValidID(id, "") {
				return nil, badFilter("match[id]", fmt.Sprintf("%q is not a STIX identifier (type--UUID)", id))
			}
		}
		if ok {
			f.ids = ids
			bind = append(bind, "id="+strings.Join(sortedCopy(ids), ","))
		}
	}
	if take&takeType != 0 {
		types, ok, err := list("match[type]")
		if err != nil {
			return nil, err
		}
		for _, t := range types {
			if !stix.ValidTypeName(t) {
				return nil, badFilter("match[type]", fmt.Sprintf("%q is not a STIX object type", t))
			}
		}
		if ok {
			f.types = types
			bind = append(bind, "type="+strings.Join(sortedCopy(types), ","))
		}
	}
	if take&takeVersion != 0 {
		vs, ok, err := list("match[version]")
		if err != nil {
			return nil, err
		}
		if ok {
			if f.versions, err = parseVersionMatch(vs); err != nil {
				return nil, err
			}
			bind = append(bind, "version="+strings.Join(sortedCopy(vs), ","))
		}
	}
	if take&takeSpecVersion != 0 {
		svs, ok, err := list("match[spec_version]")
		if err != nil {
			return nil, err
		}
		for _, sv := range svs {
			if !isSpecVersion(sv) {
				return nil, badFilter("match[spec_version]", fmt.Sprintf("%q is not a STIX spec version such as 2.1", sv))
			}
		}
		if ok {
			f.specVersions = svs
			bind = append(bind, "spec_version="+strings.Join(sortedCopy(svs), ","))
		}
	}
	sum := sha256.Sum256([]byte(strings.Join(bind, "\n")))
	f.binding = base64.RawURLEncoding.EncodeToString(sum[:12])
	if v, ok, err := one("next"); err != nil {
		return nil, err
	} else if ok {
		tok, err := s.cursor.open(v)
		if err != nil {
			return nil, badFilter("next", "is not a token this server issued; start again without next")
		}
		if tok.Binding != f.binding {
			return nil, badFilter("next", "was issued for other filters (or another collection or object); send next with exactly the filters of the request that returned it")
		}
		f.next = tok
	}
	return f, nil
}

// parseVersionMatch reads match[version] (TAXII 2.1 §3.4.2): first, last,
// all (alone only) and exact timestamps.
func parseVersionMatch(vs []string) (sharing.VersionMatch, error) {
	var m sharing.VersionMatch
	for _, v := range vs {
		switch v {
		case "all":
			if len(vs) > 1 {
				return m, badFilter("match[version]", `"all" must be used alone`)
			}
			m.All = true
		case "first":
			m.First = true
		case "last":
			m.Last = true
		default:
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return m, badFilter("match[version]", fmt.Sprintf("%q is not first, last, all or a timestamp", v))
			}
			m.Versions = append(m.Versions, t)
		}
	}
	return m, nil
}

func isSpecVersion(s string) bool {
	a, b, ok := strings.Cut(s, ".")
	if !ok || a == "" || b == "" {
		return false
	}
	for _, r := range a + b {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func badFilter(param, problem string) error {
	return newError(fiber.StatusBadRequest, "bad-filter", "Bad request parameter", param+": "+problem)
}

// query turns the filter into the store's query.
// query is the filter as a sharing.TAXIIQuery; the collection and the reader
// are set by sharing.TAXII.Read from the caller.
func (f *taxiiFilter) query(withJSON bool) sharing.TAXIIQuery {
	q := sharing.TAXIIQuery{AddedAfter: f.addedAfter, IDs: f.ids, Types: f.types,
		Versions: f.versions, SpecVersions: f.specVersions, Limit: f.limit, WithJSON: withJSON}
	if f.next != nil {
		q.After = &sharing.Cursor{DateAdded: f.next.DateAdded, Seq: f.next.Seq}
	}
	return q
}

// nextToken is the opaque next of TAXII 2.1 §3.4.1: the keyset position after
// the last entry served, and the binding of the filters (collection, reader,
// object) it continues.
type nextToken struct {
	DateAdded time.Time `json:"d"`
	Seq       int64     `json:"s"`
	Binding   string    `json:"b"`
}

// cursorSealer seals next tokens with AES-256-GCM. The position holds the
// entry's hub-wide sequence number, which would tell a reader how much
// everyone else submitted between two of its pages; sealed, the token is
// opaque and cannot be forged or altered (docs/taxii.md).
type cursorSealer struct {
	aead cipher.AEAD
}

func newCursorSealer(key []byte) (*cursorSealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("cursor key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &cursorSealer{aead: aead}, nil
}

// seal encodes a token: base64url(nonce ‖ AES-GCM(json)).
func (c *cursorSealer) seal(t nextToken) string {
	plain, _ := json.Marshal(t)
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand failed: " + err.Error()) // rand.Read does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(c.aead.Seal(nonce, nonce, plain, []byte("kakehashi taxii next")))
}

// open decodes a token this hub sealed; anything else is an error.
func (c *cursorSealer) open(s string) (*nextToken, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	n := c.aead.NonceSize()
	if len(raw) < n+c.aead.Overhead() {
		return nil, errors.New("next token too short")
	}
	plain, err := c.aead.Open(nil, raw[:n], raw[n:], []byte("kakehashi taxii next"))
	if err != nil {
		return nil, err
	}
	var t nextToken
	if err := json.Unmarshal(plain, &t); err != nil {
		return nil, err
	}
	if t.Binding == "" || t.Seq <= 0 {
		return nil, errors.New("incomplete next token")
	}
	return &t, nil
}

func formatTAXIITime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(sharing.TAXIITimeLayout)
}

func (s *Server) taxiiMaxPage() int {
	if s.cfg.TAXIIMaxPageSize > 0 {
		return s.cfg.TAXIIMaxPageSize
	}
	return DefaultTAXIIPageSize
}
