// Package postgres implements the hub's stores on PostgreSQL
// (github.com/jackc/pgx/v5), for several hub processes over one database
// (issue #14). Migrations in migration/ are append-only and applied in order at
// open, each in one transaction, while the opening process holds a session
// advisory lock: a second hub starting at the same time waits for the first
// to finish and then finds nothing left to apply.
//
// Writes that append to the audit log take a transaction advisory lock first,
// so that appends from every hub form one chain (SHARING.md §6). Which
// interfaces of sharing and reporting this store implements so far, and what
// remains, is in docs/deployment.md.
package postgres
