package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

const (
	sessionCookie = "kakehashi_session"
	// loginCookie carries the sign-in form's CSRF token (double submit):
	// before sign-in there is no session to hold it.
	loginCookie = "kakehashi_login"
	// csrfField is the hidden input every state-changing form carries.
	csrfField = "csrf"

	localCaller  = "console.caller"
	localSession = "console.session"
)

// errCSRF is a state-changing request without the right CSRF token.
var errCSRF = errors.New("the form is stale or did not come from this console; reload the page and try again")

// callerOf is the signed-in caller (an organization with Person), or nil.
func callerOf(ctx *fiber.Ctx) *sharing.Organization {
	o, _ := ctx.Locals(localCaller).(*sharing.Organization)
	return o
}

// signedIn resumes the session of the cookie, if any, without requiring one.
func (c *Console) signedIn(ctx *fiber.Ctx) error {
	if tok := ctx.Cookies(sessionCookie); tok != "" {
		caller, s, err := c.cfg.Users.Resume(ctx.UserContext(), tok)
		switch {
		case err == nil:
			ctx.Locals(localCaller, caller)
			ctx.Locals(localSession, s)
		case errors.Is(err, sharing.ErrUnauthorized):
			c.clearSession(ctx)
		default:
			return c.fail(ctx, err)
		}
	}
	return ctx.Next()
}

// requireUser lets only signed-in people through; state-changing requests
// must also carry the session's CSRF token and come from this origin.
// Requests count against the organization's allowance like API calls.
func (c *Console) requireUser(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	if caller == nil {
		return c.toSignIn(ctx)
	}
	kind := sharing.RequestRead
	if ctx.Method() != fiber.MethodGet && ctx.Method() != fiber.MethodHead {
		kind = sharing.RequestIntake
		s := ctx.Locals(localSession).(sharing.Session)
		if err := readBody(ctx, c.cfg.BodyLimit); err != nil {
			return c.fail(ctx, err)
		}
		if err := checkCSRF(ctx, s.CSRF); err != nil {
			return c.fail(ctx, err)
		}
	}
	if err := c.cfg.Access.Request(ctx.UserContext(), caller, ctx.IP(), kind); err != nil {
		return c.fail(ctx, err)
	}
	return ctx.Next()
}

// checkCSRF compares the form's token with want in constant time, and
// refuses a request whose Origin (or, without it, Referer) is another site.
func checkCSRF(ctx *fiber.Ctx, want string) error {
	if !sameOrigin(ctx) {
		return fmt.Errorf("cross-site request: %w", errCSRF)
	}
	got := postValue(ctx, csrfField)
	if got == "" {
		got = ctx.Get("X-CSRF-Token") // the script's fetch calls
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}

func sameOrigin(ctx *fiber.Ctx) bool {
	src := ctx.Get(fiber.HeaderOrigin)
	if src == "" {
		src = ctx.Get(fiber.HeaderReferer)
	}
	if src == "" || src == "null" {
		// Browsers send Origin on every cross-site POST; a request
		// without one (curl, an old client) still needs the token.
		return src == ""
	}
	u, err := url.Parse(src)
	return err == nil && strings.EqualFold(u.Host, string(ctx.Request().Host()))
}

func (c *Console) sessionCookie(value string, maxAge int) *fiber.Cookie {
	return &fiber.Cookie{Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge, HTTPOnly: true,
		Secure: c.cfg.Secure, SameSite: fiber.CookieSameSiteLaxMode}
}

func (c *Console) clearSession(ctx *fiber.Ctx) {
	ctx.Cookie(c.sessionCookie("", -1))
}

// handleLoginForm is GET /login.
func (c *Console) handleLoginForm(ctx *fiber.Ctx) error {
	if callerOf(ctx) != nil {
		return ctx.Redirect("/", fiber.StatusSeeOther)
	}
	return c.loginPage(ctx, fiber.StatusOK, "", "")
}

func (c *Console) loginPage(ctx *fiber.Ctx, status int, username, message string) error {
	tok := randomToken()
	ctx.Cookie(&fiber.Cookie{Name: loginCookie, Value: tok, Path: "/login", MaxAge: 3600, HTTPOnly: true,
		Secure: c.cfg.Secure, SameSite: fiber.CookieSameSiteStrictMode})
	return c.render(ctx, status, "login", page{Title: "login.title", CSRF: tok, Message: message,
		Data: map[string]any{"Username": username, "Next": safeNext(ctx.Query("next"))}})
}

// handleLogin is POST /login: it signs in and redirects (303) to / or to
// the page the user wanted.
func (c *Console) handleLogin(ctx *fiber.Ctx) error {
	if err := checkCSRF(ctx, ctx.Cookies(loginCookie)); err != nil {
		return c.fail(ctx, err)
	}
	username := strings.TrimSpace(postValue(ctx, "username"))
	_, tok, err := c.cfg.Users.SignIn(ctx.UserContext(), ctx.IP(), username, postValue(ctx, "password"))
	var rl *sharing.RateLimitedError
	switch {
	case errors.As(err, &rl):
		ctx.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(rl.RetryAfter.Seconds()+0.999)))
		return c.loginPage(ctx, fiber.StatusTooManyRequests, username, "login.too-many")
	case errors.Is(err, sharing.ErrUnauthorized):
		return c.loginPage(ctx, fiber.StatusUnauthorized, username, "login.failed")
	case err != nil:
		return c.fail(ctx, err)
	}
	// A browser that was signed in as someone else ends that session on the
	// server too, not only in the cookie jar.
	if prev := callerOf(ctx); prev != nil {
		if err := c.cfg.Users.SignOut(ctx.UserContext(), prev, ctx.Cookies(sessionCookie)); err != nil {
			return c.fail(ctx, err)
		}
	}
	// The cookie lives as long as the session may (the absolute expiry);
	// the server ends it earlier when idle.
	ctx.Cookie(c.sessionCookie(tok, int(c.cfg.Users.MaxAgeOrDefault()/time.Second)))
	ctx.Cookie(&fiber.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1})
	return ctx.Redirect(safeNext(postValue(ctx, "next")), fiber.StatusSeeOther)
}

// safeNext keeps a post-sign-in redirect on this site: a local path only.
func safeNext(next string) string {
	// Browsers drop tabs and newlines from URLs (WHATWG URL parsing), so
	// "/\t/evil.example" would become "//evil.example": refuse every
	// control character and the backslash, then rebuild the path.
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	out := u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out
}

// handleLogout is POST /logout.
func (c *Console) handleLogout(ctx *fiber.Ctx) error {
	if err := c.cfg.Users.SignOut(ctx.UserContext(), callerOf(ctx), ctx.Cookies(sessionCookie)); err != nil {
		return err
	}
	c.clearSession(ctx)
	return ctx.Redirect("/login", fiber.StatusSeeOther)
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
