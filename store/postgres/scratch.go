package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ScratchSchema is a schema that a run creates for itself in a database and
// drops when it is done (`kakehashi bench --database`): the run meets no
// rows of a hub already in that database, takes none of its advisory locks
// (their keys derive from the schema, db.go), and leaves nothing behind.
type ScratchSchema struct {
	// Name is the schema's name, prefix_ and 16 hex digits.
	Name string
	// URL is the database URL with search_path set to the schema: every
	// connection opened with it creates and reads its tables there.
	URL  string
	base string
}

var scratchPrefix = regexp.MustCompile(`^[a-z][a-z0-9_]{0,30}$`)

// CreateScratchSchema creates a fresh schema named prefix_<random> in the
// database at dbURL (postgres://…). The role needs CREATE on the database.
func CreateScratchSchema(ctx context.Context, dbURL, prefix string) (*ScratchSchema, error) {
	if !scratchPrefix.MatchString(prefix) {
		return nil, fmt.Errorf("scratch schema: prefix %q must be lowercase letters, digits and _", prefix)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		// url's error quotes the whole URL, password included.
		return nil, errors.New("scratch schema: the database address is not a valid URL")
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("scratch schema: %w", err)
	}
	s := &ScratchSchema{Name: prefix + "_" + hex.EncodeToString(b), base: dbURL}
	conn, err := connectOne(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("scratch schema: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+pgx.Identifier{s.Name}.Sanitize()); err != nil {
		return nil, fmt.Errorf("create schema %s (the role needs CREATE on the database): %w", s.Name, err)
	}
	q := u.Query()
	q.Set("search_path", s.Name) // a runtime parameter of every connection
	u.RawQuery = q.Encode()
	s.URL = u.String()
	return s, nil
}

// Drop drops the schema and everything in it. Close every pool opened with
// s.URL first.
func (s *ScratchSchema) Drop(ctx context.Context) error {
	conn, err := connectOne(ctx, s.base)
	if err != nil {
		return fmt.Errorf("drop schema %s: %w", s.Name, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP SCHEMA `+pgx.Identifier{s.Name}.Sanitize()+` CASCADE`); err != nil {
		return fmt.Errorf("drop schema %s: %w", s.Name, err)
	}
	return nil
}

// connectOne opens one connection to the database at url, which may carry
// pgxpool's pool_* parameters as the hub's URL does (Open).
func connectOne(ctx context.Context, url string) (*pgx.Conn, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return conn, nil
}
