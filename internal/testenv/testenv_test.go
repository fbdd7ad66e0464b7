package testenv_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestHelperMissing is run as a child process by the tests below.
func TestHelperMissing(t *testing.T) {
	if os.Getenv("TESTENV_CHILD") != "1" {
		t.Skip("run by TestSkipIsLoudAndFailsInCI")
	}
	testenv.Shared(t, "no-such-folder-"+t.Name())
	t.Log("reached past a missing requirement")
}

func child(t *testing.T, ci, log string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMissing$", "-test.v")
	cmd.Env = append(os.Environ(), "TESTENV_CHILD=1", "CI="+ci, testenv.SkipLogVar+"="+log)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// Missing shared data: a skip with a summary line (also in the skip log)
// normally, a failure under CI=true (issue 10 item 23).
func TestSkipIsLoudAndFailsInCI(t *testing.T) {
	log := filepath.Join(t.TempDir(), "skipped.txt")
	out, err := child(t, "", log)
	if err != nil || !strings.Contains(out, "--- SKIP: TestHelperMissing") || strings.Contains(out, "reached past") {
		t.Fatalf("without CI: %v\n%s", err, out)
	}
	for _, text := range []string{out, readFile(t, log)} {
		if !strings.Contains(text, "SKIPPED 1 test(s) in internal/testenv: shared test data ") || !strings.Contains(text, "[TestHelperMissing]") {
			t.Errorf("no summary line:\n%s", text)
		}
	}
	out, err = child(t, "true", filepath.Join(t.TempDir(), "ci.txt"))
	if err == nil || !strings.Contains(out, "--- FAIL: TestHelperMissing") || !strings.Contains(out, "CI=true, and shared test data") {
		t.Errorf("under CI=true: %v\n%s", err, out)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSharedPath(t *testing.T) {
	p, err := testenv.SharedPath()
	if err != nil {
		t.Skipf("no ../shared here: %v", err) // what the child test checks
	}
	if filepath.Base(p) != "shared" || !filepath.IsAbs(p) {
		t.Errorf("SharedPath() = %s", p)
	}
}
