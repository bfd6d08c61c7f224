package server

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// principal is the authenticated caller.
type principal struct {
	Org   *sharing.Organization
	JTI   string
	Token string
}

// right is something a role may do.
type right string

const (
	rightSubmit  right = "submit"
	rightOperate right = "operate" // read the hub's own metrics
)

// rights maps roles to what they may do beyond reading their own records.
var rights = map[right][]sharing.Role{
	rightSubmit:  sharing.SubmitterRoles,
	rightOperate: {sharing.RoleAdmin},
}

// authenticate identifies the caller by a bearer token or, for TAXII clients
// that speak only Basic (TAXII 2.1 §1.6.9), by HTTP Basic with the
// organization id and an API key. Both give the same principal. Any failure
// is 401 with a challenge for both schemes.
func (s *Server) authenticate(c *fiber.Ctx) error {
	p, err := s.identify(c)
	if err != nil {
		return s.unauthorized(c, err)
	}
	c.Locals("principal", p)
	return c.Next()
}

// authenticateOptional lets a request without credentials through as
// anonymous (discovery, the public collection); credentials that are sent
// must be valid.
func (s *Server) authenticateOptional(c *fiber.Ctx) error {
	if c.Get(fiber.HeaderAuthorization) == "" {
		return c.Next()
	}
	return s.authenticate(c)
}

// unauthorized answers a 401 itself so that it can challenge for Basic as
// well as Bearer (RFC 9110 §11.6.1 allows several challenges); other errors
// (a database failure) go to the error handler.
func (s *Server) unauthorized(c *fiber.Ctx, err error) error {
	if toAPIError(err).status != fiber.StatusUnauthorized {
		return err
	}
	if herr := s.handleError(c, err); herr != nil {
		return herr
	}
	addBasicChallenge(c)
	return nil
}

const basicChallenge = `Basic realm="kakehashi", charset="UTF-8"`

func addBasicChallenge(c *fiber.Ctx) {
	for _, v := range c.Response().Header.PeekAll(fiber.HeaderWWWAuthenticate) {
		if strings.HasPrefix(string(v), "Basic") {
			return
		}
	}
	c.Response().Header.Add(fiber.HeaderWWWAuthenticate, basicChallenge)
}

func (s *Server) identify(c *fiber.Ctx) (*principal, error) {
	h := c.Get(fiber.HeaderAuthorization)
	if scheme, cred, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Basic") {
		return s.identifyBasic(c, strings.TrimSpace(cred))
	}
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("no bearer token: %w", sharing.ErrUnauthorized)
	}
	claims, err := s.cfg.Signer.Verify(strings.TrimSpace(raw))
	if err != nil {
		return nil, err
	}
	revoked, err := s.cfg.Store.IsTokenRevoked(c.UserContext(), claims.ID)
	if err != nil {
		return nil, err
	}
	if revoked {
		return nil, fmt.Errorf("token %s revoked: %w", claims.ID, sharing.ErrUnauthorized)
	}
	org, err := s.cfg.Registry.FindOrganizationByID(claims.Org)
	if err != nil {
		if errors.Is(err, sharing.ErrNotFound) {
			return nil, fmt.Errorf("token of unknown organization %s: %w", claims.Org, sharing.ErrUnauthorized)
		}
		return nil, err
	}
	if string(org.Role) != claims.Role {
		return nil, fmt.Errorf("token role %s but organization %s is %s: %w", claims.Role, org.ID, org.Role, sharing.ErrUnauthorized)
	}
	return &principal{Org: org, JTI: claims.ID}, nil
}

// identifyBasic checks HTTP Basic credentials (RFC 7617): the user is the
// organization id, the password one of its unrevoked API keys
// (`kakehashi token issue --basic`).
func (s *Server) identifyBasic(c *fiber.Ctx, cred string) (*principal, error) {
	keys := s.cfg.APIKeys
	if keys == nil {
		keys, _ = s.cfg.Store.(sharing.APIKeyStore)
	}
	if keys == nil {
		return nil, fmt.Errorf("basic authentication is not configured: %w", sharing.ErrUnauthorized)
	}
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return nil, fmt.Errorf("basic credentials are not base64: %w", sharing.ErrUnauthorized)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || pass == "" {
		return nil, fmt.Errorf("basic credentials need user:password: %w", sharing.ErrUnauthorized)
	}
	org, err := s.cfg.Registry.FindOrganizationByID(user)
	if err != nil {
		if errors.Is(err, sharing.ErrNotFound) {
			// Do the same work as for a real organization, so that timing
			// does not tell which organization ids exist.
			_, _ = sharing.CheckAPIKey(c.UserContext(), keys, "", pass)
			return nil, fmt.Errorf("basic user %q is not an organization: %w", user, sharing.ErrUnauthorized)
		}
		return nil, err
	}
	match, err := sharing.CheckAPIKey(c.UserContext(), keys, org.ID, pass)
	if err != nil {
		return nil, err
	}
	if !match {
		return nil, fmt.Errorf("no matching api key for %s: %w", org.ID, sharing.ErrUnauthorized)
	}
	return &principal{Org: org}, nil
}

// require lets the request through only if the caller's role has the right.
func (s *Server) require(r right) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := caller(c)
		if p == nil || !slices.Contains(rights[r], p.Org.Role) {
			return fmt.Errorf("your organization's role may not %s here: %w", r, sharing.ErrForbidden)
		}
		return c.Next()
	}
}

func caller(c *fiber.Ctx) *principal {
	p, _ := c.Locals("principal").(*principal)
	return p
}
