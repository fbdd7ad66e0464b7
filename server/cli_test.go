package server_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/internal/testenv"
	"github.com/hsc-dev/hsc/server"
)

// The AWS CLI, an unmodified client, against the server: the checks of
// .ci/serve-cli.sh (create, start, history, an activity task by hand,
// versions and aliases, StartSyncExecution, TestState, error codes).
func TestAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the AWS CLI about 50 times")
	}
	for _, tool := range []string{"aws", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Skip(t, tool+" is not installed")
		}
	}
	s, _ := start(t, server.Config{PollTimeout: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	script, err := filepath.Abs(filepath.Join("..", ".ci", "serve-cli.sh"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, "bash", script, s.URL()).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("%s", out)
}
