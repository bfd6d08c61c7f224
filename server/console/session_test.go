package console

import "testing"

func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "/"},
		{"/obligations", "/obligations"},
		{"/feeds/isac-members?next=abc&limit=5", "/feeds/isac-members?next=abc&limit=5"},
		{"/reports/new?from=s%2F1", "/reports/new?from=s%2F1"},
		{"//evil.example/x", "/"},
		{"/\t/evil.example/x", "/"}, // browsers drop the tab: //evil.example
		{"/\n/evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"/a\x7f", "/"},
		{"/%2F%2Fevil.example", "/"}, // decodes to //evil.example: refused too
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
