package sharing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Webhook is where an organization receives the sector events it may see,
// pushed as JSON and signed with HMAC-SHA256 (INTERFACES §9, issue #16).
type Webhook struct {
	URL        string
	SecretFile string // as written in the registry; kept so MarshalRegistry round-trips
	Secret     []byte // the HMAC key, read from SecretFile at load
}

// SignatureHeader carries the signature of a webhook delivery.
const SignatureHeader = "X-Kakehashi-Signature"

// Sign returns the X-Kakehashi-Signature value of a delivery body:
// "sha256=" and the hex HMAC-SHA256 of the body under the secret (the
// scheme GitHub's webhooks made familiar; the receiver recomputes it and
// compares in constant time).
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature reports whether sig is Sign(secret, body), in constant time.
func VerifySignature(secret, body []byte, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(Sign(secret, body)))
}

// webhookFile is the registry's webhook: {url, secret_file}.
type webhookFile struct {
	URL        string `yaml:"url"`
	SecretFile string `yaml:"secret_file"`
}

var webhookKeys = []string{"url", "secret_file"}

// minWebhookSecret is the shortest HMAC key accepted: a guessable key would
// let anyone forge deliveries.
const minWebhookSecret = 16

// webhook checks the registry entry and reads its secret; a relative
// secret_file is resolved against the registry's directory.
func (w webhookFile) webhook(dir string) (*Webhook, error) {
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("webhook: url %q must be an absolute http(s) URL such as https://soc.example/kakehashi", w.URL)
	}
	if u.User != nil {
		return nil, errors.New("webhook: url must not carry credentials; deliveries are signed with the secret instead")
	}
	if w.SecretFile == "" {
		return nil, errors.New("webhook: secret_file is required: a file holding the HMAC key (at least 16 characters)")
	}
	p := w.SecretFile
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("webhook: secret_file: %w", err)
	}
	secret := strings.TrimRight(string(b), "\r\n")
	if len(secret) < minWebhookSecret {
		return nil, fmt.Errorf("webhook: the secret in %s is %d characters; use at least %d", w.SecretFile, len(secret), minWebhookSecret)
	}
	return &Webhook{URL: w.URL, SecretFile: w.SecretFile, Secret: []byte(secret)}, nil
}
