package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

const userUsage = `usage:
  kakehashi user add --org ID --role viewer|reporter|approver|operator [--password-file FILE] [--data DIR | --config FILE] USERNAME
  kakehashi user passwd [--password-file FILE] [--data DIR | --config FILE] USERNAME
  kakehashi user disable [--data DIR | --config FILE] USERNAME
  kakehashi user list [--org ID] [--data DIR | --config FILE]
The password is read from --password-file, else from the first line of standard input.`

// cmdUser manages the web console's people (docs/console.md). It acts as
// the operator at the hub's terminal (sharing.CommandLine); every change is
// audited.
func cmdUser(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		return usageError(e, errors.New("user needs a subcommand: add, passwd, disable or list\n"+userUsage))
	}
	sub := args[0]
	fs := newFlagSet("user "+sub, e)
	build := configFlags(fs, e)
	org := fs.String("org", "", "organization id from the registry")
	role := fs.String("role", "", "viewer, reporter, approver, or operator (hub-admin only)")
	pwFile := fs.String("password-file", "", "file whose first line is the password (default: standard input)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return usageError(e, err)
	}
	switch {
	case sub != "add" && sub != "passwd" && sub != "disable" && sub != "list":
		return usageError(e, fmt.Errorf("unknown user subcommand %q\n%s", sub, userUsage))
	case sub == "list" && len(pos) != 0, sub != "list" && len(pos) != 1:
		return usageError(e, errors.New(userUsage))
	case sub == "add" && (*org == "" || *role == ""):
		return usageError(e, errors.New("user add needs --org and --role\n"+userUsage))
	}
	h, err := openFromFlags(ctx, build)
	if err != nil {
		return usageError(e, err)
	}
	defer h.Close()
	switch sub {
	case "list":
		return listUsers(ctx, h, *org, e)
	case "disable":
		err = h.users.Disable(ctx, sharing.CommandLine, pos[0])
	default:
		var pw string
		if pw, err = readPassword(*pwFile, e); err != nil {
			return usageError(e, err)
		}
		if sub == "add" {
			_, err = h.users.Add(ctx, sharing.CommandLine, *org, pos[0], sharing.UserRole(*role), pw)
		} else {
			err = h.users.SetPassword(ctx, sharing.CommandLine, pos[0], pw)
		}
	}
	if err != nil {
		return usageError(e, err)
	}
	fmt.Fprintf(e.stdout, "user %s: %s done\n", pos[0], sub)
	return exitOK
}

func readPassword(file string, e env) (string, error) {
	var line string
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("password file: %w", err)
		}
		line, _, _ = strings.Cut(string(b), "\n")
	} else {
		sc := bufio.NewScanner(e.stdin)
		if sc.Scan() {
			line = sc.Text()
		}
		if err := sc.Err(); err != nil {
			return "", fmt.Errorf("read the password from standard input: %w", err)
		}
	}
	line = strings.TrimRight(line, "\r")
	if line == "" {
		return "", errors.New("no password given: pipe it to standard input or use --password-file")
	}
	return line, nil
}

func listUsers(ctx context.Context, h *hub, org string, e env) int {
	users, err := h.db.FindUsers(ctx, org)
	if err != nil {
		return usageError(e, err)
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "USERNAME\tORGANIZATION\tROLE\tSTATUS")
	for _, u := range users {
		status := "active"
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", u.Username, u.Organization, u.Role, status)
	}
	if err := w.Flush(); err != nil {
		return usageError(e, err)
	}
	return exitOK
}
