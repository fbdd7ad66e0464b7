package sfnlocal

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestName(t *testing.T) {
	seen := map[string]bool{}
	for _, prefix := range []string{"a", "machine", strings.Repeat("p", 100)} {
		for range 3 {
			n := Name(t, prefix)
			if len(n) > 80 {
				t.Errorf("Name(%q) = %q: longer than 80", prefix, n)
			}
			if !strings.HasPrefix(n, prefix[:min(len(prefix), 10)]) {
				t.Errorf("Name(%q) = %q: does not start with the prefix", prefix, n)
			}
			if seen[n] {
				t.Errorf("Name(%q) repeated %q", prefix, n)
			}
			seen[n] = true
		}
	}
}

// Endpoint starts one server and gives every caller its URL; it answers
// the Step Functions API.
func TestEndpoint(t *testing.T) {
	t.Setenv(EnvVar, "")
	a, b := Endpoint(t), Endpoint(t)
	if a == "" || a != b {
		t.Fatalf("Endpoint gave %q then %q, want one URL", a, b)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, a+"/", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"stateMachines"`) {
		t.Errorf("ListStateMachines: %s %s", resp.Status, body)
	}
}
