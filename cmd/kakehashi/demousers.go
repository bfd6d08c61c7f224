package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

const demoUsersFile = "demo-users.json"

// demoUser is one entry of demo-users.json (INTERFACES.md §8).
type demoUser struct {
	Username string           `json:"username"`
	Password string           `json:"password"`
	Role     sharing.UserRole `json:"role"`
}

// demoUserRole is the role of an organization's demo person: carriers
// report, the hub's operators operate, everyone else reads.
func demoUserRole(o *sharing.Organization) sharing.UserRole {
	switch o.Role {
	case sharing.RoleCarrier:
		return sharing.UserReporter
	case sharing.RoleAdmin:
		return sharing.UserOperator
	}
	return sharing.UserViewer
}

// ensureDemoUsers makes demo-users.json hold one person per organization
// who can sign in: users already listed and still enabled are kept, missing
// ones are created (or given a new password when the file lost theirs).
func (h *hub) ensureDemoUsers(ctx context.Context) (string, error) {
	path := filepath.Join(h.cfg.DataDir, demoUsersFile)
	users := map[string]demoUser{}
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &users); err != nil {
			return "", fmt.Errorf("%s is not a JSON object of demo users: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read demo users: %w", err)
	}
	changed := false
	for _, o := range h.registry.Organizations() {
		listed, ok := users[o.ID]
		u, err := h.db.FindUserByName(ctx, "demo-"+o.ID)
		switch {
		case err == nil && ok && listed.Username == u.Username && !u.Disabled:
			continue
		case err != nil && !errors.Is(err, sharing.ErrNotFound):
			return "", err
		}
		exists := err == nil
		pw, err := demoPassword()
		if err != nil {
			return "", err
		}
		d := demoUser{Username: "demo-" + o.ID, Password: pw, Role: demoUserRole(o)}
		if exists { // the user exists but the file lost its password
			if u.Disabled {
				return "", fmt.Errorf("demo user %s is disabled; remove it from %s or add another with kakehashi user add", u.Username, path)
			}
			err = h.users.SetPassword(ctx, sharing.CommandLine, d.Username, pw)
			d.Role = u.Role
		} else {
			_, err = h.users.Add(ctx, sharing.CommandLine, o.ID, d.Username, d.Role, pw)
		}
		if err != nil {
			return "", fmt.Errorf("demo user for %s: %w", o.ID, err)
		}
		users[o.ID] = d
		changed = true
	}
	if changed {
		b, err := json.MarshalIndent(users, "", "  ")
		if err != nil {
			return "", fmt.Errorf("encode demo users: %w", err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
			return "", fmt.Errorf("write demo users: %w", err)
		}
	}
	return path, nil
}

func demoPassword() (string, error) {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("demo password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil // 20 characters
}
