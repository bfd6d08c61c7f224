package sharing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRegistryWebhook(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mic.hook"), []byte("0123456789abcdef-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "short.hook"), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	head := "organizations:\n  - id: mic\n    role: regulator\n    identity: identity--6d5c4b3e-2a1f-4cab-99e8-f7a6b5c4d3e2\n    name: MIC\n"
	tests := []struct {
		name, yaml, wantErr string
	}{
		{name: "webhook", yaml: head + "    webhook: {url: https://soc.example/hook, secret_file: mic.hook}\n"},
		{name: "sensor role", yaml: strings.Replace(head, "regulator", "sensor", 1)},
		{name: "unknown key", yaml: head + "    webhook: {url: https://soc.example/hook, secret_file: mic.hook, secret: x}\n", wantErr: `unknown key "secret" in a webhook`},
		{name: "not a URL", yaml: head + "    webhook: {url: soc.example, secret_file: mic.hook}\n", wantErr: "must be an absolute http(s) URL"},
		{name: "no secret", yaml: head + "    webhook: {url: https://soc.example/hook}\n", wantErr: "secret_file is required"},
		{name: "short secret", yaml: head + "    webhook: {url: https://soc.example/hook, secret_file: short.hook}\n", wantErr: "use at least 16"},
		{name: "credentials in URL", yaml: head + "    webhook: {url: https://u:p@soc.example/hook, secret_file: mic.hook}\n", wantErr: "must not carry credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg, err := ParseRegistry([]byte(tc.yaml), dir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			o := reg.Organizations()[0]
			if o.Webhook != nil {
				if string(o.Webhook.Secret) != "0123456789abcdef-secret" {
					t.Errorf("secret %q: the final line ending must go", o.Webhook.Secret)
				}
				body := []byte(`{"type":"opened"}`)
				if !VerifySignature(o.Webhook.Secret, body, Sign(o.Webhook.Secret, body)) || VerifySignature(o.Webhook.Secret, body, "sha256=00") {
					t.Error("signature does not verify")
				}
				y, err := MarshalRegistry(reg.Organizations())
				if err != nil || !strings.Contains(string(y), "secret_file: mic.hook") {
					t.Errorf("marshal: %v\n%s", err, y)
				}
			}
		})
	}
}

func TestMayFeed(t *testing.T) {
	for role, want := range map[Role]bool{RoleSensor: true, RoleAdmin: true, RoleCarrier: false, RoleISAC: false, RoleRegulator: false, RoleMember: false} {
		if got := MayFeed(&Organization{ID: "x", Role: role}); got != want {
			t.Errorf("MayFeed(%s) = %v, want %v", role, got, want)
		}
	}
	if MayFeed(nil) {
		t.Error("MayFeed(nil)")
	}
}
