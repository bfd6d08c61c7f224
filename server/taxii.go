package server

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// The TAXII 2.1 server over the channels (INTERFACES.md §6, docs/taxii.md):
// discovery, one API root ("hub"), a collection per channel plus intake.
// Protocol checks live in taxii_query.go; the store query in store/sqlite/taxii.go.

const taxiiAPIRoot = "/taxii2/hub/"

// handleTAXIIDiscovery is GET /taxii2/ (TAXII 2.1 §4.1), open to anyone.
func (s *Server) handleTAXIIDiscovery(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{
		"title":       "Kakehashi telecom ISAC hub",
		"description": "TAXII 2.1 server of the Kakehashi information-sharing hub for Japan's telecommunications sector.",
		"default":     taxiiAPIRoot,
		"api_roots":   []string{taxiiAPIRoot},
	}, taxiiMediaType)
}

// handleTAXIIAPIRoot is GET /taxii2/hub/ (TAXII 2.1 §4.2).
func (s *Server) handleTAXIIAPIRoot(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{
		"title":              "Kakehashi hub",
		"description":        "The hub's channels as collections, and the intake collection for submissions.",
		"versions":           []string{taxiiMediaType},
		"max_content_length": s.cfg.BodyLimit,
	}, taxiiMediaType)
}

// collectionResource is a TAXII 2.1 collection resource (§5.2.1).
type collectionResource struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types"`
}

func resourceOf(col sharing.Collection, org *sharing.Organization) collectionResource {
	return collectionResource{ID: col.ID, Title: col.Title, Description: col.Description, Alias: string(col.Channel),
		CanRead: col.CanRead(org), CanWrite: col.CanWrite(org), MediaTypes: []string{stixMediaType}}
}

func callerOrg(c *fiber.Ctx) *sharing.Organization {
	if p := caller(c); p != nil {
		return p.Org
	}
	return nil
}

// handleTAXIICollections is GET /taxii2/hub/collections/ (TAXII 2.1 §5.1):
// the collections the caller may know of, in a stable order.
func (s *Server) handleTAXIICollections(c *fiber.Ctx) error {
	org := callerOrg(c)
	var out []collectionResource
	for _, col := range s.cfg.TAXII.Collections(org) {
		out = append(out, resourceOf(col, org))
	}
	if len(out) == 0 {
		return c.JSON(fiber.Map{}, taxiiMediaType)
	}
	return c.JSON(fiber.Map{"collections": out}, taxiiMediaType)
}

// handleTAXIICollection is GET /taxii2/hub/collections/{id}/ (TAXII 2.1 §5.2).
func (s *Server) handleTAXIICollection(c *fiber.Ctx) error {
	col, err := s.cfg.TAXII.Collection(callerOrg(c), c.Params("collection"))
	if err != nil {
		return err
	}
	return c.JSON(resourceOf(col, callerOrg(c)), taxiiMediaType)
}

// page runs one listing query for the caller (sharing.TAXII audits it).
func (s *Server) page(c *fiber.Ctx, col sharing.Collection, f *taxiiFilter, withJSON bool, via string) ([]sharing.TAXIIEntry, bool, error) {
	entries, more, err := s.cfg.TAXII.Read(c.UserContext(), callerOrg(c), col, f.query(withJSON), via)
	if err != nil {
		return nil, false, err
	}
	if len(entries) > 0 {
		c.Set("X-TAXII-Date-Added-First", formatTAXIITime(entries[0].DateAdded))
		c.Set("X-TAXII-Date-Added-Last", formatTAXIITime(entries[len(entries)-1].DateAdded))
	}
	return entries, more, nil
}

// writePaging writes "more" and, when more follow, "next" (TAXII 2.1 §3.4.1).
func (s *Server) writePaging(b *bytes.Buffer, f *taxiiFilter, entries []sharing.TAXIIEntry, more bool) {
	b.WriteString(`{"more":` + strconv.FormatBool(more))
	if more {
		last := entries[len(entries)-1]
		fmt.Fprintf(b, `,"next":%q`, s.cursor.seal(nextToken{DateAdded: last.DateAdded, Seq: last.Seq, Binding: f.binding}))
	}
}

// envelope writes the TAXII envelope (TAXII 2.1 §3.7) around the entries' JSON.
func (s *Server) envelope(c *fiber.Ctx, f *taxiiFilter, entries []sharing.TAXIIEntry, more bool) error {
	var b bytes.Buffer
	b.Grow(256 + 1024*len(entries))
	s.writePaging(&b, f, entries, more)
	if len(entries) > 0 {
		b.WriteString(`,"objects":[`)
		for i, e := range entries {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(e.JSON)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	c.Set(fiber.HeaderContentType, taxiiMediaType)
	return c.Send(b.Bytes())
}

func (s *Server) listScope(kind string, col sharing.Collection, c *fiber.Ctx, objectID string) string {
	reader := ""
	if org := callerOrg(c); org != nil {
		reader = org.ID
	}
	return strings.Join([]string{kind, col.ID, reader, objectID}, "|")
}

// handleTAXIIObjects is GET …/collections/{id}/objects/ (TAXII 2.1 §5.4).
func (s *Server) handleTAXIIObjects(c *fiber.Ctx) error {
	f, entries, more, err := s.collectionPage(c, "objects", true, "taxii-objects")
	if err != nil {
		return err
	}
	return s.envelope(c, f, entries, more)
}

// collectionPage reads one page of a readable collection: the part the
// objects endpoint (with the objects' JSON) and the manifest share.
func (s *Server) collectionPage(c *fiber.Ctx, scope string, withJSON bool, audit string) (*taxiiFilter, []sharing.TAXIIEntry, bool, error) {
	col, err := s.cfg.TAXII.Readable(callerOrg(c), c.Params("collection"))
	if err != nil {
		return nil, nil, false, err
	}
	f, err := s.parseTAXIIFilter(c, filtersObjects, s.listScope(scope, col, c, ""))
	if err != nil {
		return nil, nil, false, err
	}
	entries, more, err := s.page(c, col, f, withJSON, audit)
	if err != nil {
		return nil, nil, false, err
	}
	return f, entries, more, nil
}

// handleTAXIIManifest is GET …/collections/{id}/manifest/ (TAXII 2.1 §5.3).
func (s *Server) handleTAXIIManifest(c *fiber.Ctx) error {
	f, entries, more, err := s.collectionPage(c, "manifest", false, "taxii-manifest")
	if err != nil {
		return err
	}
	var b bytes.Buffer
	s.writePaging(&b, f, entries, more)
	if len(entries) > 0 {
		b.WriteString(`,"objects":[`)
		for i, e := range entries {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":%q,"date_added":%q,"version":%q,"media_type":%q}`, e.ObjectID, formatTAXIITime(e.DateAdded), e.TAXIIVersion(), stixMediaType)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	c.Set(fiber.HeaderContentType, taxiiMediaType)
	return c.Send(b.Bytes())
}

// objectID reads and checks :object.
func objectID(c *fiber.Ctx) (string, error) {
	id := c.Params("object")
	if !stix.ValidID(id, "") {
		return "", fmt.Errorf("%q is not a STIX identifier: %w", id, sharing.ErrNotFound)
	}
	return id, nil
}

// handleTAXIIObject is GET …/objects/{object-id}/ (TAXII 2.1 §5.5). An object
// the caller may not read, or that is not in the collection, is a 404.
func (s *Server) handleTAXIIObject(c *fiber.Ctx) error {
	f, entries, more, err := s.objectPage(c, "object", filtersObject, true, "taxii-object")
	if err != nil {
		return err
	}
	return s.envelope(c, f, entries, more)
}

// objectPage reads one page of one object's entries in a readable
// collection: the part the object endpoint (objects, with their JSON) and
// the versions endpoint (every version, ids only) share. An object with
// nothing to show is a 404.
func (s *Server) objectPage(c *fiber.Ctx, scope string, filters filterSet, withJSON bool, audit string) (*taxiiFilter, []sharing.TAXIIEntry, bool, error) {
	col, err := s.cfg.TAXII.Readable(callerOrg(c), c.Params("collection"))
	if err != nil {
		return nil, nil, false, err
	}
	id, err := objectID(c)
	if err != nil {
		return nil, nil, false, err
	}
	f, err := s.parseTAXIIFilter(c, filters, s.listScope(scope, col, c, id))
	if err != nil {
		return nil, nil, false, err
	}
	f.ids = []string{id}
	if !withJSON {
		f.versions = sharing.VersionMatch{All: true}
	}
	entries, more, err := s.page(c, col, f, withJSON, audit)
	if err != nil {
		return nil, nil, false, err
	}
	if len(entries) == 0 && f.next == nil {
		return nil, nil, false, fmt.Errorf("object %s not in collection %s: %w", id, col.Channel, sharing.ErrNotFound)
	}
	return f, entries, more, nil
}

// handleTAXIIVersions is GET …/objects/{object-id}/versions/ (TAXII 2.1 §5.8).
func (s *Server) handleTAXIIVersions(c *fiber.Ctx) error {
	f, entries, more, err := s.objectPage(c, "versions", filtersVersions, false, "taxii-versions")
	if err != nil {
		return err
	}
	var b bytes.Buffer
	s.writePaging(&b, f, entries, more)
	b.WriteString(`,"versions":[`)
	for i, e := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q", e.TAXIIVersion())
	}
	b.WriteString("]}")
	c.Set(fiber.HeaderContentType, taxiiMediaType)
	return c.Send(b.Bytes())
}

// handleTAXIIObjectDelete is DELETE …/objects/{object-id}/ (TAXII 2.1 §5.6).
// The hub never deletes: channels are filled by releases and revoked by
// later versions (docs/sharing.md), and submissions are evidence. So it is
// 404 where the caller may not know the collection, else 403 (can_write is
// false everywhere but intake, and intake keeps what was submitted).
func (s *Server) handleTAXIIObjectDelete(c *fiber.Ctx) error {
	return s.cfg.TAXII.Delete(callerOrg(c), c.Params("collection"))
}

// handleTAXIIObjectsAdd is POST …/collections/{id}/objects/ (TAXII 2.1
// §5.4.2): only on intake, through exactly the intake of POST
// /api/v1/submissions. The answer is 202 with a status resource (§4.3.1)
// whose status is already complete: intake is synchronous. A refused envelope
// is stored as nothing (intake is atomic), so every object is then a failure,
// those with a violation carrying its message.
func (s *Server) handleTAXIIObjectsAdd(c *fiber.Ctx) error {
	org := callerOrg(c)
	if _, err := s.cfg.TAXII.Writable(org, c.Params("collection")); err != nil {
		return err
	}
	if err := checkTAXIIContentType(c); err != nil {
		return err
	}
	received := time.Now().UTC()
	raw, err := s.readBody(c)
	if err != nil {
		return err
	}
	req, err := s.cfg.Intake.ParseSubmission(org, raw)
	if err != nil {
		s.metrics.submissions.WithLabelValues("refused").Inc()
		return err
	}
	st := &sharing.TAXIIStatus{ID: uuidString(), Status: "complete", RequestTimestamp: formatTAXIITime(received),
		TotalCount: len(req.Bundle.Objects), CreatedAt: received}
	sub, created, err := s.cfg.Intake.Submit(c.UserContext(), org, req)
	var re *sharing.RefusedError
	switch {
	case err == nil:
		msg := "stored"
		if !created {
			msg = "already stored: identical to an earlier submission"
			s.metrics.submissions.WithLabelValues("duplicate").Inc()
		} else {
			s.metrics.submissions.WithLabelValues("accepted").Inc()
		}
		st.SubmissionID = sub.ID
		for _, o := range req.Bundle.Objects {
			st.Successes = append(st.Successes, sharing.TAXIIStatusDetail{ID: o.ID, Version: statusVersion(o, received), Message: msg})
		}
	case errors.As(err, &re) && re.Kind != sharing.RefusedTooLarge && re.Kind != sharing.RefusedMalformed,
		errors.Is(err, sharing.ErrForbidden):
		s.metrics.submissions.WithLabelValues("refused").Inc()
		var violations []stix.Violation
		if re != nil {
			violations = re.Violations
		}
		st.Failures = failures(req.Bundle.Objects, violations, userPart(err, sharing.ErrForbidden), received)
	default:
		s.metrics.submissions.WithLabelValues("refused").Inc()
		return err
	}
	st.SuccessCount, st.FailureCount = len(st.Successes), len(st.Failures)
	if err := s.cfg.TAXII.SaveStatus(c.UserContext(), org, st); err != nil {
		return err
	}
	c.Status(fiber.StatusAccepted)
	return c.JSON(st, taxiiMediaType)
}

// statusVersion is the version a status names: modified, else created, else
// the request time (SCOs).
func statusVersion(o *stix.Object, received time.Time) string {
	if v := o.Version(); v != "" {
		return v
	}
	return formatTAXIITime(received)
}

// failures lists every object of a refused envelope, with the messages of
// its violations (JSON pointers under /objects/N), else why it was not stored.
func failures(objs []*stix.Object, violations []stix.Violation, whole string, received time.Time) []sharing.TAXIIStatusDetail {
	byIndex := map[int][]string{}
	var general []string
	for _, v := range violations {
		rest, ok := strings.CutPrefix(v.Path, "/objects/")
		if ok {
			idx, sub, _ := strings.Cut(rest, "/")
			if i, err := strconv.Atoi(idx); err == nil && i >= 0 && i < len(objs) {
				msg := v.Message
				if sub != "" {
					msg = "/" + sub + ": " + msg
				}
				byIndex[i] = append(byIndex[i], msg)
				continue
			}
		}
		general = append(general, strings.TrimPrefix(v.Path+": ", ": ")+v.Message)
	}
	out := make([]sharing.TAXIIStatusDetail, len(objs))
	for i, o := range objs {
		msgs := byIndex[i]
		if len(msgs) == 0 {
			msgs = general
		}
		msg := strings.Join(msgs, "; ")
		if msg == "" && whole != "" && len(violations) == 0 {
			msg = whole
		}
		if msg == "" {
			msg = "not stored: the envelope is stored all or nothing, and other objects in it were refused"
		}
		out[i] = sharing.TAXIIStatusDetail{ID: o.ID, Version: statusVersion(o, received), Message: msg}
	}
	return out
}

// handleTAXIIStatus is GET /taxii2/hub/status/{id}/ (TAXII 2.1 §4.3): the
// poster's own statuses only; anyone else gets 404.
func (s *Server) handleTAXIIStatus(c *fiber.Ctx) error {
	st, err := s.cfg.TAXII.Status(c.UserContext(), callerOrg(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(st, taxiiMediaType)
}

// methodNotAllowed answers 405 with the methods the resource takes.
func (s *Server) methodNotAllowed(allow string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderAllow, allow)
		return newError(fiber.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed",
			fmt.Sprintf("%s is not allowed on %s; use %s", c.Method(), c.Path(), allow))
	}
}
