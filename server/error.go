package server

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/crypto/token"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// apiError is an error the handlers raise with its status and user-facing text.
type apiError struct {
	status      int
	title       string
	description string
	code        string
	violations  []stix.Violation
	retryAfter  time.Duration // 429: when to come back (Retry-After, RFC 9110 §10.2.3)
}

func (e *apiError) Error() string { return e.title + ": " + e.description }

func newError(status int, code, title, description string) *apiError {
	return &apiError{status: status, code: code, title: title, description: description}
}

// errorBody is the TAXII 2.1 error message resource (TAXII 2.1 §3.6.1),
// used by every endpoint (INTERFACES.md §6).
type errorBody struct {
	Title       string       `json:"title"`
	Description string       `json:"description,omitempty"`
	ErrorID     string       `json:"error_id,omitempty"`
	ErrorCode   string       `json:"error_code,omitempty"`
	HTTPStatus  string       `json:"http_status"`
	Details     errorDetails `json:"details"`
}

type errorDetails struct {
	Violations []stix.Violation `json:"violations"`
}

var refusalStatus = map[sharing.RefusalKind]struct {
	status int
	code   string
	title  string
}{
	sharing.RefusedMalformed:   {fiber.StatusBadRequest, "malformed", "The body is not a STIX bundle"},
	sharing.RefusedTooLarge:    {fiber.StatusRequestEntityTooLarge, "too-large", "The submission is over a size limit"},
	sharing.RefusedInvalid:     {fiber.StatusUnprocessableEntity, "invalid-stix", "The bundle breaks the STIX 2.1 profile"},
	sharing.RefusedConflicting: {fiber.StatusConflict, "version-conflict", "An object version is already stored with other content"},
}

// toAPIError maps every error to a status and a body through one table. A
// 500 says only "internal error"; the cause is logged, never serialized.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var rl *sharing.RateLimitedError
	if errors.As(err, &rl) {
		return &apiError{status: fiber.StatusTooManyRequests, code: "too-many-requests", title: "Too many requests",
			description: rl.Error(), retryAfter: rl.RetryAfter}
	}
	var re *sharing.RefusedError
	if errors.As(err, &re) {
		m := refusalStatus[re.Kind]
		return &apiError{status: m.status, code: m.code, title: m.title, description: describeViolations(re.Violations), violations: re.Violations}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case fiber.StatusRequestEntityTooLarge:
			return newError(fe.Code, "too-large", "The request body is too large", "the body is over the hub's limit; split the submission into smaller bundles")
		case fiber.StatusNotFound:
			return newError(fe.Code, "not-found", "Not found", "there is nothing at this path")
		case fiber.StatusMethodNotAllowed:
			return newError(fe.Code, "method-not-allowed", "Method not allowed", fe.Message)
		}
		if fe.Code < 500 {
			return newError(fe.Code, "bad-request", "Bad request", fe.Message)
		}
	}
	switch {
	case errors.Is(err, token.ErrInvalid), errors.Is(err, sharing.ErrUnauthorized):
		return newError(fiber.StatusUnauthorized, "unauthorized", "Authentication failed", "send a valid, unexpired hub access token as Authorization: Bearer <token>")
	case errors.Is(err, sharing.ErrNoKey):
		return newError(fiber.StatusUnprocessableEntity, "no-key", "No usable OpenPGP key", err.Error())
	case errors.Is(err, sharing.ErrInvalidArgument):
		return newError(fiber.StatusBadRequest, "bad-request", "Bad request", userPart(err, sharing.ErrInvalidArgument))
	case errors.Is(err, sharing.ErrConflict):
		return newError(fiber.StatusConflict, "conflict", "Conflict", userPart(err, sharing.ErrConflict))
	case errors.Is(err, sharing.ErrForbidden):
		return newError(fiber.StatusForbidden, "forbidden", "Forbidden", userPart(err, sharing.ErrForbidden))
	case errors.Is(err, sharing.ErrNotFound), errors.Is(err, reporting.ErrNotFound):
		return newError(fiber.StatusNotFound, "not-found", "Not found", "no such resource, or it is not visible to your organization")
	}
	return &apiError{status: fiber.StatusInternalServerError, code: "internal", title: "Internal error", description: "internal error"}
}

// userPart strips the sentinel's text from a domain error message.
func userPart(err, sentinel error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "+sentinel.Error()); i > 0 {
		return msg[:i]
	}
	return msg
}

func describeViolations(v []stix.Violation) string {
	if len(v) == 1 {
		return strings.TrimPrefix(v[0].Path+": ", ": ") + v[0].Message
	}
	return strconv.Itoa(len(v)) + " problems; see details.violations for each with its JSON pointer"
}

// handleError is Fiber's one error handler.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	ae := toAPIError(err)
	if ae.status >= 500 {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	body := errorBody{Title: ae.title, Description: ae.description, ErrorCode: ae.code,
		HTTPStatus: strconv.Itoa(ae.status), Details: errorDetails{Violations: ae.violations}}
	if body.Details.Violations == nil {
		body.Details.Violations = []stix.Violation{}
	}
	if id, ok := c.Locals("request_id").(string); ok {
		body.ErrorID = id
	}
	if ae.status == fiber.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="kakehashi"`)
	}
	if ae.retryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(ae.retryAfter.Seconds()))))
	}
	return c.Status(ae.status).JSON(body)
}

func (s *Server) handleNotFound(c *fiber.Ctx) error {
	return fiber.ErrNotFound
}
