package main

import (
	"errors"
	"fmt"
	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the hub's whole configuration. Defaults < config file < environment
// (KAKEHASHI_*) < flags; only this file reads any of them.
type Config struct {
	Addr    string `yaml:"addr"`
	DataDir string `yaml:"data"`
	// Database is a PostgreSQL URL (postgres://…); empty: SQLite in the data
	// directory. The data directory still holds the registry and the keys.
	Database        string        `yaml:"database"`
	Registry        string        `yaml:"registry"` // default <data>/registry.yaml
	Demo            bool          `yaml:"demo"`
	STIXSchemas     string        `yaml:"stix_schemas"`
	TLSCert         string        `yaml:"tls_cert"`
	TLSKey          string        `yaml:"tls_key"`
	BodyLimit       int           `yaml:"body_limit"`
	MaxObjects      int           `yaml:"max_objects"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	LogLevel        string        `yaml:"log_level"`
	Rules           string        `yaml:"rules"`          // reporting rule set: baseline or 2025-proposed
	SweepInterval   time.Duration `yaml:"sweep_interval"` // how often open obligations are checked for overdue
	// PseudonymKey is the secret of source pseudonyms (SHARING.md §4); empty:
	// generated once into the data directory.
	PseudonymKey      string `yaml:"pseudonym_key"`
	PseudonymRotation string `yaml:"pseudonym_rotation"` // monthly (default), quarterly or yearly
	// TLPPolicy overrides cells of the TLP matrix (SHARING.md §3):
	// {channel: {tlp: yes|no|if-named|named-only}}. Never wider than TLP 2.0.
	TLPPolicy map[string]map[string]string `yaml:"tlp_policy"`
	// DesignRecipients are organizations entitled to every sensitive design
	// besides the submitter and the regulator (e.g. a verification committee).
	DesignRecipients []string `yaml:"design_recipients"`
	// DesignShareWith lets a submission's share_with organizations receive its designs.
	DesignShareWith bool `yaml:"design_share_with"`
	// StatisticsInterval is how often the public quarterly statistics are recomputed.
	StatisticsInterval time.Duration `yaml:"statistics_interval"`
	// LeaderInterval is how often a hub over PostgreSQL that does not lead
	// tries to take the lead, and the leader checks that it still holds it:
	// a dead leader is replaced within it (docs/deployment.md).
	LeaderInterval time.Duration `yaml:"leader_interval"`
	// TAXIIMaxPageSize caps the TAXII limit parameter (TAXII 2.1 §3.4.1).
	TAXIIMaxPageSize int `yaml:"taxii_max_page_size"`
	// EarliestIncidentTime and IncidentFutureSkew bound the times of the
	// telecom extension that intake accepts (sharing.TimeWindow): not before
	// the date, not later than the skew after receipt.
	EarliestIncidentTime time.Time     `yaml:"earliest_incident_time"`
	IncidentFutureSkew   time.Duration `yaml:"incident_future_skew"`
	// MaxTokenTTL caps the lifetime of tokens and API keys that
	// `kakehashi token issue` makes.
	MaxTokenTTL time.Duration `yaml:"max_token_ttl"`
	// AuthFailuresPerMinute bounds failed authentications per client address
	// and per credential; IntakePerMinute and ReadsPerMinute bound each
	// organization's requests (0: no limit).
	AuthFailuresPerMinute int `yaml:"auth_failures_per_minute"`
	// AuditCheckpointInterval is how often the hub signs the audit log's head.
	AuditCheckpointInterval time.Duration `yaml:"audit_checkpoint_interval"`
	// HeaderTimeout, BodyTimeout and IdleTimeout bound slow clients
	// (server.Config).
	HeaderTimeout   time.Duration `yaml:"header_timeout"`
	BodyTimeout     time.Duration `yaml:"body_timeout"`
	IdleTimeout     time.Duration `yaml:"idle_timeout"`
	IntakePerMinute int           `yaml:"intake_per_minute"`
	ReadsPerMinute  int           `yaml:"reads_per_minute"`
	// SessionIdleTimeout ends a console session unused this long;
	// SessionMaxAge ends any session this long after sign-in.
	SessionIdleTimeout time.Duration `yaml:"session_idle_timeout"`
	SessionMaxAge      time.Duration `yaml:"session_max_age"`
	// Signals are the grouping rules of sector events (docs/signals.md).
	Signals outage.Rules `yaml:"signals"`
	// SecureCookies marks the console's cookies Secure and sends HSTS
	// although the hub serves plain HTTP: set it behind a load balancer
	// that terminates TLS (docs/deployment.md). With tls_cert it is implied.
	SecureCookies bool `yaml:"secure_cookies"`
	// TrustedProxies are the load balancers (IPs or CIDRs) whose
	// X-Forwarded-For names the client, for rate limits and the audit log.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// GCPercent and MemoryLimitMB tune the Go garbage collector (applyGC):
	// the heap may grow by GCPercent % of the live heap between collections,
	// up to a soft limit of MemoryLimitMB MiB of Go memory (0: none).
	GCPercent     int `yaml:"gc_percent"`
	MemoryLimitMB int `yaml:"memory_limit_mb"`
}

// DefaultConfig returns the defaults of INTERFACES.md §1 and PROFILE.md §1.
func DefaultConfig() Config {
	return Config{
		Addr:               "127.0.0.1:8080",
		DataDir:            "./kakehashi-data",
		BodyLimit:          32 << 20,
		MaxObjects:         50000,
		ShutdownTimeout:    30 * time.Second,
		LogLevel:           "info",
		Rules:              "baseline",
		SweepInterval:      time.Minute,
		TAXIIMaxPageSize:   1000,
		StatisticsInterval: 10 * time.Minute,
		LeaderInterval:     30 * time.Second,

		EarliestIncidentTime: sharing.DefaultEarliest,
		IncidentFutureSkew:   sharing.DefaultFutureSkew,

		MaxTokenTTL:             90 * 24 * time.Hour,
		AuthFailuresPerMinute:   10,
		HeaderTimeout:           10 * time.Second,
		AuditCheckpointInterval: time.Minute,
		BodyTimeout:             time.Minute,
		IdleTimeout:             30 * time.Second,
		IntakePerMinute:         1200,
		ReadsPerMinute:          12000,
		SessionIdleTimeout:      30 * time.Minute,
		SessionMaxAge:           12 * time.Hour,
		Signals:                 outage.DefaultRules(),
		GCPercent:               defaultGCPercent,
		MemoryLimitMB:           defaultMemoryLimitMB,
	}
}

// loadFile overlays a YAML config file; unknown keys are errors.
func (c *Config) loadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

// loadEnv overlays KAKEHASHI_* variables. A *_FILE variant reads the value
// from a file (for secrets mounted by an orchestrator), less one final line
// ending (trimFinalNewline).
func (c *Config) loadEnv(getenv func(string) string) error {
	str := func(name string, dst *string) error {
		if v := getenv(name); v != "" {
			*dst = v
		}
		if p := getenv(name + "_FILE"); p != "" {
			b, err := os.ReadFile(p)
			if err != nil {
				return fmt.Errorf("%s_FILE: %w", name, err)
			}
			*dst = trimFinalNewline(string(b))
		}
		return nil
	}
	for name, dst := range map[string]*string{
		"KAKEHASHI_ADDR": &c.Addr, "KAKEHASHI_DATA": &c.DataDir, "KAKEHASHI_DATABASE_URL": &c.Database, "KAKEHASHI_REGISTRY": &c.Registry,
		"KAKEHASHI_STIX_SCHEMAS": &c.STIXSchemas, "KAKEHASHI_TLS_CERT": &c.TLSCert, "KAKEHASHI_TLS_KEY": &c.TLSKey,
		"KAKEHASHI_LOG_LEVEL": &c.LogLevel, "KAKEHASHI_RULES": &c.Rules, "KAKEHASHI_PSEUDONYM_KEY": &c.PseudonymKey,
	} {
		if err := str(name, dst); err != nil {
			return err
		}
	}
	return nil
}

// trimFinalNewline drops one trailing "\n" or "\r\n": a secret file written
// with echo or an editor ends in one, and it is not part of the secret. Only
// that one line ending goes; other white space may be part of the value.
func trimFinalNewline(s string) string {
	if t, ok := strings.CutSuffix(s, "\r\n"); ok {
		return t
	}
	return strings.TrimSuffix(s, "\n")
}

// RegistryPath is where the registry file is read from.
func (c *Config) RegistryPath() string {
	if c.Registry != "" {
		return c.Registry
	}
	return filepath.Join(c.DataDir, "registry.yaml")
}

// Validate checks the configuration with guard clauses, each saying what to fix.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("data directory is empty; pass --data DIR")
	}
	if c.Database != "" && !isPostgresURL(c.Database) {
		return errors.New("database must be a PostgreSQL URL, postgres://user@host/dbname (or empty: SQLite in the data directory)")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("addr %q is not HOST:PORT (e.g. 127.0.0.1:8080): %v", c.Addr, err)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("TLS needs both tls_cert and tls_key, or neither")
	}
	if c.BodyLimit < 1024 {
		return fmt.Errorf("body_limit %d is too small; use at least 1024 bytes", c.BodyLimit)
	}
	if c.MaxObjects < 1 {
		return errors.New("max_objects must be at least 1")
	}
	if c.ShutdownTimeout <= 0 {
		return errors.New("shutdown_timeout must be positive, e.g. 30s")
	}
	if c.TAXIIMaxPageSize < 1 || c.TAXIIMaxPageSize > 10000 {
		return fmt.Errorf("taxii_max_page_size %d must be between 1 and 10000", c.TAXIIMaxPageSize)
	}
	if c.StatisticsInterval < time.Second {
		return errors.New("statistics_interval must be at least 1s, e.g. 10m")
	}
	if c.SweepInterval < time.Second {
		return errors.New("sweep_interval must be at least 1s, e.g. 1m")
	}
	if c.LeaderInterval < time.Second || c.LeaderInterval > 10*time.Minute {
		return fmt.Errorf("leader_interval %s must be between 1s and 10m, e.g. 30s", c.LeaderInterval)
	}
	if c.EarliestIncidentTime.IsZero() || c.EarliestIncidentTime.After(time.Now()) {
		return fmt.Errorf("earliest_incident_time %s must be a past RFC 3339 time, e.g. 1985-01-01T00:00:00Z", c.EarliestIncidentTime.Format(time.RFC3339))
	}
	for name, d := range map[string]time.Duration{"header_timeout": c.HeaderTimeout, "body_timeout": c.BodyTimeout, "idle_timeout": c.IdleTimeout} {
		if d < 100*time.Millisecond || d > time.Hour {
			return fmt.Errorf("%s %s must be between 100ms and 1h", name, d)
		}
	}
	if c.AuditCheckpointInterval < time.Second || c.AuditCheckpointInterval > time.Minute {
		return fmt.Errorf("audit_checkpoint_interval %s must be between 1s and 1m (checkpoints at least every minute)", c.AuditCheckpointInterval)
	}
	if c.MaxTokenTTL < time.Hour {
		return fmt.Errorf("max_token_ttl %s must be at least 1h, e.g. 2160h (90 days)", c.MaxTokenTTL)
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return fmt.Errorf("trusted_proxies: %q is neither an IP address nor a CIDR network", p)
			}
		}
	}
	if c.SessionIdleTimeout <= 0 || c.SessionMaxAge < c.SessionIdleTimeout {
		return errors.New("session_idle_timeout must be positive, and session_max_age at least session_idle_timeout")
	}
	if c.AuthFailuresPerMinute < 0 || c.IntakePerMinute < 0 || c.ReadsPerMinute < 0 {
		return errors.New("auth_failures_per_minute, intake_per_minute and reads_per_minute must be 0 (no limit) or more")
	}
	if c.IncidentFutureSkew < time.Minute || c.IncidentFutureSkew > 7*24*time.Hour {
		return fmt.Errorf("incident_future_skew %s must be between 1m and 168h, e.g. 24h", c.IncidentFutureSkew)
	}
	if c.GCPercent < 50 || c.GCPercent > 1000 {
		return fmt.Errorf("gc_percent %d must be between 50 and 1000", c.GCPercent)
	}
	if c.MemoryLimitMB != 0 && c.MemoryLimitMB < 128 {
		return fmt.Errorf("memory_limit_mb %d must be 0 (no limit) or at least 128", c.MemoryLimitMB)
	}
	if err := c.Signals.Validate(); err != nil {
		return err
	}
	switch c.PseudonymRotation {
	case "", "monthly", "quarterly", "yearly":
	default:
		return fmt.Errorf("pseudonym_rotation %q must be monthly, quarterly or yearly", c.PseudonymRotation)
	}
	switch c.Rules {
	case "baseline", "2025-proposed":
	default:
		return fmt.Errorf("rules %q must be baseline or 2025-proposed", c.Rules)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log_level %q must be debug, info, warn or error", c.LogLevel)
	}
	return nil
}

// The garbage collector's defaults are Go's own: 100 %, no memory limit.
// Most of the hub's live heap is the morphological analyser's dictionary
// (~125 MB), which every collection marks again; at 100 % the collector runs
// about every three 1,000-object bundles. gc_percent 200 with
// memory_limit_mb 400 halves the collections: in `kakehashi bench --objects
// 200000` intake ran 0–13 % faster and the single-incident p99 halved, for
// ~410 MB peak resident instead of ~290 MB (docs/performance.md), so it is
// left to the operator who has the memory.
const (
	defaultGCPercent     = 100
	defaultMemoryLimitMB = 0
)

// applyGC sets the garbage collector from the configuration, at the start
// of serve and bench. GOGC and GOMEMLIMIT in the environment, read by the Go
// runtime itself, win over it.
func applyGC(c Config, e env) {
	if !e.tuneGC {
		return
	}
	if e.getenv("GOGC") == "" {
		debug.SetGCPercent(c.GCPercent)
	}
	if e.getenv("GOMEMLIMIT") == "" && c.MemoryLimitMB > 0 {
		debug.SetMemoryLimit(int64(c.MemoryLimitMB) << 20)
	}
}
