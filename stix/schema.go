package stix

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	jskind "github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Strict mode (PROFILE.md §1): besides its own validator, the hub can run the
// OASIS STIX 2.1 JSON schemas (oasis-open/cti-stix2-json-schemas) when an
// operator points it at a copy (--stix-schemas DIR). Every object goes to the
// schema of its type; bundle.json is never used because it rejects valid
// bundles holding location, grouping, note, opinion, incident,
// extension-definition or custom objects (STIX-TAXII-NOTES §1.5).

// oasisIDPrefix is the $id prefix of every OASIS schema file. The base schemas
// use http, while the OASIS extension schemas (TLP 2.0, incident-core) refer
// to them over https; both forms are registered so either resolves offline.
const oasisIDPrefix = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/"

// SchemaValidator validates objects against the OASIS JSON schemas, compiled
// once. It is safe for concurrent use.
type SchemaValidator struct {
	byType  map[string]*jsonschema.Schema
	core    *jsonschema.Schema // custom SDO/SRO types
	sco     *jsonschema.Schema // custom cyber-observable types
	telecom *jsonschema.Schema // TelecomExtensionSchema
}

// denyLoader refuses every URL: all schemas are registered up front, so a
// load attempt means a reference outside the set, which must not go to the
// network.
type denyLoader struct{}

func (denyLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not in the local OASIS schema copy; refusing to fetch it", url)
}

// NewSchemaValidator loads and compiles the OASIS schemas under
// dir/schemas (dir is the root of a cti-stix2-json-schemas checkout), plus
// the telecom extension schema. Nothing is fetched over the network.
func NewSchemaValidator(dir string) (*SchemaValidator, error) {
	root := filepath.Join(dir, "schemas")
	c := jsonschema.NewCompiler()
	c.UseLoader(denyLoader{})
	c.DefaultDraft(jsonschema.Draft2020)
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		m, ok := doc.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is not a JSON object", path)
		}
		id, _ := m["$id"].(string)
		if id == "" {
			rel, _ := filepath.Rel(root, path)
			id = oasisIDPrefix + "schemas/" + filepath.ToSlash(rel)
		}
		if err := c.AddResource(id, doc); err != nil {
			return fmt.Errorf("add %s: %w", path, err)
		}
		if alias, ok := strings.CutPrefix(id, "http://"); ok {
			cp := make(map[string]any, len(m))
			for k, v := range m {
				cp[k] = v
			}
			cp["$id"] = "https://" + alias
			if err := c.AddResource("https://"+alias, cp); err != nil {
				return fmt.Errorf("add https alias of %s: %w", path, err)
			}
		}
		n++
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load OASIS schemas from %s: %w", root, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("load OASIS schemas: no schema files under %s", root)
	}
	compile := func(rel string) (*jsonschema.Schema, error) {
		s, err := c.Compile(oasisIDPrefix + "schemas/" + rel)
		if err != nil {
			return nil, fmt.Errorf("compile %s: %w", rel, err)
		}
		return s, nil
	}
	s := &SchemaValidator{byType: make(map[string]*jsonschema.Schema)}
	for dirName, types := range map[string][]string{"sdos": sdoTypes, "sros": sroTypes, "observables": scoTypes, "common": smoTypes} {
		for _, t := range types {
			if s.byType[t], err = compile(dirName + "/" + t + ".json"); err != nil {
				return nil, err
			}
		}
	}
	if s.core, err = compile("common/core.json"); err != nil {
		return nil, err
	}
	if s.sco, err = compile("common/cyber-observable-core.json"); err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(TelecomExtensionSchema))
	if err != nil {
		return nil, fmt.Errorf("parse telecom extension schema: %w", err)
	}
	if err := c.AddResource(TelecomExtensionSchemaURL, doc); err != nil {
		return nil, fmt.Errorf("add telecom extension schema: %w", err)
	}
	if s.telecom, err = c.Compile(TelecomExtensionSchemaURL); err != nil {
		return nil, fmt.Errorf("compile telecom extension schema: %w", err)
	}
	return s, nil
}

// schemaFor picks the schema of an object: its type's file, or for a custom
// type core.json or cyber-observable-core.json (the same split as the own
// validator, see customSCO).
func (s *SchemaValidator) schemaFor(props map[string]any) *jsonschema.Schema {
	t, _ := props["type"].(string)
	if sch := s.byType[t]; sch != nil {
		return sch
	}
	if t != "" && customSCO(props) {
		return s.sco
	}
	return s.core
}

// Validate checks every object of b against its OASIS schema, and the content
// of the telecom extension against TelecomExtensionSchema. It returns nil or
// a *ValidationError whose violations point into the bundle.
func (s *SchemaValidator) Validate(b *Bundle) error {
	var vs []Violation
	for i, o := range b.Objects {
		prefix := fmt.Sprintf("/objects/%d", i)
		if o == nil || o.Props == nil {
			vs = append(vs, Violation{Path: prefix, Message: "must be a JSON object"})
			continue
		}
		vs = append(vs, s.ValidateObject(o, prefix)...)
	}
	if len(vs) == 0 {
		return nil
	}
	return &ValidationError{Violations: vs}
}

// ValidateObject checks one object against its OASIS schema (and the telecom
// extension schema) and returns the violations, their pointers starting with
// prefix.
func (s *SchemaValidator) ValidateObject(o *Object, prefix string) []Violation {
	var vs []Violation
	vs = appendSchemaErrors(vs, prefix, s.schemaFor(o.Props).Validate(o.Props))
	if exts, ok := o.Props["extensions"].(map[string]any); ok {
		if t, ok := exts[TelecomExtensionID]; ok {
			vs = appendSchemaErrors(vs, prefix+"/extensions/"+TelecomExtensionID, s.telecom.Validate(t))
		}
	}
	return vs
}

// appendSchemaErrors flattens a jsonschema error into violations, one per
// failing keyword, skipping the grouping nodes that only say "a subschema
// failed".
func appendSchemaErrors(vs []Violation, prefix string, err error) []Violation {
	if err == nil {
		return vs
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return append(vs, Violation{Path: prefix, Message: err.Error()})
	}
	n := len(vs)
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		switch e.ErrorKind.(type) {
		case *jskind.Schema, *jskind.Reference, *jskind.AllOf, *jskind.Group:
		default:
			vs = append(vs, Violation{Path: prefix + pointerOf(e.InstanceLocation), Message: "OASIS schema: " + e.ErrorKind.LocalizedString(schemaPrinter)})
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(vs) == n {
		vs = append(vs, Violation{Path: prefix, Message: "OASIS schema: " + ve.Error()})
	}
	return vs
}

var schemaPrinter = message.NewPrinter(language.English)

func pointerOf(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapePointer(t))
	}
	return b.String()
}
