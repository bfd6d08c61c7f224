package console

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

//go:embed templates assets i18n
var files embed.FS

// Config is what the console needs: the domain services it calls with the
// signed-in caller, and plain values.
type Config struct {
	Users       *sharing.Users
	Registry    *sharing.Registry
	Access      *sharing.Access
	Intake      *sharing.Intake
	Submissions *sharing.Submissions
	Releases    *sharing.Releases
	Obligations *sharing.Obligations
	Reports     *sharing.Reports
	Exports     *sharing.Exports
	TAXII       *sharing.TAXII
	Auditor     *sharing.Auditor
	Statistics  *sharing.Statistics
	// The operators' pages (review queue, API tokens, audit log).
	Review      *sharing.Review
	Credentials *sharing.Credentials
	AuditLog    *sharing.AuditLog
	// Secure marks cookies Secure; set when the hub is served over TLS.
	Secure bool
	// CursorKey (32 bytes) seals the feed pages' next links; hubs that share
	// a database must share it. nil: a random key, so links do not survive
	// a restart.
	CursorKey []byte
	Logger    *slog.Logger
	Now       func() time.Time
}

// Console serves the console's pages.
type Console struct {
	cfg    Config
	cursor cipher.AEAD // seals the feed pages' next links
	log    *slog.Logger
	pages  map[string]map[string]*template.Template // language → page name → template
	i18n   *catalogue
}

// New parses the templates and message catalogues; a template that names a
// message missing from a catalogue fails here, not in front of a user.
func New(cfg Config) (*Console, error) {
	if cfg.Users == nil || cfg.Registry == nil || cfg.Access == nil {
		return nil, errors.New("console: users, registry and access are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cat, err := loadCatalogue(files)
	if err != nil {
		return nil, err
	}
	aead, err := newCursorAEAD(cfg.CursorKey)
	if err != nil {
		return nil, err
	}
	c := &Console{cfg: cfg, log: cfg.Logger, i18n: cat, cursor: aead, pages: map[string]map[string]*template.Template{}}
	if err := c.parsePages(); err != nil {
		return nil, err
	}
	return c, nil
}

func newCursorAEAD(key []byte) (cipher.AEAD, error) {
	if key == nil {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("console cursor key: %w", err)
		}
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("console cursor key: %w", err)
	}
	return cipher.NewGCM(block)
}

// parsePages builds every page once per language: each templates/<page>.html
// with the layout and the partials, its t function bound to the language.
func (c *Console) parsePages() error {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return err
	}
	for _, lang := range languages {
		c.pages[lang] = map[string]*template.Template{}
		for _, n := range names {
			page := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
			if page == "layout" {
				continue
			}
			t, err := template.New("layout.html").Funcs(c.funcs(lang)).ParseFS(files, "templates/layout.html", "templates/partials/*.html", n)
			if err != nil {
				return fmt.Errorf("console template %s: %w", page, err)
			}
			c.pages[lang][page] = t
		}
	}
	return nil
}

// page is what every template receives.
type page struct {
	Lang    string
	Path    string                // the current path, for the language switch
	Caller  *sharing.Organization // nil when nobody is signed in
	CSRF    string
	Nav     string // the active navigation entry
	Title   string // a message id
	Data    any
	Message string // a message id shown above the content (e.g. after an action)
}

// render writes a page with status.
func (c *Console) render(ctx *fiber.Ctx, status int, name string, p page) error {
	p.Lang = langOf(ctx)
	p.Path = ctx.Path()
	if s, ok := ctx.Locals(localSession).(sharing.Session); ok {
		p.CSRF = s.CSRF
	}
	if p.Caller == nil {
		p.Caller = callerOf(ctx)
	}
	t := c.pages[p.Lang][name]
	if t == nil {
		return fmt.Errorf("console: no page %q", name)
	}
	var b strings.Builder
	if err := t.Execute(&b, p); err != nil {
		return fmt.Errorf("console page %s: %w", name, err)
	}
	ctx.Status(status)
	ctx.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	ctx.Set("Content-Security-Policy", policy)
	return ctx.SendString(b.String())
}

// policy allows only the hub's own scripts and styles (no inline script or
// style, so that an injected one never runs), forms only to the hub, no
// framing.
const policy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// handle wraps a console handler: an error it returns becomes an error page
// in the user's language (or a redirect to sign in), never the API's JSON.
func (c *Console) handle(h fiber.Handler) fiber.Handler {
	return func(ctx *fiber.Ctx) error {
		err := h(ctx)
		if err == nil {
			return nil
		}
		return c.fail(ctx, err)
	}
}

// fail renders err as an error page.
func (c *Console) fail(ctx *fiber.Ctx, err error) error {
	status, msg := classify(err)
	if status == fiber.StatusUnauthorized {
		return c.toSignIn(ctx)
	}
	detail := ""
	if status >= 500 {
		c.log.Error("console", "path", ctx.Path(), "err", err)
	} else {
		detail = userText(err)
	}
	var rl *sharing.RateLimitedError
	if errors.As(err, &rl) {
		ctx.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(rl.RetryAfter.Seconds()+0.999)))
	}
	return c.render(ctx, status, "error", page{Title: msg, Data: map[string]any{"Status": status, "Message": msg, "Detail": detail}})
}

// classify maps a domain error to a status and a message id, as the API's
// error table does (server/error.go).
func classify(err error) (int, string) {
	var rl *sharing.RateLimitedError
	var fe *fiber.Error
	switch {
	case errors.As(err, &rl):
		return fiber.StatusTooManyRequests, "error.too-many"
	case errors.Is(err, sharing.ErrUnauthorized):
		return fiber.StatusUnauthorized, "error.unauthorized"
	case errors.Is(err, sharing.ErrForbidden):
		return fiber.StatusForbidden, "error.forbidden"
	case errors.Is(err, sharing.ErrNotFound), errors.Is(err, reporting.ErrNotFound):
		return fiber.StatusNotFound, "error.not-found"
	case errors.Is(err, sharing.ErrConflict):
		return fiber.StatusConflict, "error.conflict"
	case errors.Is(err, sharing.ErrInvalidArgument), errors.Is(err, errCSRF):
		return fiber.StatusBadRequest, "error.bad-request"
	case errors.As(err, &fe) && fe.Code < 500:
		if fe.Code == fiber.StatusNotFound {
			return fe.Code, "error.not-found"
		}
		return fe.Code, "error.bad-request"
	}
	return fiber.StatusInternalServerError, "error.internal"
}

// userText is the part of a domain error meant for the user: the message
// before the sentinel's text.
func userText(err error) string {
	s := err.Error()
	for _, sentinel := range []error{sharing.ErrInvalidArgument, sharing.ErrConflict, sharing.ErrForbidden, sharing.ErrNotFound, errCSRF} {
		if errors.Is(err, sentinel) {
			s = strings.TrimSuffix(s, ": "+sentinel.Error())
		}
	}
	if errors.Is(err, sharing.ErrNotFound) || errors.Is(err, reporting.ErrNotFound) {
		return "" // says nothing about what exists
	}
	return s
}

// toSignIn sends a browser without a valid session to the sign-in page,
// remembering where it wanted to go (GET only; a form post is not replayed).
func (c *Console) toSignIn(ctx *fiber.Ctx) error {
	target := "/login"
	if ctx.Method() == fiber.MethodGet && ctx.Path() != "/" {
		target += "?next=" + url.QueryEscape(string(ctx.Request().URI().RequestURI()))
	}
	return ctx.Redirect(target, fiber.StatusSeeOther)
}

// asset serves the embedded style sheet and script.
func (c *Console) handleAsset(ctx *fiber.Ctx) error {
	name := ctx.Params("name")
	body, err := files.ReadFile("assets/" + name)
	if err != nil || strings.Contains(name, "/") {
		return fiber.ErrNotFound
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		ctx.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		ctx.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	case strings.HasSuffix(name, ".svg"):
		ctx.Set(fiber.HeaderContentType, "image/svg+xml")
	default:
		return fiber.ErrNotFound
	}
	ctx.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	ctx.Set("Content-Security-Policy", policy)
	return ctx.Send(body)
}
