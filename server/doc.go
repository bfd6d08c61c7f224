// Package server is the hub's HTTP surface on Fiber (INTERFACES.md §6): every
// route is listed in routes.go, one file per resource, one error handler
// (error.go) that writes the TAXII 2.1 error shape, and the bearer-token
// middleware (auth.go). *fiber.Ctx never leaves this package.
package server
