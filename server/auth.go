package server

import (
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

const rightSubmit right = "submit"

// rights maps roles to what they may do beyond reading their own records.
var rights = map[right][]sharing.Role{
	rightSubmit: {sharing.RoleCarrier, sharing.RoleISAC},
}

// authenticate checks the bearer token: signature and claims (crypto/token),
// then that it was not revoked and that its organization still exists with the
// role the token names. Any failure is 401.
func (s *Server) authenticate(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		return fmt.Errorf("no bearer token: %w", sharing.ErrUnauthorized)
	}
	claims, err := s.cfg.Signer.Verify(strings.TrimSpace(raw))
	if err != nil {
		return err
	}
	revoked, err := s.cfg.Store.IsTokenRevoked(c.UserContext(), claims.ID)
	if err != nil {
		return err
	}
	if revoked {
		return fmt.Errorf("token %s revoked: %w", claims.ID, sharing.ErrUnauthorized)
	}
	org, err := s.cfg.Registry.FindOrganizationByID(claims.Org)
	if err != nil {
		if errors.Is(err, sharing.ErrNotFound) {
			return fmt.Errorf("token of unknown organization %s: %w", claims.Org, sharing.ErrUnauthorized)
		}
		return err
	}
	if string(org.Role) != claims.Role {
		return fmt.Errorf("token role %s but organization %s is %s: %w", claims.Role, org.ID, org.Role, sharing.ErrUnauthorized)
	}
	c.Locals("principal", &principal{Org: org, JTI: claims.ID})
	return c.Next()
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
