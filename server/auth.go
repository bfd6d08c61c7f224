package server

import (
	"encoding/base64"
	"fmt"
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

// authenticate identifies the caller by a bearer token or, for TAXII clients
// that speak only Basic (TAXII 2.1 §1.6.9), by HTTP Basic with the
// organization id and an API key. Both give the same principal. Any failure
// is 401 with a challenge for both schemes.
func (s *Server) authenticate(c *fiber.Ctx) error {
	addr := c.IP()
	cred := parseAuthorization(c.Get(fiber.HeaderAuthorization))
	// An address or a credential that failed too often is refused before
	// its credentials are even looked at (sharing.Access).
	if err := s.cfg.Access.Admit(c.UserContext(), addr); err != nil {
		return err
	}
	p, err := s.identify(c, cred)
	if err != nil {
		if toAPIError(err).status == fiber.StatusUnauthorized {
			if aerr := s.cfg.Access.Failed(c.UserContext(), addr, cred.scheme, cred.user, err); aerr != nil {
				return aerr // 429 for a credential that failed too often
			}
		}
		return s.unauthorized(c, err)
	}
	if err := s.cfg.Access.Request(c.UserContext(), p.Org, addr, requestKind(c)); err != nil {
		return err
	}
	c.Locals("principal", p)
	return c.Next()
}

// authenticateOptional lets a request without credentials through as
// anonymous (discovery, the public collection), counted against its
// address's read allowance; credentials that are sent must be valid.
func (s *Server) authenticateOptional(c *fiber.Ctx) error {
	if c.Get(fiber.HeaderAuthorization) == "" {
		if err := s.cfg.Access.Request(c.UserContext(), nil, c.IP(), requestKind(c)); err != nil {
			return err
		}
		return c.Next()
	}
	return s.authenticate(c)
}

func requestKind(c *fiber.Ctx) string {
	if c.Method() == fiber.MethodPost || c.Method() == fiber.MethodPut {
		return sharing.RequestIntake
	}
	return sharing.RequestRead
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

// credentials is the Authorization header, read once: a bearer token, or
// HTTP Basic (RFC 7617) with the organization id as user and an API key
// (`kakehashi token issue --basic`) as password.
type credentials struct {
	scheme string // "bearer" or "basic"
	token  string // bearer
	user   string // basic
	secret string // basic
	err    error  // why the header is unusable
}

func parseAuthorization(h string) credentials {
	if sch, cred, ok := strings.Cut(h, " "); ok && strings.EqualFold(sch, "Basic") {
		c := credentials{scheme: "basic"}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
		if err != nil {
			c.err = fmt.Errorf("basic credentials are not base64: %w", sharing.ErrUnauthorized)
			return c
		}
		var ok bool
		c.user, c.secret, ok = strings.Cut(string(raw), ":")
		if !ok || c.user == "" || c.secret == "" {
			c.err = fmt.Errorf("basic credentials need user:password: %w", sharing.ErrUnauthorized)
		}
		return c
	}
	c := credentials{scheme: "bearer"}
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if c.token = strings.TrimSpace(raw); !ok || c.token == "" {
		c.err = fmt.Errorf("no bearer token: %w", sharing.ErrUnauthorized)
	}
	return c
}

// identify checks the credentials through sharing.Access.
func (s *Server) identify(c *fiber.Ctx, cred credentials) (*principal, error) {
	if cred.err != nil {
		return nil, cred.err
	}
	if cred.scheme == "basic" {
		org, err := s.cfg.Access.BasicCaller(c.UserContext(), cred.user, cred.secret)
		if err != nil {
			return nil, err
		}
		return &principal{Org: org}, nil
	}
	claims, err := s.cfg.Signer.Verify(cred.token)
	if err != nil {
		return nil, err
	}
	org, err := s.cfg.Access.TokenCaller(c.UserContext(), claims.Org, claims.Role, claims.ID)
	if err != nil {
		return nil, err
	}
	return &principal{Org: org, JTI: claims.ID}, nil
}

func caller(c *fiber.Ctx) *principal {
	p, _ := c.Locals("principal").(*principal)
	return p
}
