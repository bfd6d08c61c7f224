package main

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// TestDemoRegistrySeed keeps the seed of sharing's FuzzParseRegistry the demo
// registry: the organizations of the demo world, each with an OpenPGP key
// (generated per world, so only its presence is compared).
func TestDemoRegistrySeed(t *testing.T) {
	reg, err := sharing.LoadRegistry("../../sharing/testdata/registry-demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got := reg.Organizations()
	for _, o := range got {
		if o.PGPPublicKey == "" {
			t.Errorf("%s has no OpenPGP key in the seed", o.ID)
		}
		o.PGPPublicKey = ""
	}
	if diff := cmp.Diff(demoOrganizations(), got, cmpopts.EquateEmpty(), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("sharing/testdata/registry-demo.yaml is not the demo world (-demo +seed); regenerate it with serve --demo:\n%s", diff)
	}
}
