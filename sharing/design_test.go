package sharing

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/crypto/pgp"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// noUploads is a KeyStore in which no organization uploaded a key, so the
// registry's keys are used.
type noUploads struct{}

func (noUploads) FindOrganizationKey(context.Context, string) (string, error) {
	return "", ErrNotFound
}
func (noUploads) SaveOrganizationKey(context.Context, string, KeyChange, AuditEvent) error {
	return nil
}
func (noUploads) RecordRegistryKey(context.Context, KeyChange, bool, AuditEvent) error { return nil }
func (noUploads) FindKeyChanges(context.Context, string) ([]KeyChange, error) {
	return []KeyChange{}, nil
}

func TestSealBinaryThatLooksLikeOpenPGP(t *testing.T) {
	secrets := map[string]*pgp.SecretKey{}
	var orgs []*Organization
	for _, o := range []struct {
		id, identity string
		role         Role
	}{{"carrier-a", "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11", RoleCarrier}, {"mic", "identity--6d5c4b3e-2a1f-4cab-99e8-f7a6b5c4d3e2", RoleRegulator}} {
		kp, err := pgp.GenerateKeyPair(o.id, o.id+"@test.invalid")
		if err != nil {
			t.Fatal(err)
		}
		sk, _ := pgp.ParseSecretKey([]byte(kp.Secret))
		secrets[o.id] = sk
		orgs = append(orgs, &Organization{ID: o.id, Role: o.role, Identity: o.identity, Name: o.id, PGPPublicKey: kp.Public})
	}
	reg, err := NewRegistry(orgs)
	if err != nil {
		t.Fatal(err)
	}
	hubPair, _ := pgp.GenerateKeyPair("hub", "hub@test.invalid")
	hub, _ := pgp.ParseSecretKey([]byte(hubPair.Secret))
	v := &DesignVault{Hub: hub, Keys: &Keys{Store: noUploads{}, Registry: reg, Now: time.Now}, MACKey: []byte("k"), Now: time.Now}

	// A binary design that begins like an OpenPGP public-key encrypted
	// session key packet (tag 1) but is not one: it must be encrypted, not refused.
	plain := append([]byte{0x85, 0x01, 0x0c, 0x03}, make([]byte, 4096)...)
	if _, err := rand.Read(plain[4:]); err != nil {
		t.Fatal(err)
	}
	raw := fmt.Sprintf(`{"type":"bundle","id":"bundle--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d","objects":[
	{"type":"incident","spec_version":"2.1","id":"incident--aa11bb22-cc33-4d44-8e55-ff6677889900","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	 "name":"n","extensions":{"%s":{"extension_type":"property-extension","report_kind":"near-miss","occurred_at":"2026-07-10T00:00:00Z",
	 "sensitive_design_refs":["artifact--bb22cc33-dd44-4e55-9f66-0011223344aa"]}}},
	{"type":"artifact","spec_version":"2.1","id":"artifact--bb22cc33-dd44-4e55-9f66-0011223344aa","mime_type":"application/octet-stream","payload_bin":"%s",
	 "hashes":{"SHA-256":"0000000000000000000000000000000000000000000000000000000000000000"}}]}`,
		stix.TelecomExtensionID, base64.StdEncoding.EncodeToString(plain))
	b, err := stix.DecodeBundle([]byte(raw), stix.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := reg.FindOrganizationByID("carrier-a")
	macs, violations, err := v.Seal(context.Background(), b, a, nil)
	if err != nil || len(violations) > 0 {
		t.Fatalf("Seal: %v %v", err, violations)
	}
	art := b.Objects[1].Props
	if art["mime_type"] != "application/pgp-encrypted" || art["hashes"] != nil || macs[b.Objects[1].ID] == "" {
		t.Fatalf("sealed artifact = %v, macs %v", art, macs)
	}
	enc, _ := base64.StdEncoding.DecodeString(art["payload_bin"].(string))
	for _, who := range []string{"carrier-a", "mic"} {
		got, err := pgp.Decrypt(bytes.NewReader(enc), secrets[who])
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%s cannot decrypt the design: %v", who, err)
		}
	}
	if _, err := pgp.Decrypt(bytes.NewReader(enc), hub); err == nil {
		t.Error("the hub itself can decrypt a stored design; it must not keep access")
	}
	if err := stix.Validate(b); err != nil {
		t.Errorf("sealed bundle invalid: %v", err)
	}
}
