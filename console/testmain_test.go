package console_test

import (
	"testing"

	"github.com/hsc-dev/hsc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
