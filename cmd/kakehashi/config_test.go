package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestLoadEnvFileTrimsOneNewline reads secrets through *_FILE variables as an
// orchestrator mounts them: exactly one final "\n" or "\r\n" is dropped, any
// other white space stays part of the value.
func TestLoadEnvFileTrimsOneNewline(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"written with echo", "s3cret-pseudonym-key\n", "s3cret-pseudonym-key"},
		{"written on Windows", "s3cret-pseudonym-key\r\n", "s3cret-pseudonym-key"},
		{"no line ending", "s3cret-pseudonym-key", "s3cret-pseudonym-key"},
		{"two line endings lose one", "s3cret-pseudonym-key\n\n", "s3cret-pseudonym-key\n"},
		{"a lone carriage return stays", "s3cret-pseudonym-key\r", "s3cret-pseudonym-key\r"},
		{"spaces and tabs stay", " s3cret pseudonym key\t \n", " s3cret pseudonym key\t "},
		{"only a line ending", "\n", ""},
		{"empty file", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "secret")
			if err := os.WriteFile(p, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			c := DefaultConfig()
			c.PseudonymKey = "from-the-config-file"
			err := c.loadEnv(func(k string) string {
				if k == "KAKEHASHI_PSEUDONYM_KEY_FILE" {
					return p
				}
				return ""
			})
			if err != nil {
				t.Fatal(err)
			}
			if c.PseudonymKey != tc.want {
				t.Errorf("pseudonym key %q, want %q", c.PseudonymKey, tc.want)
			}
		})
	}
}

// TestLoadEnvFileMissing: an unreadable *_FILE is an error naming the variable.
func TestLoadEnvFileMissing(t *testing.T) {
	c := DefaultConfig()
	err := c.loadEnv(func(k string) string {
		if k == "KAKEHASHI_TLS_KEY_FILE" {
			return filepath.Join(t.TempDir(), "absent")
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "KAKEHASHI_TLS_KEY_FILE") || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("loadEnv with a missing file: %v, want an error naming KAKEHASHI_TLS_KEY_FILE", err)
	}
}

func TestGCSettings(t *testing.T) {
	cfg := DefaultConfig()
	if cfg.GCPercent != 100 || cfg.MemoryLimitMB != 0 {
		t.Fatalf("defaults gc_percent %d, memory_limit_mb %d: want Go's own (100, none)", cfg.GCPercent, cfg.MemoryLimitMB)
	}
	for _, bad := range []Config{{GCPercent: 10}, {GCPercent: 5000}, {GCPercent: 200, MemoryLimitMB: 64}} {
		c := DefaultConfig()
		c.GCPercent, c.MemoryLimitMB = bad.GCPercent, bad.MemoryLimitMB
		if err := c.Validate(); err == nil {
			t.Errorf("gc_percent %d, memory_limit_mb %d accepted", bad.GCPercent, bad.MemoryLimitMB)
		}
	}
	c := DefaultConfig()
	c.GCPercent, c.MemoryLimitMB = 200, 400
	if err := c.Validate(); err != nil {
		t.Errorf("gc_percent 200, memory_limit_mb 400 refused: %v", err)
	}
	// Tests run commands in their own process: it is not tuned.
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	applyGC(c, env{getenv: func(string) string { return "" }})
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("applyGC tuned a process whose env does not ask for it: GC percent %d", got)
	}
}

func TestLeaderIntervalBounds(t *testing.T) {
	for _, d := range []time.Duration{0, 500 * time.Millisecond, 11 * time.Minute} {
		c := DefaultConfig()
		c.LeaderInterval = d
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "leader_interval") {
			t.Errorf("leader_interval %v: %v, want an error naming leader_interval", d, err)
		}
	}
	for _, d := range []time.Duration{time.Second, 30 * time.Second, 10 * time.Minute} {
		c := DefaultConfig()
		c.LeaderInterval = d
		if err := c.Validate(); err != nil {
			t.Errorf("leader_interval %v: %v", d, err)
		}
	}
}
