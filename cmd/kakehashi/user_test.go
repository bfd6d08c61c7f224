package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUserCommand manages a person from the terminal and signs them in to a
// running console.
func TestUserCommand(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	ctx := context.Background()
	cmd := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		e, out, errb := testEnv(stdin)
		code := run(ctx, append([]string{"user"}, append(args, "--data", dir)...), e)
		return code, out.String(), errb.String()
	}
	if code, _, errs := cmd("a long enough password\n", "add", "--org", "carrier-b", "--role", "approver", "kaede-lead"); code != exitOK {
		t.Fatalf("user add: %d %s", code, errs)
	}
	signInAs := func(user, pw string) int {
		b := newBrowser(t, h.base)
		b.get("/login")
		status, _, _ := b.post("/login", url.Values{"username": {user}, "password": {pw}})
		return status
	}
	if got := signInAs("kaede-lead", "a long enough password"); got != http.StatusSeeOther {
		t.Fatalf("sign in as the new user: %d", got)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("another long password\nignored line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cmd("", "passwd", "--password-file", pwFile, "kaede-lead"); code != exitOK {
		t.Fatalf("user passwd: %d %s", code, errs)
	}
	if got := signInAs("kaede-lead", "a long enough password"); got != http.StatusUnauthorized {
		t.Fatalf("old password after passwd: %d", got)
	}
	if got := signInAs("kaede-lead", "another long password"); got != http.StatusSeeOther {
		t.Fatalf("new password: %d", got)
	}
	code, out, _ := cmd("", "list", "--org", "carrier-b")
	if code != exitOK || !strings.Contains(out, "kaede-lead") || !strings.Contains(out, "approver") || strings.Contains(out, "demo-carrier-a") {
		t.Fatalf("user list --org carrier-b: %d\n%s", code, out)
	}
	if code, _, errs := cmd("", "disable", "kaede-lead"); code != exitOK {
		t.Fatalf("user disable: %d %s", code, errs)
	}
	if got := signInAs("kaede-lead", "another long password"); got != http.StatusUnauthorized {
		t.Fatalf("disabled user signs in: %d", got)
	}
	// Mistakes are usage errors that say what to fix.
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"pw that is long enough\n", []string{"add", "--org", "carrier-b", "nobody"}, "--role"},
		{"short\n", []string{"add", "--org", "carrier-b", "--role", "viewer", "weak-pw"}, "at least 12"},
		{"a long enough password\n", []string{"add", "--org", "nowhere", "--role", "viewer", "lost"}, "not in the registry"},
		{"a long enough password\n", []string{"add", "--org", "carrier-b", "--role", "operator", "op-b"}, "admin organization"},
		{"a long enough password\n", []string{"add", "--org", "carrier-b", "--role", "viewer", "Bad Name"}, "username"},
		{"", []string{"add", "--org", "carrier-b", "--role", "viewer", "nopw"}, "no password"},
		{"", []string{"disable", "kaede-lead"}, "already disabled"},
		{"", []string{"frobnicate", "x"}, "unknown user subcommand"},
	} {
		code, _, errs := cmd(tc.stdin, tc.args...)
		if code != exitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("user %v: %d %q, want exit 2 mentioning %q", tc.args, code, errs, tc.want)
		}
	}
}
