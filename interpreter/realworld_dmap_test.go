package interpreter_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/interpreter"
)

// TestRealworldDistributedMaps: the nine definitions of
// ../shared/aws/realworld that read items with a distributed Map's
// ItemReader load and run to SUCCEEDED, every map run with all its
// children succeeding, their S3 calls and other tasks answered by the
// mock files of testdata/realworld-dmap (issue 11).
func TestRealworldDistributedMaps(t *testing.T) {
	dir := needShared(t, filepath.Join(sharedDir, "aws", "realworld"))
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), `"ItemReader"`) {
			continue
		}
		n++
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(id, func(t *testing.T) {
			m, err := interpreter.Compile(data)
			if err != nil {
				t.Fatal(err)
			}
			mockData, err := os.ReadFile(filepath.Join("testdata", "realworld-dmap", id+".mock.json"))
			if err != nil {
				t.Fatal(err)
			}
			input, err := os.ReadFile(filepath.Join("testdata", "realworld-dmap", id+".input.json"))
			if err != nil {
				t.Fatal(err)
			}
			mc, err := interpreter.ParseMockConfig(mockData)
			if err != nil {
				t.Fatal(err)
			}
			mock, err := mc.Resolver("realworld", "run")
			if err != nil {
				t.Fatal(err)
			}
			var runs []*interpreter.MapRun
			res, err := m.Run(context.Background(), input, interpreter.WithTaskResolver(mock),
				interpreter.WithClock(interpreter.NewVirtualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))),
				interpreter.WithMapRunHook(func(r *interpreter.MapRun) { runs = append(runs, r) }))
			if err != nil {
				t.Fatalf("%s: %s: %s", res.Status, res.Error, res.Cause)
			}
			if len(runs) == 0 {
				t.Fatal("no map run started")
			}
			for _, r := range runs {
				info := r.Info()
				if info.Status != "SUCCEEDED" || info.ItemCounts.Total == 0 || info.ItemCounts.Succeeded != info.ItemCounts.Total {
					t.Errorf("map run %s: %s, items %+v", info.ARN, info.Status, info.ItemCounts)
				}
				for _, c := range r.Children() {
					if c.Status != interpreter.StatusSucceeded {
						t.Errorf("child %s: %s %s: %s", c.Name, c.Status, c.Error, c.Cause)
					}
				}
			}
		})
	}
	if n != 9 {
		t.Errorf("%d definitions use ItemReader, want 9", n)
	}
}
