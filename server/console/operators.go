package console

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// The operators' pages (issue #13 item 5): the review queue, the registry's
// organizations, users, API tokens and the audit log; and every person's own
// account. Who may do what is decided by the services (MayOperate, the
// users' managers); these handlers only translate.

// notices maps the ?done= of a redirect after a POST to a message id, so
// that the query cannot put arbitrary text on the page.
var notices = map[string]string{
	"user-added":    "users.added",
	"user-disabled": "users.disabled",
	"user-password": "users.password-set",
	"revoked":       "tokens.revoked",
}

func notice(ctx *fiber.Ctx) string { return notices[ctx.Query("done")] }

// heldRow is a held copy with how long it has waited.
type heldRow struct {
	sharing.HeldCopy
	Name        string
	Days, Hours int
}

// handleReview is GET /review: withheld copies (reasons and pointers) and
// held copies (whose, where, since when), never content.
func (c *Console) handleReview(ctx *fiber.Ctx) error {
	if c.cfg.Review == nil {
		return fiber.ErrNotFound
	}
	q, err := c.cfg.Review.Queue(ctx.UserContext(), callerOf(ctx))
	if err != nil {
		return err
	}
	now := c.cfg.Now()
	held := make([]heldRow, len(q.Held))
	for i, h := range q.Held {
		age := max(now.Sub(h.ReceivedAt), 0)
		held[i] = heldRow{HeldCopy: h, Name: c.orgName(h.Organization), Days: int(age / (24 * time.Hour)), Hours: int(age/time.Hour) % 24}
	}
	names := map[string]string{}
	for _, w := range q.Withheld {
		names[w.Organization] = c.orgName(w.Organization)
	}
	return c.render(ctx, fiber.StatusOK, "review", page{Title: "review.title", Nav: "review",
		Data: map[string]any{"Withheld": q.Withheld, "Held": held, "Names": names}})
}

// orgName is an organization's registry name, or its id when it left the
// registry.
func (c *Console) orgName(id string) string {
	if o, err := c.cfg.Registry.FindOrganizationByID(id); err == nil && o.Name != "" {
		return o.Name
	}
	return id
}

// handleOrganizations is GET /organizations: names and roles only.
func (c *Console) handleOrganizations(ctx *fiber.Ctx) error {
	list, err := c.cfg.Registry.Directory(callerOf(ctx))
	if err != nil {
		return err
	}
	return c.render(ctx, fiber.StatusOK, "organizations", page{Title: "orgs.title", Nav: "organizations", Data: list})
}

// usersForm is the add-user form as submitted, with errors by field.
type usersForm struct {
	Organization, Username, Role string
	Errors                       map[string]string // field → message; "password:USERNAME" for a user's row
}

// handleUsers is GET /users.
func (c *Console) handleUsers(ctx *fiber.Ctx) error {
	return c.usersPage(ctx, fiber.StatusOK, usersForm{}, notice(ctx))
}

func (c *Console) usersPage(ctx *fiber.Ctx, status int, form usersForm, message string) error {
	caller := callerOf(ctx)
	users, err := c.cfg.Users.List(ctx.UserContext(), caller)
	if err != nil {
		return err
	}
	// The organizations the caller may add people to: every one for the
	// operators, its own for an approver (Users.Add decides again).
	orgs := []sharing.Listing{{ID: caller.ID, Name: caller.Name, Role: caller.Role}}
	roles := []sharing.UserRole{sharing.UserViewer, sharing.UserReporter, sharing.UserApprover}
	if sharing.MayOperate(caller) {
		if orgs, err = c.cfg.Registry.Directory(caller); err != nil {
			return err
		}
		roles = sharing.UserRoles
	}
	names := map[string]string{}
	for _, u := range users {
		names[u.Organization] = c.orgName(u.Organization)
	}
	if form.Errors == nil {
		form.Errors = map[string]string{}
	}
	return c.render(ctx, status, "users", page{Title: "users.title", Nav: "users", Message: message, Data: map[string]any{
		"Users": users, "Names": names, "Organizations": orgs, "Roles": roles, "Form": form}})
}

// fieldOf names the form field a domain error of Users.Add is about, from
// the start of its message ("" when it is about none).
func fieldOf(err error) string {
	msg := userText(err)
	switch {
	case errors.Is(err, sharing.ErrConflict), strings.HasPrefix(msg, "username"):
		return "username"
	case strings.HasPrefix(msg, "the password"):
		return "password"
	case strings.HasPrefix(msg, "organization"):
		return "organization"
	case strings.HasPrefix(msg, "role"), strings.HasPrefix(msg, "operators"), strings.HasPrefix(msg, "only operators"):
		return "role"
	}
	return ""
}

// handleUserAdd is POST /users.
func (c *Console) handleUserAdd(ctx *fiber.Ctx) error {
	form := usersForm{Organization: ctx.FormValue("organization"), Username: strings.TrimSpace(ctx.FormValue("username")),
		Role: ctx.FormValue("role"), Errors: map[string]string{}}
	_, err := c.cfg.Users.Add(ctx.UserContext(), callerOf(ctx), form.Organization, form.Username, sharing.UserRole(form.Role), ctx.FormValue("password"))
	if err == nil {
		return ctx.Redirect("/users?done=user-added", fiber.StatusSeeOther)
	}
	field := fieldOf(err)
	if field == "" || errors.Is(err, sharing.ErrForbidden) {
		return err
	}
	form.Errors[field] = userText(err)
	status, _ := classify(err)
	return c.usersPage(ctx, status, form, "")
}

// handleUserDisable is POST /users/{username}/disable.
func (c *Console) handleUserDisable(ctx *fiber.Ctx) error {
	if err := c.cfg.Users.Disable(ctx.UserContext(), callerOf(ctx), ctx.Params("username")); err != nil {
		return err
	}
	return ctx.Redirect("/users?done=user-disabled", fiber.StatusSeeOther)
}

// handleUserPassword is POST /users/{username}/password: an operator or
// approver sets a password of someone they manage (which ends that person's
// sessions).
func (c *Console) handleUserPassword(ctx *fiber.Ctx) error {
	username := ctx.Params("username")
	err := c.cfg.Users.SetPassword(ctx.UserContext(), callerOf(ctx), username, ctx.FormValue("password"))
	switch {
	case err == nil:
		if p := callerOf(ctx).Person; p != nil && p.Username == username {
			c.clearSession(ctx) // one's own sessions end too
			return ctx.Redirect("/login", fiber.StatusSeeOther)
		}
		return ctx.Redirect("/users?done=user-password", fiber.StatusSeeOther)
	case errors.Is(err, sharing.ErrInvalidArgument):
		status, _ := classify(err)
		return c.usersPage(ctx, status, usersForm{Errors: map[string]string{"password:" + username: userText(err)}}, "")
	}
	return err
}

// accountForm is the own-password form's errors by field.
type accountForm struct {
	Errors map[string]string
}

// handleAccount is GET /account: the signed-in person and the form to
// change their own password.
func (c *Console) handleAccount(ctx *fiber.Ctx) error {
	return c.render(ctx, fiber.StatusOK, "account", page{Title: "account.title", Nav: "account", Data: accountForm{Errors: map[string]string{}}})
}

// handleAccountPassword is POST /account. A changed password ends every
// session of the person, this one included: they sign in again with it.
func (c *Console) handleAccountPassword(ctx *fiber.Ctx) error {
	form := accountForm{Errors: map[string]string{}}
	next := ctx.FormValue("new_password")
	if next != ctx.FormValue("new_password_again") {
		form.Errors["new_password_again"] = "account.mismatch"
		return c.render(ctx, fiber.StatusBadRequest, "account", page{Title: "account.title", Nav: "account", Data: form})
	}
	err := c.cfg.Users.ChangeOwnPassword(ctx.UserContext(), callerOf(ctx), ctx.IP(), ctx.FormValue("current_password"), next)
	switch {
	case err == nil:
		c.clearSession(ctx)
		return ctx.Redirect("/login", fiber.StatusSeeOther)
	case errors.Is(err, sharing.ErrWrongPassword):
		form.Errors["current_password"] = "account.wrong-current"
	case errors.Is(err, sharing.ErrInvalidArgument):
		form.Errors["new_password"] = "account.weak"
		form.Errors["detail"] = userText(err)
	default:
		return err
	}
	return c.render(ctx, fiber.StatusBadRequest, "account", page{Title: "account.title", Nav: "account", Data: form})
}

// tokenRow is a credential as the tokens page lists it.
type tokenRow struct {
	sharing.Credential
	Name   string
	Status string // active, expired, revoked
}

// lifetimes are the lifetimes the issue form offers (within MaxTTL).
var lifetimes = []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 90 * 24 * time.Hour, 365 * 24 * time.Hour}

// tokensForm is the issue form as submitted.
type tokensForm struct {
	Organization, Kind, TTL string
	Errors                  map[string]string
}

// handleTokens is GET /tokens.
func (c *Console) handleTokens(ctx *fiber.Ctx) error {
	return c.tokensPage(ctx, fiber.StatusOK, tokensForm{}, nil, notice(ctx))
}

func (c *Console) tokensPage(ctx *fiber.Ctx, status int, form tokensForm, issued *sharing.Issued, message string) error {
	if c.cfg.Credentials == nil {
		return fiber.ErrNotFound
	}
	caller := callerOf(ctx)
	list, err := c.cfg.Credentials.List(ctx.UserContext(), caller)
	if err != nil {
		return err
	}
	orgs, err := c.cfg.Registry.Directory(caller)
	if err != nil {
		return err
	}
	now := c.cfg.Now()
	rows := make([]tokenRow, len(list))
	for i, cr := range list {
		st := "active"
		switch {
		case cr.Revoked:
			st = "revoked"
		case cr.Expired(now):
			st = "expired"
		}
		rows[i] = tokenRow{Credential: cr, Name: c.orgName(cr.Organization), Status: st}
	}
	var ttls []map[string]any
	for _, d := range lifetimes {
		if d <= c.cfg.Credentials.MaxTTLOrDefault() {
			ttls = append(ttls, map[string]any{"Value": d.String(), "Hours": int(d.Hours()), "Days": int(d.Hours()) / 24})
		}
	}
	if form.Errors == nil {
		form.Errors = map[string]string{}
	}
	if issued != nil {
		// The secret is on this response only: never cached, never stored.
		ctx.Set(fiber.HeaderCacheControl, "no-store")
	}
	return c.render(ctx, status, "tokens", page{Title: "tokens.title", Nav: "tokens", Message: message, Data: map[string]any{
		"Credentials": rows, "Organizations": orgs, "Lifetimes": ttls, "Form": form, "Issued": issued, "Base": ctx.BaseURL()}})
}

// handleTokenIssue is POST /tokens: it issues a token or an API key and
// shows its secret on this one response (a redirect would need to keep it).
func (c *Console) handleTokenIssue(ctx *fiber.Ctx) error {
	if c.cfg.Credentials == nil {
		return fiber.ErrNotFound
	}
	form := tokensForm{Organization: ctx.FormValue("organization"), Kind: ctx.FormValue("kind"), TTL: ctx.FormValue("ttl"), Errors: map[string]string{}}
	var ttl time.Duration
	if form.TTL != "" {
		d, err := time.ParseDuration(form.TTL)
		if err != nil {
			form.Errors["ttl"] = "tokens.bad-ttl"
			return c.tokensPage(ctx, fiber.StatusBadRequest, form, nil, "")
		}
		ttl = d
	}
	issue := c.cfg.Credentials.Issue
	switch form.Kind {
	case sharing.CredentialToken:
	case sharing.CredentialAPIKey:
		issue = c.cfg.Credentials.IssueAPIKey
	default:
		form.Errors["kind"] = "tokens.bad-kind"
		return c.tokensPage(ctx, fiber.StatusBadRequest, form, nil, "")
	}
	issued, err := issue(ctx.UserContext(), callerOf(ctx), form.Organization, ttl)
	switch {
	case err == nil:
		return c.tokensPage(ctx, fiber.StatusOK, tokensForm{}, &issued, "tokens.issued")
	case errors.Is(err, sharing.ErrInvalidArgument) && strings.HasPrefix(userText(err), "no organization"):
		form.Errors["organization"] = "tokens.bad-organization"
	case errors.Is(err, sharing.ErrInvalidArgument):
		form.Errors["ttl"] = "tokens.bad-ttl"
	default:
		return err
	}
	return c.tokensPage(ctx, fiber.StatusBadRequest, form, nil, "")
}

// handleTokenRevoke is POST /tokens/{id}/revoke.
func (c *Console) handleTokenRevoke(ctx *fiber.Ctx) error {
	if c.cfg.Credentials == nil {
		return fiber.ErrNotFound
	}
	if _, err := c.cfg.Credentials.Revoke(ctx.UserContext(), callerOf(ctx), ctx.Params("id")); err != nil {
		return err
	}
	return ctx.Redirect("/tokens?done=revoked", fiber.StatusSeeOther)
}

// auditPageSize is how many entries one page of /audit shows.
const auditPageSize = 50

// handleAudit is GET /audit?before=SEQ: the log, newest first.
func (c *Console) handleAudit(ctx *fiber.Ctx) error {
	return c.auditPage(ctx, nil)
}

func (c *Console) auditPage(ctx *fiber.Ctx, report *sharing.AuditReport) error {
	if c.cfg.AuditLog == nil {
		return fiber.ErrNotFound
	}
	var before int64
	if s := ctx.Query("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return fiber.NewError(fiber.StatusBadRequest, "before must be a sequence number")
		}
		before = n
	}
	p, err := c.cfg.AuditLog.Page(ctx.UserContext(), callerOf(ctx), before, auditPageSize)
	if err != nil {
		return err
	}
	next := ""
	if p.Next > 0 {
		next = "/audit?" + url.Values{"before": {strconv.FormatInt(p.Next, 10)}}.Encode()
	}
	return c.render(ctx, fiber.StatusOK, "audit", page{Title: "audit.title", Nav: "audit", Data: map[string]any{
		"Entries": p.Entries, "Next": next, "First": before == 0, "Report": report}})
}

// handleAuditVerify is POST /audit/verify: it walks the whole chain and
// shows the result above the newest entries.
func (c *Console) handleAuditVerify(ctx *fiber.Ctx) error {
	if c.cfg.AuditLog == nil {
		return fiber.ErrNotFound
	}
	r, err := c.cfg.AuditLog.Verify(ctx.UserContext(), callerOf(ctx))
	if err != nil {
		return err
	}
	return c.auditPage(ctx, &r)
}
