package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/crypto/pgp"
	"github.com/kakehashi-hub/kakehashi/crypto/token"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/server"
	"github.com/kakehashi-hub/kakehashi/server/console"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
	"github.com/kakehashi-hub/kakehashi/store/sqlite"
)

// Files of the data directory.
const (
	dbFile           = "kakehashi.db"
	jwtKeyFile       = "hub-jwt-key.json"
	hubPGPSecret     = "hub-pgp-secret.asc"
	hubPGPPublic     = "hub-pgp-public.asc"
	demoTokensFile   = "demo-tokens.json"
	demoKeysDir      = "demo-keys"
	pseudonymKeyFile = "hub-pseudonym.key"
)

// hub is an opened data directory: registry, database and keys.
type hub struct {
	cfg         Config
	registry    *sharing.Registry
	db          hubStore
	sqlite      *sqlite.DB // the same store when it is SQLite (backup, …); nil on PostgreSQL
	signer      *token.Signer
	intake      *sharing.Intake
	obligations *sharing.Obligations
	reports     *sharing.Reports
	releases    *sharing.Releases
	keys        *sharing.Keys
	hubKey      *pgp.SecretKey
	exports     *sharing.Exports
	statistics  *sharing.Statistics
	cursorKey   []byte // seals TAXII next tokens (server.Config.CursorKey)
	consoleKey  []byte // seals the console's feed links (console.Config.CursorKey)
	auditor     *sharing.Auditor
	users       *sharing.Users // the console's people
	credentials *sharing.Credentials
	auditLog    *sharing.AuditLog
	review      *sharing.Review
	events      *sharing.Events // set by openSignals, before serverConfig
}

// auditCheckpointFile holds the latest signed checkpoint beside the database,
// so that deleting rows from both the log and its checkpoints table is still
// seen by `audit verify` (sharing/checkpoint.go).
const auditCheckpointFile = "audit-checkpoint.json"

// checkpoint signs the audit log's head when it moved and writes the latest
// checkpoint to the data directory (atomically: temporary file, rename).
func (h *hub) checkpoint(ctx context.Context) error {
	cp, fresh, err := h.auditor.Checkpoint(ctx)
	if err != nil || !fresh {
		return err
	}
	b, err := json.MarshalIndent(cp, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(h.cfg.DataDir, auditCheckpointFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", auditCheckpointFile, err)
	}
	return os.Rename(tmp, path)
}

// openFromFlags builds the configuration from flags, file and environment,
// validates it and opens the hub for an operator's command on its data
// (token, user, export, backup, audit verify). Those take in nothing, so the
// hub is opened without its anonymizer, whose morphological dictionary
// costs about half a second and 150 MB to load: were intake ever called on
// such a hub, every community copy would be withheld (sharing.Copier).
func openFromFlags(ctx context.Context, build func() (Config, error)) (*hub, error) {
	cfg, err := build()
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return openHubFor(ctx, cfg, false)
}

// openHub opens the data directory for serving, creating the hub's keys on
// first use.
func openHub(ctx context.Context, cfg Config) (*hub, error) { return openHubFor(ctx, cfg, true) }

// openHubFor opens the data directory; anonymizer says whether the hub
// builds its anonymizer (serve and bench do; operators' commands do not).
func openHubFor(ctx context.Context, cfg Config, anonymizer bool) (*hub, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	f, err := readHubFiles(cfg)
	if err != nil {
		return nil, err
	}
	db, lite, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	h, err := newHub(ctx, cfg, f, db, anonymizer)
	if err != nil {
		db.Close()
		return nil, err
	}
	h.sqlite = lite
	return h, nil
}

// hubFiles is what the data directory holds besides the store: the
// registry and the hub's keys.
type hubFiles struct {
	registry  *sharing.Registry
	signer    *token.Signer
	hubKey    *pgp.SecretKey
	pseudonym []byte // the pseudonym key, from which the other secrets derive
}

// readHubFiles reads the registry and the hub's keys, creating the keys on
// first use.
func readHubFiles(cfg Config) (hubFiles, error) {
	var f hubFiles
	reg, err := sharing.LoadRegistry(cfg.RegistryPath())
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return f, fmt.Errorf("no registry at %s: write one (see docs/operator-guide.md) or start with --demo", cfg.RegistryPath())
		}
		return f, err
	}
	if err := sharing.CheckRegistryKeys(reg, time.Now()); err != nil {
		return f, err
	}
	keyJSON, err := token.LoadOrCreateKey(filepath.Join(cfg.DataDir, jwtKeyFile))
	if err != nil {
		return f, err
	}
	if f.signer, err = token.NewSigner(keyJSON); err != nil {
		return f, err
	}
	if err := ensureHubPGPKey(cfg.DataDir); err != nil {
		return f, err
	}
	hubArmored, err := os.ReadFile(filepath.Join(cfg.DataDir, hubPGPSecret))
	if err != nil {
		return f, fmt.Errorf("read the hub's openpgp key: %w", err)
	}
	if f.hubKey, err = pgp.ParseSecretKey(hubArmored); err != nil {
		return f, fmt.Errorf("the hub's openpgp key %s: %w", hubPGPSecret, err)
	}
	if f.pseudonym, err = pseudonymKey(cfg); err != nil {
		return f, err
	}
	f.registry = reg
	return f, nil
}

// derivedKey is the hub's secret for one purpose, derived from the
// pseudonym key.
func derivedKey(pseudonym []byte, purpose string) []byte {
	k := sha256.Sum256(append([]byte("kakehashi "+purpose+"\x00"), pseudonym...))
	return k[:]
}

// newIntake builds intake: the rules, limits and TLP policy of the
// configuration, the anonymizer (when asked for), the design vault and
// strict mode.
func newIntake(cfg Config, f hubFiles, db hubStore, keys *sharing.Keys, anonymizer bool) (*sharing.Intake, error) {
	rules, err := reporting.RuleSetByName(cfg.Rules)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	policy, err := sharing.ParsePolicy(cfg.TLPPolicy)
	if err != nil {
		return nil, err
	}
	var anon *anonymize.Anonymizer
	if anonymizer {
		anon, err = anonymize.NewAnonymizer(f.registry.Parties(), anonymize.Options{PseudonymKey: f.pseudonym,
			Rotation: anonymize.Rotation(cfg.PseudonymRotation), CEPTOARIdentity: ceptoarIdentity(f.registry)})
		if err != nil {
			return nil, fmt.Errorf("anonymizer: %w", err)
		}
	}
	lim := stix.DefaultLimits()
	lim.MaxObjects = cfg.MaxObjects
	designs := &sharing.DesignVault{Hub: f.hubKey, Keys: keys, MACKey: derivedKey(f.pseudonym, "design fingerprint"),
		Extra: cfg.DesignRecipients, ShareWith: cfg.DesignShareWith, Now: time.Now}
	in := &sharing.Intake{Store: db, Registry: f.registry, Limits: lim, Rules: rules, Now: time.Now,
		Earliest: cfg.EarliestIncidentTime, FutureSkew: cfg.IncidentFutureSkew,
		Router:  &sharing.Router{Registry: f.registry, Policy: policy},
		Copier:  &sharing.Copier{Anonymizer: anon, Policy: policy, NoteKey: derivedKey(f.pseudonym, "classification note")},
		Designs: designs}
	if cfg.STIXSchemas != "" {
		sv, err := stix.NewSchemaValidator(cfg.STIXSchemas)
		if err != nil {
			return nil, fmt.Errorf("strict mode (--stix-schemas): %w", err)
		}
		in.Strict = sv
	}
	return in, nil
}

// newHub builds the hub's services over an open store, and records the key
// changes the operators made in the registry file (they replace uploaded
// keys) before any command uses a key.
func newHub(ctx context.Context, cfg Config, f hubFiles, db hubStore, anonymizer bool) (*hub, error) {
	reg, signer := f.registry, f.signer
	keys := &sharing.Keys{Store: db, Registry: reg, Now: time.Now}
	in, err := newIntake(cfg, f, db, keys, anonymizer)
	if err != nil {
		return nil, err
	}
	h := &hub{cfg: cfg, registry: reg, db: db, signer: signer, keys: keys, hubKey: f.hubKey, intake: in,
		cursorKey: derivedKey(f.pseudonym, "taxii cursor"), consoleKey: derivedKey(f.pseudonym, "console cursor")}
	h.releases = &sharing.Releases{Store: db, Registry: reg, Now: time.Now}
	h.exports = &sharing.Exports{Store: db, Keys: keys, HubKey: f.hubKey}
	h.statistics = &sharing.Statistics{Store: db, Now: time.Now}
	h.obligations = &sharing.Obligations{Store: db, Now: time.Now, Serialize: in.Locker()}
	h.reports = &sharing.Reports{Store: db, Registry: reg, Rules: in.Rules, Now: time.Now}
	h.users = &sharing.Users{Store: db, Registry: reg, IdleTimeout: cfg.SessionIdleTimeout, MaxAge: cfg.SessionMaxAge, Access: h.newAccess()}
	h.auditor = &sharing.Auditor{Store: db, Sign: signer.SignPayload, Open: signer.VerifyPayload, Now: time.Now}
	h.credentials = &sharing.Credentials{Store: db, Registry: reg, MaxTTL: cfg.MaxTokenTTL, Now: time.Now,
		Sign: func(org, role string, ttl time.Duration) (string, string, time.Time, error) {
			raw, c, err := signer.Issue(org, role, ttl)
			return raw, c.ID, c.Expiry, err
		}}
	h.auditLog = &sharing.AuditLog{Store: db, Auditor: h.auditor, Anchors: func() ([]sharing.AuditCheckpoint, error) { return h.auditAnchors("") }}
	h.review = &sharing.Review{Store: db}
	if _, err := keys.SyncRegistry(ctx); err != nil {
		return nil, fmt.Errorf("record registry keys: %w", err)
	}
	return h, nil
}

func (h *hub) Close() error { return h.db.Close() }

// serverConfig wires the domain services into the HTTP layer, which gets no
// store: every read and write goes through a service that takes the caller.
// The web console shares the API's access rules and limits.
func (h *hub) serverConfig(secure bool) (server.Config, error) {
	sc := server.Config{
		Intake: h.intake, Obligations: h.obligations, Reports: h.reports, Releases: h.releases, Keys: h.keys, HubKey: h.hubKey,
		Exports: h.exports, Signer: h.signer, Ready: h.db.Ping, CursorKey: h.cursorKey,
		HeaderTimeout: h.cfg.HeaderTimeout, BodyTimeout: h.cfg.BodyTimeout, IdleTimeout: h.cfg.IdleTimeout,
		Access:      h.users.Access,
		Submissions: &sharing.Submissions{Store: h.db, Registry: h.registry},
		TAXII:       &sharing.TAXII{Store: h.db, Audit: h.db},
		Auditor:     h.auditor,
		Collectors: []prometheus.Collector{prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "kakehashi_store_skipped_rows_total", Help: "Stored rows that lists skipped because they could not be decoded (see the error log).",
		}, func() float64 { return float64(h.db.SkippedRows()) })},
	}
	con, err := console.New(console.Config{
		Users: h.users, Registry: h.registry, Access: sc.Access, Intake: h.intake, Submissions: sc.Submissions,
		Releases: h.releases, Obligations: h.obligations, Reports: h.reports, Exports: h.exports, TAXII: sc.TAXII,
		Auditor: h.auditor, Statistics: h.statistics, Secure: secure, CursorKey: h.consoleKey, BodyLimit: h.cfg.BodyLimit,
		Review: h.review, Credentials: h.credentials, AuditLog: h.auditLog, Events: h.events,
	})
	if err != nil {
		return sc, err
	}
	sc.Console = con
	return sc, nil
}

// newAccess is who may call the API and the console, and the rate limits of
// both (one Access: the console shares the API's rules and allowances). On
// PostgreSQL the limits count in the database (postgres.DB.CountRate), so
// that every hub of a deployment counts against one allowance; on SQLite,
// where one hub has the data, in this process's memory.
func (h *hub) newAccess() *sharing.Access {
	counter, _ := h.db.(sharing.RateCounter)
	limit := func(name string, perMinute int) *sharing.Limiter {
		l := sharing.NewLimiter(perMinute, time.Minute)
		if l != nil {
			l.Name, l.Counter = name, counter
		}
		return l
	}
	return &sharing.Access{Registry: h.registry, Tokens: h.db, APIKeys: h.db, Audit: h.db,
		Failures: limit("auth-failures", h.cfg.AuthFailuresPerMinute),
		Requests: map[string]*sharing.Limiter{
			sharing.RequestIntake: limit(sharing.RequestIntake, h.cfg.IntakePerMinute),
			sharing.RequestRead:   limit(sharing.RequestRead, h.cfg.ReadsPerMinute),
		}}
}

// setLimitLogger sends the rate limits' reports (a failing shared counter)
// to log.
func setLimitLogger(a *sharing.Access, log *slog.Logger) {
	for _, l := range append([]*sharing.Limiter{a.Failures}, slices.Collect(maps.Values(a.Requests))...) {
		if l != nil {
			l.Log = log
		}
	}
}

// ceptoarIdentity is the identity anonymized copies are attributed to: that
// of the registry's ISAC (the T-CEPTOAR secretariat) when there is exactly
// one, so that its own names are not mistaken for a leak; else the hub's
// built-in T-CEPTOAR identity.
func ceptoarIdentity(reg *sharing.Registry) string {
	var found []string
	for _, o := range reg.Organizations() {
		if o.Role == sharing.RoleISAC {
			found = append(found, o.Identity)
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return ""
}

// pseudonymKey is the secret of source pseudonyms (SHARING.md §4): from the
// configuration when set, else generated once into the data directory.
func pseudonymKey(cfg Config) ([]byte, error) {
	if cfg.PseudonymKey != "" {
		if len(cfg.PseudonymKey) < 16 {
			return nil, errors.New("pseudonym_key must be at least 16 characters")
		}
		return []byte(cfg.PseudonymKey), nil
	}
	p := filepath.Join(cfg.DataDir, pseudonymKeyFile)
	if b, err := os.ReadFile(p); err == nil {
		return b, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read pseudonym key: %w", err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("generate pseudonym key: %w", err)
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		return nil, fmt.Errorf("write pseudonym key: %w", err)
	}
	return b, nil
}

// ensureHubPGPKey creates the hub's own OpenPGP key pair on first start.
func ensureHubPGPKey(dir string) error {
	sec := filepath.Join(dir, hubPGPSecret)
	if _, err := os.Stat(sec); err == nil {
		return nil
	}
	kp, err := pgp.GenerateKeyPair("Kakehashi hub", "hub@kakehashi.invalid")
	if err != nil {
		return err
	}
	if err := os.WriteFile(sec, []byte(kp.Secret), 0o600); err != nil {
		return fmt.Errorf("write hub openpgp key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, hubPGPPublic), []byte(kp.Public), 0o644); err != nil {
		return fmt.Errorf("write hub openpgp public key: %w", err)
	}
	return nil
}

// auditAnchors reads the checkpoints kept outside the database: the file
// beside it (absent until the hub first ran) and, when kept is set, a
// checkpoint an operator or the regulator saved (audit verify --checkpoint).
func (h *hub) auditAnchors(kept string) ([]sharing.AuditCheckpoint, error) {
	return auditAnchorsIn(h.cfg.DataDir, kept)
}

// auditAnchorsIn reads the checkpoint file of the data directory dir, if
// there is one, and the checkpoint file kept, if named.
func auditAnchorsIn(dir, kept string) ([]sharing.AuditCheckpoint, error) {
	var anchors []sharing.AuditCheckpoint
	for _, p := range []string{filepath.Join(dir, auditCheckpointFile), kept} {
		if p == "" {
			continue
		}
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) && p != kept {
			continue // a hub that never ran has no checkpoint file yet
		}
		if err != nil {
			return nil, fmt.Errorf("read checkpoint: %w", err)
		}
		var cp sharing.AuditCheckpoint
		if err := json.Unmarshal(b, &cp); err != nil || cp.Signature == "" {
			return nil, fmt.Errorf("%s is not a checkpoint of GET /api/v1/audit/checkpoint", p)
		}
		anchors = append(anchors, cp)
	}
	return anchors, nil
}
