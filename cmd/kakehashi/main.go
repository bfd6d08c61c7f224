// Command kakehashi runs the Kakehashi hub and its offline tools
// (INTERFACES.md §1). main is the only place that knows every package.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes of INTERFACES.md §1.
const (
	exitOK       = 0
	exitInvalid  = 1
	exitUsage    = 2
	exitWithheld = 3
	exitBroken   = 4
)

// env is what a command sees of the outside world; tests substitute it.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// ready, when set, is told the address the server listens on.
	ready func(addr string)
	// tuneGC lets serve and bench set this process's garbage collector
	// from the configuration (applyGC): the real command only, not tests
	// that run commands in their own process.
	tuneGC bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, tuneGC: true})
	stop()
	os.Exit(code)
}

const usage = `kakehashi — the telecom sector's information-sharing hub

Usage:
  kakehashi serve [--config FILE] [--addr HOST:PORT] [--data DIR] [--database URL] [--demo] [--stix-schemas DIR]
  kakehashi validate [--stix-schemas DIR] FILE|-
  kakehashi submit [--hub URL] [--token TOKEN] [--share-with ORG,…] [--hold] FILE|-
  kakehashi classify [--registry FILE] [--org ID] [--rules baseline|2025-proposed] FILE|-
  kakehashi anonymize --registry FILE [--profile ceptoar|public] [--pseudonym-key KEY] FILE|-
  kakehashi route --registry FILE [--share-with ORG,…] FILE|-
  kakehashi token issue --org ID [--ttl DURATION] [--data DIR | --config FILE]
  kakehashi token revoke [--data DIR | --config FILE] JTI
  kakehashi export --channel CHANNEL [--org ID] [--added-after TIME] [--sign] [--encrypt] [--data DIR | --config FILE]
  kakehashi bench [--objects N] [--json] [--stix-schemas DIR] [--database URL [--hubs N]] [--clients N]
  kakehashi audit verify [--data DIR | --config FILE]
  kakehashi backup --out FILE [--force] [--data DIR | --config FILE]
  kakehashi store copy --from DIR --to postgres://… [--progress]
  kakehashi user add|passwd|disable|list [--org ID] [--role ROLE] [--data DIR | --config FILE] [USERNAME]
  kakehashi signals bgp|posts --registry FILE [--data DIR] [--progress] FILE|-

Every command with --data also takes --database postgres://… (or KAKEHASHI_DATABASE_URL):
the hub's data in PostgreSQL instead of SQLite in the data directory, which still holds
the registry and the keys. backup is SQLite's only (PostgreSQL: pg_dump or WAL archiving).
store copy moves a stopped SQLite hub's data into an empty PostgreSQL database and verifies it.
bench --database works in a schema of its own, which it drops at the end.
`

// run executes one command and returns its exit code.
func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], e)
	case "validate":
		return cmdValidate(args[1:], e)
	case "submit":
		return cmdSubmit(args[1:], e)
	case "classify":
		return cmdClassify(args[1:], e)
	case "anonymize":
		return cmdAnonymize(args[1:], e)
	case "route":
		return cmdRoute(args[1:], e)
	case "token":
		return cmdToken(ctx, args[1:], e)
	case "export":
		return cmdExport(ctx, args[1:], e)
	case "bench":
		return cmdBench(ctx, args[1:], e)
	case "audit":
		return cmdAudit(ctx, args[1:], e)
	case "backup":
		return cmdBackup(ctx, args[1:], e)
	case "store":
		return cmdStore(ctx, args[1:], e)
	case "user":
		return cmdUser(ctx, args[1:], e)
	case "signals":
		return cmdSignals(args[1:], e)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "kakehashi: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// parseFlags parses fs allowing flags before and after positional arguments
// ("-" counts as positional), and returns the positional ones.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func newFlagSet(name string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// configFlags registers --config, --data and --database and returns a function that
// builds the validated Config: defaults < file < environment < flags.
func configFlags(fs *flag.FlagSet, e env) func() (Config, error) {
	file := fs.String("config", "", "configuration file (YAML)")
	data := fs.String("data", "", "data directory (default ./kakehashi-data)")
	database := fs.String("database", "", "PostgreSQL URL postgres://… (default: SQLite in the data directory; env KAKEHASHI_DATABASE_URL)")
	return func() (Config, error) {
		cfg := DefaultConfig()
		if *file != "" {
			if err := cfg.loadFile(*file); err != nil {
				return cfg, err
			}
		}
		if err := cfg.loadEnv(e.getenv); err != nil {
			return cfg, err
		}
		if *data != "" {
			cfg.DataDir = *data
		}
		if *database != "" {
			cfg.Database = *database
		}
		return cfg, nil
	}
}

func usageError(e env, err error) int {
	if !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(e.stderr, "kakehashi: %v\n", err)
	}
	return exitUsage
}
