package console

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestTemplateMessagesExist: every message id a template names literally
// ({{t "id"}}) or by a prefix ({{t (printf "prefix.%s" …)}}) is in the
// catalogues, so that no page shows a raw id in either language.
func TestTemplateMessagesExist(t *testing.T) {
	cat, err := loadCatalogue(files)
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`\bt "([a-z0-9][a-z0-9._-]*)"`)
	prefixed := regexp.MustCompile(`\bt \(printf "([a-z0-9._-]+)\.%s"`)
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	partials, _ := fs.Glob(files, "templates/partials/*.html")
	for _, n := range append(names, partials...) {
		body, err := fs.ReadFile(files, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(body), -1) {
			for _, lang := range languages {
				if !cat.ids[lang][m[1]] {
					t.Errorf("%s names message %q, missing in %s", n, m[1], lang)
				}
			}
		}
		for _, m := range prefixed.FindAllStringSubmatch(string(body), -1) {
			found := false
			for id := range cat.ids["ja"] {
				if strings.HasPrefix(id, m[1]+".") {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s names messages %s.*, none in the catalogues", n, m[1])
			}
		}
	}
}
