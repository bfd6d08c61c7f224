package server

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Bodies are streamed (fiber.Config.StreamRequestBody): the hub reads a body
// only in the handler, after authentication, so an anonymous or refused
// request costs at most the few kilobytes fasthttp pre-reads, never the 32 MiB
// it might announce. readBody then reads it under the limit, and each client
// address may have only a few bodies in flight at once.

// maxBodiesPerClient is how many request bodies one client address may be
// sending at the same time.
const maxBodiesPerClient = 4

// bodySlots counts the bodies in flight per client address.
type bodySlots struct {
	mu     sync.Mutex
	inUse  map[string]int
	perKey int
}

func (b *bodySlots) acquire(key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.inUse == nil {
		b.inUse = map[string]int{}
	}
	if b.inUse[key] >= b.perKey {
		return false
	}
	b.inUse[key]++
	return true
}

func (b *bodySlots) release(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.inUse[key] <= 1 {
		delete(b.inUse, key)
		return
	}
	b.inUse[key]--
}

// readBody reads the request body, at most the body limit: a larger announced
// Content-Length is refused before anything is read, a larger chunked body as
// soon as it passes the limit.
func (s *Server) readBody(c *fiber.Ctx) ([]byte, error) {
	limit := s.cfg.BodyLimit
	if n := c.Request().Header.ContentLength(); n > limit {
		return nil, fiber.ErrRequestEntityTooLarge
	}
	addr := c.IP()
	if !s.bodies.acquire(addr) {
		e := newError(fiber.StatusTooManyRequests, "too-many-requests", "Too many requests",
			fmt.Sprintf("at most %d request bodies may be in flight from one client; wait for the others to finish", maxBodiesPerClient))
		e.retryAfter = time.Second
		return nil, e
	}
	defer s.bodies.release(addr)
	stream := c.Context().RequestBodyStream()
	if stream == nil {
		body := c.Request().Body()
		if len(body) > limit {
			return nil, fiber.ErrRequestEntityTooLarge
		}
		return body, nil
	}
	var buf bytes.Buffer // grows as the body arrives, not by what it announces
	if _, err := io.Copy(&buf, io.LimitReader(stream, int64(limit)+1)); err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if buf.Len() > limit {
		return nil, fiber.ErrRequestEntityTooLarge
	}
	return buf.Bytes(), nil
}
