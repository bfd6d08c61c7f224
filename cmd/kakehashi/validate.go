package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// validationReport is what `kakehashi validate` prints on stdout: the TAXII
// 2.1 error shape used by the HTTP API when invalid, a summary when valid.
// Warnings (the SHOULDs of STIX 2.1 the bundle departs from, stix.Warnings)
// never make it invalid; they appear in both shapes, at the top level when
// valid and in details next to the violations when not.
type validationReport struct {
	Valid       bool             `json:"valid"`
	Objects     int              `json:"objects,omitempty"`
	Warnings    []stix.Warning   `json:"warnings,omitempty"`
	Title       string           `json:"title,omitempty"`
	Description string           `json:"description,omitempty"`
	ErrorCode   string           `json:"error_code,omitempty"`
	Details     *validationPaths `json:"details,omitempty"`
}

type validationPaths struct {
	Violations []stix.Violation `json:"violations"`
	Warnings   []stix.Warning   `json:"warnings,omitempty"`
}

func cmdValidate(args []string, e env) int {
	fs := newFlagSet("validate", e)
	schemas := fs.String("stix-schemas", "", "also validate against the OASIS STIX 2.1 JSON schemas in DIR")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if len(pos) != 1 {
		return usageError(e, errors.New("validate takes one FILE, or - for standard input"))
	}
	if *schemas == "" {
		*schemas = e.getenv("KAKEHASHI_STIX_SCHEMAS")
	}
	data, err := readInput(pos[0], e)
	if err != nil {
		return usageError(e, err)
	}
	var strict *stix.SchemaValidator
	if *schemas != "" {
		if strict, err = stix.NewSchemaValidator(*schemas); err != nil {
			return usageError(e, fmt.Errorf("--stix-schemas: %w", err))
		}
	}
	b, violations, err := validateBundle(data, strict)
	if err != nil {
		return usageError(e, err)
	}
	// Offline there are no stored marking definitions: a marking reference
	// resolves only within the bundle or to a standard TLP marking.
	warnings := stix.Warnings(b, nil)
	rep := validationReport{Valid: true, Warnings: warnings}
	code := exitOK
	if len(violations) > 0 {
		rep = validationReport{Title: "The bundle breaks the STIX 2.1 profile", ErrorCode: "invalid-stix",
			Description: fmt.Sprintf("%d problem(s); each is listed with its JSON pointer", len(violations)),
			Details:     &validationPaths{Violations: violations, Warnings: warnings}}
		code = exitInvalid
	} else {
		rep.Objects = len(b.Objects)
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep); err != nil {
		return usageError(e, err)
	}
	return code
}

// validateBundle decodes and validates; the violations are the user's
// problem, the error is an internal one. The bundle is nil when it could not
// be decoded.
func validateBundle(data []byte, strict *stix.SchemaValidator) (*stix.Bundle, []stix.Violation, error) {
	b, err := stix.DecodeBundle(data, stix.Limits{})
	var ve *stix.ValidationError
	if err != nil {
		if errors.As(err, &ve) {
			return nil, ve.Violations, nil
		}
		return nil, nil, err
	}
	var out []stix.Violation
	if err := stix.Validate(b); err != nil {
		if !errors.As(err, &ve) {
			return nil, nil, err
		}
		out = append(out, ve.Violations...)
	}
	if strict != nil {
		if err := strict.Validate(b); err != nil {
			if !errors.As(err, &ve) {
				return nil, nil, err
			}
			out = append(out, ve.Violations...)
		}
	}
	return b, out, nil
}

func readInput(name string, e env) ([]byte, error) {
	if name == "-" {
		b, err := io.ReadAll(e.stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}
