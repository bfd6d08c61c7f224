package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SpecVersion is the only STIX specification version the hub accepts.
const SpecVersion = "2.1"

// Object is one STIX 2.1 object. Props is the whole decoded object (json.Number
// for numbers); Raw is the exact JSON it was decoded from when the decoder kept
// it (DecodeObject does; DecodeBundle's fast path does not), else nil.
type Object struct {
	Type              string
	ID                string
	SpecVersion       string
	Created           time.Time // zero for SCOs
	Modified          time.Time // zero for SCOs; equals Created when absent
	CreatedByRef      string
	ObjectMarkingRefs []string
	Props             map[string]any
	Raw               json.RawMessage
}

// Bundle is a STIX bundle (STIX 2.1 §8) or the objects of a TAXII envelope.
type Bundle struct {
	ID      string // empty for an envelope
	Objects []*Object
}

// Limits bound what a decoder accepts (PROFILE.md §1). Zero fields take the default.
type Limits struct {
	MaxObjects      int // objects per bundle
	MaxDepth        int // JSON nesting depth
	MaxStringBytes  int // length of one JSON string
	MaxPayloadBytes int // decoded length of artifact.payload_bin
}

// DefaultLimits returns the limits of PROFILE.md §1.
func DefaultLimits() Limits {
	return Limits{MaxObjects: 50000, MaxDepth: 64, MaxStringBytes: 1 << 20, MaxPayloadBytes: 16 << 20}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxObjects <= 0 {
		l.MaxObjects = d.MaxObjects
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxStringBytes <= 0 {
		l.MaxStringBytes = d.MaxStringBytes
	}
	if l.MaxPayloadBytes <= 0 {
		l.MaxPayloadBytes = d.MaxPayloadBytes
	}
	return l
}

// ErrLimit marks a decode failure caused by a resource limit rather than by bad
// syntax; callers map it to 413 where the limit is on size.
var ErrLimit = errors.New("limit exceeded")

// DecodeBundle decodes a STIX bundle, or a TAXII envelope ({"objects": [...]}),
// enforcing the limits. Syntax and shape errors come back as *ValidationError;
// limit breaches also wrap ErrLimit. The objects are not validated: call Validate.
// A bundle of many objects is decoded on every core (decodeBundleSplit), with
// the same result as on one.
func DecodeBundle(data []byte, lim Limits) (*Bundle, error) {
	return decodeBundle(data, lim, parallelism{minObjects: parallelMinObjects, workers: runtime.GOMAXPROCS(0)})
}

// parallelMinObjects is the number of objects from which DecodeBundle decodes
// them on several goroutines. Below it the bundle takes well under a
// millisecond on one core, and the skeleton decode and the goroutines would
// be a larger share of it.
const parallelMinObjects = 64

// parallelism says when decodeBundle splits the objects' decoding: from
// minObjects objects, over workers goroutines (never when workers < 2). Tests
// use it to compare the split decode with the sequential one.
type parallelism struct{ minObjects, workers int }

func decodeBundle(data []byte, lim Limits, par parallelism) (*Bundle, error) {
	lim = lim.withDefaults()
	scan, err := scanLimits(data, lim)
	if err != nil {
		return nil, err
	}
	if par.workers > 1 && len(scan.elems) >= par.minObjects {
		if b, ok := decodeBundleSplit(data, lim, scan, par.workers); ok {
			return b, nil
		}
	}
	if b, ok := decodeBundleFast(data, lim, scan.topKeys); ok {
		return b, nil
	}
	return decodeBundleSlow(data, lim)
}

// bundleShape is what the fast path decodes in one pass.
type bundleShape struct {
	Type    *string          `json:"type"`
	ID      *string          `json:"id"`
	Objects []map[string]any `json:"objects"`
}

// decodeBundleFast decodes a well-formed bundle in a single pass. It gives up
// (false) on anything unusual, and the slow path then produces the precise
// violations: error reporting is not the hot path.
func decodeBundleFast(data []byte, lim Limits, topKeys []string) (*Bundle, bool) {
	b, objects, ok := decodeShape(data, lim, topKeys)
	if !ok {
		return nil, false
	}
	b.Objects = make([]*Object, len(objects))
	for i, props := range objects {
		if props == nil {
			return nil, false
		}
		b.Objects[i] = newObject(props, nil)
	}
	return b, true
}

// decodeShape is the fast path's one decode and its checks of the bundle's
// own members. It returns the bundle without its objects and the objects'
// decoded maps, which may include nil for a null element.
func decodeShape(data []byte, lim Limits, topKeys []string) (*Bundle, []map[string]any, bool) {
	for _, k := range topKeys {
		switch k {
		case "type", "id", "objects":
		default:
			return nil, nil, false
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var shape bundleShape
	if err := dec.Decode(&shape); err != nil || dec.More() {
		return nil, nil, false
	}
	if len(shape.Objects) == 0 || len(shape.Objects) > lim.MaxObjects {
		return nil, nil, false
	}
	b := &Bundle{}
	if shape.Type != nil || shape.ID != nil {
		if shape.Type == nil || *shape.Type != "bundle" || shape.ID == nil || !ValidID(*shape.ID, "bundle") {
			return nil, nil, false
		}
		b.ID = *shape.ID
	}
	return b, shape.Objects, true
}

// jsonMaxDepth is encoding/json's own nesting limit (maxNestingDepth in its
// scanner), which jsonDecoder keeps too. An element decoded alone is two
// levels shallower than in the bundle, so it could pass that limit where the
// whole document fails it; the split is only exact while MaxDepth, which
// scanLimits enforced, stays within it.
const jsonMaxDepth = 10000

// decodeBundleSplit is decodeBundleFast with the elements of "objects" decoded
// on workers goroutines, each taking a contiguous run of scan.elems. It gives
// up (false) on anything unusual; DecodeBundle then runs the sequential fast
// path and the slow path exactly as without it, so errors are unchanged.
//
// Why it returns what decodeBundleFast(data) would: the spans come from
// scanLimits, which tracks depth and skips strings as a JSON parser does, but
// which does not check syntax, so they are a claim to prove, not a fact.
//
//  1. The skeleton, data with each span replaced by "{}", must pass
//     decodeShape (today's decode into bundleShape, with its checks: top-level
//     keys only type, id and objects, one value, sizes, the bundle's own
//     type and id); "objects" must be a top-level key exactly once (the
//     pass notes the first such array, the decoder keeps the last); and the
//     skeleton's objects array must have exactly one element per span.
//  2. Each span, decoded alone as a json.Decoder with UseNumber decodes it
//     into map[string]any (decodeElem, whose jsonDecoder gives the same
//     result and refuses the same inputs), must be exactly one JSON value
//     that uses every byte of the span (InputOffset), and not null.
//
// Outside the spans the skeleton is byte for byte the document, and
// scanLimits' pass enters and leaves each span at depth 2 outside any string,
// as it enters and leaves "{}"; so it reads the skeleton as it read the
// document. On valid JSON its reading is the parser's, so by (1) each "{}" is
// an element of the top-level "objects" array, and by the count every
// element is one. Replacing a value in valid JSON by another valid value keeps
// it valid, so by (2) the document is valid too (its first value; the bytes
// after it are the skeleton's, and More judges them the same), and decoding
// it gives the skeleton's bundleShape with each element's map being its
// span's decoded alone: a JSON value decodes the same wherever it stands,
// duplicate keys (the last wins) and invalid UTF-8 included. The one limit
// that depends on where a value stands is encoding/json's nesting depth
// (jsonMaxDepth).
func decodeBundleSplit(data []byte, lim Limits, scan scanned, workers int) (*Bundle, bool) {
	if lim.MaxDepth > jsonMaxDepth || count(scan.topKeys, "objects") != 1 {
		return nil, false
	}
	b, placeholders, ok := decodeShape(skeleton(data, scan.elems), lim, scan.topKeys)
	if !ok || len(placeholders) != len(scan.elems) {
		return nil, false
	}
	b.Objects, ok = decodeElems(data, scan.elems, workers)
	if !ok {
		return nil, false
	}
	return b, true
}

func count(keys []string, key string) int {
	n := 0
	for _, k := range keys {
		if k == key {
			n++
		}
	}
	return n
}

// skeleton returns a copy of data with each span replaced by "{}".
func skeleton(data []byte, elems []span) []byte {
	size := len(data)
	for _, e := range elems {
		size -= e.end - e.start - 2
	}
	out := make([]byte, 0, size)
	at := 0
	for _, e := range elems {
		out = append(out, data[at:e.start]...)
		out = append(out, "{}"...)
		at = e.end
	}
	return append(out, data[at:]...)
}

// decodeElems decodes each span as one STIX object, on workers goroutines that
// each take a contiguous run of spans and write only their own part of the
// result, so the objects keep their order. newObject runs there too: it only
// reads the map it is given. It fails (false) unless every span is exactly one
// JSON object.
func decodeElems(data []byte, elems []span, workers int) ([]*Object, bool) {
	objects := make([]*Object, len(elems))
	workers = min(workers, len(elems))
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(elems)/workers, (w+1)*len(elems)/workers
		wg.Go(func() {
			var dec jsonDecoder // its buffers serve the whole run
			// Once one span fails the bundle goes to the sequential path,
			// so the other workers stop early.
			for i := lo; i < hi && !failed.Load(); i++ {
				props, ok := decodeElem(&dec, data[elems[i].start:elems[i].end])
				if !ok {
					failed.Store(true)
					return
				}
				objects[i] = newObject(props, nil)
			}
		})
	}
	wg.Wait()
	return objects, !failed.Load()
}

// decodeElem decodes raw as the fast path decodes an element of "objects"
// (encoding/json's Decoder with UseNumber, into a map[string]any), requiring
// that it be one JSON object and nothing more: whitespace before it is
// skipped, any byte after it, whitespace too, is refused, as a Decoder's
// InputOffset would show. It uses dec, which gives the same result as
// encoding/json and refuses exactly what encoding/json refuses
// (TestDecodeJSONValue, FuzzDecodeJSONValue), in a fraction of the time.
func decodeElem(dec *jsonDecoder, raw []byte) (map[string]any, bool) {
	v, ok := dec.decode(raw)
	props, isObject := v.(map[string]any) // false for null
	return props, ok && isObject
}

func decodeBundleSlow(data []byte, lim Limits) (*Bundle, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, invalid("", "the body is not a JSON object: "+jsonErrText(err))
	}
	var v []Violation
	b := &Bundle{}
	if t, ok := top["type"]; ok {
		var typ string
		if json.Unmarshal(t, &typ) != nil || typ != "bundle" {
			v = append(v, Violation{"/type", `must be "bundle" (or omit "type" and send a TAXII envelope)`})
		}
		if id, ok := top["id"]; !ok {
			v = append(v, Violation{"/id", "is required on a bundle"})
		} else if json.Unmarshal(id, &b.ID) != nil || !ValidID(b.ID, "bundle") {
			v = append(v, Violation{"/id", `must be "bundle--" followed by an RFC 4122 UUID`})
		}
	}
	for k := range top {
		switch k {
		case "type", "id", "objects", "spec_version", "more", "next":
		default:
			if !strings.HasPrefix(k, "x_") {
				v = append(v, Violation{"/" + escapePointer(k), "is not a property of a bundle or envelope"})
			}
		}
	}
	raw, ok := top["objects"]
	if !ok {
		v = append(v, Violation{"/objects", "is required: a bundle carries its STIX objects in \"objects\""})
		return nil, &ValidationError{Violations: v}
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(raw, &raws); err != nil {
		v = append(v, Violation{"/objects", "must be an array of STIX objects"})
		return nil, &ValidationError{Violations: v}
	}
	if len(raws) == 0 {
		v = append(v, Violation{"/objects", "must contain at least one object"})
	}
	if len(raws) > lim.MaxObjects {
		return nil, &ValidationError{Violations: []Violation{{"/objects", fmt.Sprintf("has %d objects; at most %d are accepted per bundle: split the submission", len(raws), lim.MaxObjects)}}, Limit: true}
	}
	b.Objects = make([]*Object, 0, len(raws))
	for i, r := range raws {
		o, err := DecodeObject(r)
		if err != nil {
			v = append(v, Violation{fmt.Sprintf("/objects/%d", i), err.Error()})
			continue
		}
		b.Objects = append(b.Objects, o)
	}
	if len(v) > 0 {
		return nil, &ValidationError{Violations: v}
	}
	return b, nil
}

// DecodeObject decodes one STIX object. It fills the common properties it can
// read; their validity is checked by Validate.
func DecodeObject(raw []byte) (*Object, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var props map[string]any
	if err := dec.Decode(&props); err != nil {
		return nil, fmt.Errorf("is not a JSON object: %s", jsonErrText(err))
	}
	if props == nil {
		return nil, errors.New("is null; a STIX object is a JSON object")
	}
	return newObject(props, raw), nil
}

// NewObject wraps a decoded object map; Raw is produced by marshalling it.
func NewObject(props map[string]any) (*Object, error) {
	raw, err := json.Marshal(props)
	if err != nil {
		return nil, fmt.Errorf("encode object: %w", err)
	}
	return newObject(props, raw), nil
}

func newObject(props map[string]any, raw []byte) *Object {
	o := &Object{Props: props, Raw: json.RawMessage(raw)}
	o.Type, _ = props["type"].(string)
	o.ID, _ = props["id"].(string)
	o.SpecVersion, _ = props["spec_version"].(string)
	o.CreatedByRef, _ = props["created_by_ref"].(string)
	if s, ok := props["created"].(string); ok {
		o.Created, _ = ParseTimestamp(s)
	}
	if s, ok := props["modified"].(string); ok {
		o.Modified, _ = ParseTimestamp(s)
	} else {
		o.Modified = o.Created
	}
	if refs, ok := props["object_marking_refs"].([]any); ok {
		for _, r := range refs {
			if s, ok := r.(string); ok {
				o.ObjectMarkingRefs = append(o.ObjectMarkingRefs, s)
			}
		}
	}
	return o
}

// Version identifies one version of an object: its modified time, or for
// objects without one (SCOs, marking definitions) its created time or nothing.
func (o *Object) Version() string {
	if s, ok := o.Props["modified"].(string); ok {
		return s
	}
	if s, ok := o.Props["created"].(string); ok {
		return s
	}
	return ""
}

// MarshalJSON returns the object's JSON: as submitted when the decoder kept
// it, else encoded from Props.
func (o *Object) MarshalJSON() ([]byte, error) {
	if o.Raw != nil {
		return o.Raw, nil
	}
	return json.Marshal(o.Props)
}

// MarshalJSON encodes the bundle in STIX form.
func (b *Bundle) MarshalJSON() ([]byte, error) {
	objs := b.Objects
	if objs == nil {
		objs = []*Object{}
	}
	return json.Marshal(struct {
		Type    string    `json:"type"`
		ID      string    `json:"id"`
		Objects []*Object `json:"objects"`
	}{"bundle", b.ID, objs})
}

// ParseTimestamp parses a STIX timestamp (RFC 3339, UTC "Z", STIX 2.1 §3.2).
func ParseTimestamp(s string) (time.Time, error) {
	if !validTimestamp(s) {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 UTC timestamp such as 2026-07-10T01:00:00.000Z", s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a valid date and time", s)
	}
	return t, nil
}

// validTimestamp checks the lexical form YYYY-MM-DDTHH:MM:SS[.s+]Z.
func validTimestamp(s string) bool {
	if len(s) < 20 || s[len(s)-1] != 'Z' {
		return false
	}
	digit := func(i int) bool { return s[i] >= '0' && s[i] <= '9' }
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !digit(i) {
			return false
		}
	}
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return false
	}
	rest := s[19 : len(s)-1]
	if rest == "" {
		return true
	}
	if rest[0] != '.' || len(rest) < 2 {
		return false
	}
	for i := 1; i < len(rest); i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return false
		}
	}
	return true
}

// FormatTimestamp renders t as a STIX timestamp with millisecond precision.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func jsonErrText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("found a JSON %s where an object was expected", te.Value)
	}
	return err.Error()
}

func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
