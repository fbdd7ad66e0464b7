package sqlstore_test

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hsc-dev/hsc/internal/testenv"
	"github.com/hsc-dev/hsc/store"
	"github.com/hsc-dev/hsc/store/sqlstore"
)

// mountTmpfs mounts a tmpfs of size on a new folder (tests run as root in
// CI), skipped loudly where mounting is not permitted.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		testenv.Skip(t, "a full or read-only disk is simulated with a Linux tmpfs mount")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		testenv.Skip(t, "cannot mount a tmpfs to simulate a full or read-only disk (needs root): "+strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

func remount(t *testing.T, dir, opts string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,"+opts, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s %s: %v: %s", opts, dir, err, out)
	}
}

// integrity runs SQLite's integrity check on a closed store's database.
func integrity(t *testing.T, dir string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlstore.DBFile)+"?mode=ro")
	must(t, err)
	defer db.Close()
	var res string
	must(t, db.QueryRow("PRAGMA integrity_check").Scan(&res))
	if res != "ok" {
		t.Errorf("integrity_check: %s", res)
	}
}

// When the disk fills up, writes fail with ErrUnavailable (the server's
// 503), reads go on, and everything committed before is there after the
// disk has room again and the store is reopened, uncorrupted.
func TestDiskFull(t *testing.T) {
	dir := mountTmpfs(t, "1m")
	s, err := sqlstore.Open(ctx, dir, sqlstore.Options{})
	must(t, err)
	event := []byte(`{"details":"` + strings.Repeat("x", 4000) + `"}`)
	var acked []string
	var failure error
	for i := 0; failure == nil; i++ {
		arn := fmt.Sprintf("ex%04d", i)
		failure = s.Update(ctx, func(tx store.Tx) error {
			if err := tx.CreateExecution(&store.Execution{ARN: arn, StateMachineARN: "m", Status: store.StatusRunning, Definition: "def"}); err != nil {
				return err
			}
			return tx.AppendEvents(arn, []store.Event{{ID: 1, JSON: event}, {ID: 2, JSON: event}})
		})
		if failure == nil {
			acked = append(acked, arn)
		}
		if i > 10000 {
			t.Fatal("a 1 MiB tmpfs never filled up")
		}
	}
	if !errors.Is(failure, store.ErrUnavailable) {
		t.Fatalf("write on a full disk: %v, want ErrUnavailable", failure)
	}
	t.Logf("%d executions acknowledged, then: %v", len(acked), failure)
	// Reads still work, and further writes keep failing the same way.
	must(t, s.View(ctx, func(tx store.Tx) error {
		_, err := tx.GetExecution(acked[len(acked)-1])
		return err
	}))
	for range 3 {
		err := s.Update(ctx, func(tx store.Tx) error {
			return tx.AppendEvents(acked[0], []store.Event{{ID: 3, JSON: bytes.Repeat(event, 20)}})
		})
		if err != nil && !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("another write on the full disk: %v", err)
		}
	}
	s.Close() // may fail to checkpoint on the full disk; reopening recovers
	remount(t, dir, "size=16m")
	s = open(t, dir, sqlstore.Options{})
	must(t, s.View(ctx, func(tx store.Tx) error {
		for _, arn := range acked {
			e, err := tx.GetExecution(arn)
			if err != nil {
				return fmt.Errorf("acknowledged %s: %w", arn, err)
			}
			if e.EventCount < 2 {
				t.Errorf("%s has %d events", arn, e.EventCount)
			}
		}
		return nil
	}))
	// And it writes again.
	must(t, s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateExecution(&store.Execution{ARN: "after", Status: store.StatusRunning})
	}))
	must(t, s.Close())
	integrity(t, dir)
}

// A data directory on a read-only file system is refused at start-up with
// a clear error; its data is intact when the file system is writable again.
func TestReadOnlyAtStartup(t *testing.T) {
	dir := mountTmpfs(t, "4m")
	s, err := sqlstore.Open(ctx, dir, sqlstore.Options{})
	must(t, err)
	must(t, s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateStateMachine(&store.StateMachine{ARN: "sm", Name: "m"})
	}))
	must(t, s.Close())
	remount(t, dir, "ro")
	_, err = sqlstore.Open(ctx, dir, sqlstore.Options{})
	if !errors.Is(err, store.ErrUnavailable) || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("Open on a read-only file system: %v, want ErrUnavailable saying read-only", err)
	}
	t.Logf("the error: %v", err)
	remount(t, dir, "rw")
	s = open(t, dir, sqlstore.Options{})
	must(t, s.View(ctx, func(tx store.Tx) error {
		_, err := tx.GetStateMachine("sm")
		return err
	}))
}
