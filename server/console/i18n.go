package console

import (
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// languages are the console's languages; the first is the default.
var languages = []string{"ja", "en"}

const langCookie = "kakehashi_lang"

// catalogue holds the message catalogues i18n/<page>.<lang>.yaml.
type catalogue struct {
	bundle *i18n.Bundle
	loc    map[string]*i18n.Localizer
	ids    map[string]map[string]bool // language → message ids
}

func loadCatalogue(fsys fs.FS) (*catalogue, error) {
	b := i18n.NewBundle(language.Japanese)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	names, err := fs.Glob(fsys, "i18n/*.yaml")
	if err != nil {
		return nil, err
	}
	cat := &catalogue{bundle: b, loc: map[string]*i18n.Localizer{}, ids: map[string]map[string]bool{}}
	for _, lang := range languages {
		cat.ids[lang] = map[string]bool{}
	}
	for _, n := range names {
		body, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		mf, err := b.ParseMessageFileBytes(body, path.Base(n))
		if err != nil {
			return nil, fmt.Errorf("message catalogue %s: %w", n, err)
		}
		lang := mf.Tag.String()
		if cat.ids[lang] == nil {
			return nil, fmt.Errorf("message catalogue %s: language %q is not one of %v", n, lang, languages)
		}
		for _, m := range mf.Messages {
			cat.ids[lang][m.ID] = true
		}
	}
	for _, lang := range languages {
		cat.loc[lang] = i18n.NewLocalizer(b, lang)
	}
	if missing := cat.missing(); len(missing) > 0 {
		return nil, fmt.Errorf("message catalogues: %s", strings.Join(missing, "; "))
	}
	return cat, nil
}

// missing lists message ids that one language has and another lacks.
func (cat *catalogue) missing() []string {
	var out []string
	for _, a := range languages {
		for id := range cat.ids[a] {
			for _, b := range languages {
				if !cat.ids[b][id] {
					out = append(out, fmt.Sprintf("%q is in %s but not in %s", id, a, b))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// text localizes a message id with optional template data; an unknown id
// shows itself (and the catalogue test fails).
func (cat *catalogue) text(lang, id string, data any) string {
	s, err := cat.loc[lang].Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// langOf is the page's language: ?lang= (remembered in a cookie), else the
// cookie, else Japanese.
func langOf(ctx *fiber.Ctx) string {
	if l, ok := ctx.Locals("lang").(string); ok {
		return l
	}
	return languages[0]
}

// chooseLanguage is the middleware that picks the language of every page.
func (c *Console) chooseLanguage(ctx *fiber.Ctx) error {
	lang := languages[0]
	if q := ctx.Query("lang"); q != "" && known(q) {
		lang = q
		ctx.Cookie(&fiber.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			HTTPOnly: true, Secure: c.cfg.Secure, SameSite: fiber.CookieSameSiteLaxMode})
	} else if ck := ctx.Cookies(langCookie); known(ck) {
		lang = ck
	}
	ctx.Locals("lang", lang)
	return ctx.Next()
}

func known(lang string) bool {
	for _, l := range languages {
		if l == lang {
			return true
		}
	}
	return false
}

// tokyo is Japan time: every date the console shows is in it (REPORTING.md).
var tokyo = time.FixedZone("JST", 9*3600)

// funcs are the template functions, bound to one language.
func (c *Console) funcs(lang string) template.FuncMap {
	return template.FuncMap{
		// t localizes a message id; pairs of arguments after it are its data:
		// {{t "obligations.due" "Date" .Due}}.
		"t": func(id string, kv ...any) string {
			if len(kv) == 0 {
				return c.i18n.text(lang, id, nil)
			}
			data := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				data[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return c.i18n.text(lang, id, data)
		},
		// jst formats a time in Japan time, "2006-01-02 15:04".
		"jst": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(tokyo).Format("2006-01-02 15:04")
		},
		// jstInput formats a time for a datetime-local input in Japan time.
		"jstInput": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(tokyo).Format("2006-01-02T15:04")
		},
		"otherLang": func() string {
			if lang == "ja" {
				return "en"
			}
			return "ja"
		},
		"lang": func() string { return lang },
		// What the navigation offers; the services decide again on use.
		"maySubmit":      sharing.MaySubmit,
		"mayOperate":     sharing.MayOperate,
		"mayManageUsers": sharing.MayManageUsers,
		"hasObligations": func(o *sharing.Organization) bool {
			return o != nil && (o.Role == sharing.RoleCarrier || o.Role == sharing.RoleRegulator)
		},
	}
}
