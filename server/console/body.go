package console

import (
	"io"

	"github.com/gofiber/fiber/v2"
)

// loginBodyLimit bounds the sign-in form: a username, a password, two
// tokens and a path. Everything before sign-in is cheap to refuse.
const loginBodyLimit = 16 << 10

// limitBody reads a request's body, at most limit bytes, before any handler
// looks at it. The hub streams bodies (server.Config), so without this a form
// value would pull a body of any size into memory: a Content-Length over the
// limit is refused before anything is read, and a chunked body as soon as it
// passes the limit.
func (c *Console) limitBody(limit int) fiber.Handler {
	return func(ctx *fiber.Ctx) error {
		if err := readBody(ctx, limit); err != nil {
			return c.fail(ctx, err)
		}
		return ctx.Next()
	}
}

// readBody is limitBody's work, also done by requireUser once the session
// is known and before the CSRF token is read from the form.
func readBody(ctx *fiber.Ctx, limit int) error {
	if ctx.Method() == fiber.MethodGet || ctx.Method() == fiber.MethodHead {
		return nil
	}
	if n := ctx.Request().Header.ContentLength(); n > limit {
		return fiber.ErrRequestEntityTooLarge
	}
	if stream := ctx.Context().RequestBodyStream(); stream != nil {
		body, err := io.ReadAll(io.LimitReader(stream, int64(limit)+1))
		if err != nil {
			return fiber.ErrBadRequest
		}
		if len(body) > limit {
			return fiber.ErrRequestEntityTooLarge
		}
		ctx.Request().SetBodyRaw(body)
	}
	return nil
}

// postValue is a form field from the request body only (urlencoded or
// multipart), never from the query string: tokens and passwords in a URL
// end up in logs and Referer headers.
func postValue(ctx *fiber.Ctx, name string) string {
	if mf, err := ctx.MultipartForm(); err == nil && mf != nil {
		if vs := mf.Value[name]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
	return string(ctx.Request().PostArgs().Peek(name))
}
