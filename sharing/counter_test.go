package sharing_test

import (
	"testing"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/store/storetest"
)

// TestMemoryRateCounter runs the counter contract that store/postgres's
// shared counter runs too.
func TestMemoryRateCounter(t *testing.T) {
	storetest.RunRateCounter(t, func(*testing.T) sharing.RateCounter { return &sharing.MemoryRateCounter{} })
}
