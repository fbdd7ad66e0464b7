package interpreter_test

import (
	"testing"

	"github.com/hsc-dev/hsc/internal/testenv"
)

// TestMain prints how many tests were skipped for want of ../shared (they
// fail under CI=true instead).
func TestMain(m *testing.M) { testenv.Main(m) }
