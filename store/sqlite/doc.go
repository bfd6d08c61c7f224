// Package sqlite implements the hub's stores on SQLite (github.com/mattn/go-sqlite3),
// the embedded default. Migrations in migration/ are append-only and applied in
// order at open, each in one transaction. Writes go through one connection
// (SQLite allows one writer; serializing in the pool avoids SQLITE_BUSY), reads
// through a pool in parallel (WAL).
package sqlite
