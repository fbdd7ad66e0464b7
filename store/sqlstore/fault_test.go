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
	"sync"
	"testing"
	"time"

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
	writesAgain(t, s, dir)
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

// The file system under an open store turns read-only, as a disk does
// on an I/O error (ext4 with errors=remount-ro; a tmpfs cannot be made
// read-only while SQLite holds its files open). Every write from then on
// fails with ErrUnavailable (the server's 503), none hangs, reads of what
// SQLite has go on, and Close returns. After e2fsck and a remount the
// store opens uncorrupted: with SyncFull everything acknowledged before
// the fault is there; with SyncNormal what was not yet on disk may be
// lost (the file system drops what was not fsynced, as in a power loss),
// but what a checkpoint synced is there and every execution there is
// whole. A write acknowledged while the fault is being made may be lost
// in either mode: the kernel can report an fsync under way as done and
// drop its data when the journal is aborted (testenv.Ext4.Fail).
func TestReadOnlyWhileOpen(t *testing.T) {
	for _, tc := range []struct {
		name string
		sync sqlstore.Sync
	}{{"sync=full", sqlstore.SyncFull}, {"sync=normal", sqlstore.SyncNormal}} {
		t.Run(tc.name, func(t *testing.T) {
			fs := testenv.MountExt4(t, 256<<20)
			dir := filepath.Join(fs.Dir, "data")
			s, err := sqlstore.Open(ctx, dir, sqlstore.Options{Sync: tc.sync})
			must(t, err)
			// Written and checkpointed (Compact, which retention runs
			// now and then, checkpoints into the database and syncs it):
			// on disk in both modes.
			var early []string
			for i := range 50 {
				arn := fmt.Sprintf("early-%03d", i)
				must(t, s.Update(ctx, func(tx store.Tx) error {
					return tx.CreateExecution(&store.Execution{ARN: arn, StateMachineARN: "m", Status: store.StatusRunning})
				}))
				early = append(early, arn)
			}
			must(t, s.Compact(ctx, 0))
			const writers = 4
			var (
				mu       sync.Mutex
				acked    []string
				ackAt    = map[string]time.Time{}
				faultAt  time.Time
				failures []error
			)
			faulted := make(chan struct{})
			var wg sync.WaitGroup
			for g := range writers {
				wg.Go(func() {
					fails := 0
					for i := 0; fails < 5; i++ {
						arn := fmt.Sprintf("ex-%d-%05d", g, i)
						err := s.Update(ctx, func(tx store.Tx) error {
							if err := tx.CreateExecution(&store.Execution{ARN: arn, StateMachineARN: "m", Status: store.StatusRunning, Definition: "def"}); err != nil {
								return err
							}
							return tx.AppendEvents(arn, []store.Event{{ID: 1, JSON: []byte(`{"type":"ExecutionStarted"}`)}, {ID: 2, JSON: []byte(`{"type":"PassStateEntered"}`)}})
						})
						mu.Lock()
						if err == nil {
							acked = append(acked, arn)
							ackAt[arn] = time.Now()
						} else {
							failures = append(failures, err)
							fails++
						}
						mu.Unlock()
						if err != nil {
							select {
							case <-faulted:
							default:
								t.Errorf("a write failed before the fault: %v", err)
								return
							}
						}
					}
				})
			}
			began := time.Now()
			for {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				// Long enough for the background checkpoints to run.
				if n >= 300 && time.Since(began) > time.Second {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			close(faulted)
			faultAt = time.Now()
			fs.Fail()
			writesDone := make(chan struct{})
			go func() { wg.Wait(); close(writesDone) }()
			select {
			case <-writesDone:
			case <-time.After(30 * time.Second):
				t.Fatal("writes on the read-only file system did not all return within 30 s")
			}
			mu.Lock()
			defer mu.Unlock()
			for _, err := range failures {
				if !errors.Is(err, store.ErrUnavailable) {
					t.Errorf("write on a read-only file system: %v, want ErrUnavailable", err)
				}
			}
			t.Logf("%d writes acknowledged; then, e.g.: %v", len(acked), failures[0])
			// Reads: SQLite reads what is in the file (a read may itself
			// fail when it has to touch the log's index; never with
			// anything but ErrUnavailable).
			err = s.View(ctx, func(tx store.Tx) error {
				_, err := tx.GetExecution(acked[0])
				return err
			})
			if err != nil && !errors.Is(err, store.ErrUnavailable) {
				t.Errorf("read on a read-only file system: %v", err)
			}
			t.Logf("a read after the fault: %v", err)
			closed := make(chan error, 1)
			go func() { closed <- s.Close() }()
			select {
			case err := <-closed:
				if err != nil && !errors.Is(err, store.ErrUnavailable) {
					t.Errorf("Close on a read-only file system: %v", err)
				}
				t.Logf("Close: %v", err)
			case <-time.After(30 * time.Second):
				t.Fatal("Close on a read-only file system did not return within 30 s")
			}

			fs.Repair()
			s = open(t, dir, sqlstore.Options{Sync: tc.sync})
			present, window, lost := 0, 0, 0
			must(t, s.View(ctx, func(tx store.Tx) error {
				for _, arn := range acked {
					during := ackAt[arn].After(faultAt)
					if during {
						window++
					}
					e, err := tx.GetExecution(arn)
					if errors.Is(err, store.ErrNotFound) && (tc.sync == sqlstore.SyncNormal || during) {
						lost++
						continue
					}
					if err != nil {
						return fmt.Errorf("%s, acknowledged before the fault: %w", arn, err)
					}
					present++
					evs, _, err := tx.Events(arn, false, store.Page{Limit: 10})
					if err != nil {
						return err
					}
					if e.EventCount != 2 || len(evs) != 2 {
						t.Errorf("%s: %d events (count %d), want 2", arn, len(evs), e.EventCount)
					}
				}
				for _, arn := range early {
					if _, err := tx.GetExecution(arn); err != nil {
						return fmt.Errorf("%s, checkpointed before the fault: %w", arn, err)
					}
				}
				return nil
			}))
			t.Logf("after e2fsck: %d of %d acknowledged executions there, %d missing (%d acknowledged while the fault was made)", present, len(acked), lost, window)
			writesAgain(t, s, dir)
		})
	}
}

// When a full disk has room again, the open store writes again: the
// failed transactions left the writer usable (no reopen, as a server that
// keeps running needs), and the data is whole.
func TestDiskFullThenRoom(t *testing.T) {
	dir := mountTmpfs(t, "1m")
	s, err := sqlstore.Open(ctx, dir, sqlstore.Options{})
	must(t, err)
	event := []byte(`{"details":"` + strings.Repeat("x", 4000) + `"}`)
	var acked []string
	for i := 0; ; i++ {
		arn := fmt.Sprintf("ex%04d", i)
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.CreateExecution(&store.Execution{ARN: arn, StateMachineARN: "m", Status: store.StatusRunning}); err != nil {
				return err
			}
			return tx.AppendEvents(arn, []store.Event{{ID: 1, JSON: event}, {ID: 2, JSON: event}})
		})
		if err != nil {
			if !errors.Is(err, store.ErrUnavailable) {
				t.Fatalf("write on a full disk: %v, want ErrUnavailable", err)
			}
			break
		}
		acked = append(acked, arn)
		if i > 10000 {
			t.Fatal("a 1 MiB tmpfs never filled up")
		}
	}
	remount(t, dir, "size=16m")
	for i := range 20 {
		arn := fmt.Sprintf("after%02d", i)
		if err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.CreateExecution(&store.Execution{ARN: arn, StateMachineARN: "m", Status: store.StatusRunning}); err != nil {
				return err
			}
			return tx.AppendEvents(arn, []store.Event{{ID: 1, JSON: event}})
		}); err != nil {
			t.Fatalf("write %d after the disk has room again: %v", i, err)
		}
		acked = append(acked, arn)
	}
	must(t, s.View(ctx, func(tx store.Tx) error {
		for _, arn := range acked {
			if _, err := tx.GetExecution(arn); err != nil {
				return fmt.Errorf("%s: %w", arn, err)
			}
		}
		return nil
	}))
	must(t, s.Close())
	integrity(t, dir)
}

// writesAgain checks that the store s in dir takes a write after its
// fault, and that, closed, it passes the integrity check.
func writesAgain(t *testing.T, s *sqlstore.Store, dir string) {
	t.Helper()
	must(t, s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateExecution(&store.Execution{ARN: "after", Status: store.StatusRunning})
	}))
	must(t, s.Close())
	integrity(t, dir)
}
