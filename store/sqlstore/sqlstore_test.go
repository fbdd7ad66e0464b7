package sqlstore_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hsc-dev/hsc/internal/testenv"
	"github.com/hsc-dev/hsc/store"
	"github.com/hsc-dev/hsc/store/sqlstore"
	"github.com/hsc-dev/hsc/store/storetest"
)

var ctx = context.Background()

// envHold makes the test binary a process that opens the store in the
// named directory, says so on stdout and holds it until killed.
const envHold = "HSC_SQLSTORE_TEST_HOLD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(envHold); dir != "" {
		if _, err := sqlstore.Open(ctx, dir, sqlstore.Options{}); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("open")
		select {} // until killed
	}
	testenv.Main(m)
}

func open(t testing.TB, dir string, opts sqlstore.Options) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlstore.Open(ctx, t.TempDir(), sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A second Open of a data directory in use fails clearly, in this process
// and from another; a killed holder releases it.
func TestDataDirectoryLock(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, sqlstore.Options{})
	_, err := sqlstore.Open(ctx, dir, sqlstore.Options{})
	if !errors.Is(err, sqlstore.ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second Open in the same process: %v, want ErrLocked naming %s", err, dir)
	}
	must(t, s.Close())
	// Released by Close.
	s2 := open(t, dir, sqlstore.Options{})
	must(t, s2.Close())

	// Another process holds it.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envHold+"="+dir)
	out, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "open\n" {
		t.Fatalf("holder process: %q", line)
	}
	_, err = sqlstore.Open(ctx, dir, sqlstore.Options{})
	if !errors.Is(err, sqlstore.ErrLocked) {
		t.Fatalf("Open while another process holds the directory: %v, want ErrLocked", err)
	}
	t.Logf("the error: %v", err)
	// SIGKILL: the system releases the lock with the process.
	must(t, cmd.Process.Kill())
	cmd.Wait()
	s3 := open(t, dir, sqlstore.Options{})
	must(t, s3.View(ctx, func(store.Tx) error { return nil }))
}

// What one Open committed, the next one reads.
func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	s, err := sqlstore.Open(ctx, dir, sqlstore.Options{Sync: sqlstore.SyncFull})
	must(t, err)
	must(t, s.Update(ctx, func(tx store.Tx) error {
		return errors.Join(
			tx.CreateStateMachine(&store.StateMachine{ARN: "sm", Name: "m", Definition: "def"}),
			tx.CreateExecution(&store.Execution{ARN: "ex", StateMachineARN: "sm", Status: store.StatusRunning, Definition: "def"}),
			tx.AppendEvents("ex", []store.Event{{ID: 1, JSON: []byte(`{"type":"ExecutionStarted"}`)}}),
			tx.PutTask(&store.Task{Token: "tok", ExecutionARN: "ex", ActivityARN: "act"}),
			tx.PutCheckpoint("ex", []byte("cp")))
	}))
	must(t, s.Close())
	s = open(t, dir, sqlstore.Options{})
	must(t, s.View(ctx, func(tx store.Tx) error {
		e, err := tx.GetExecution("ex")
		if err != nil {
			return err
		}
		if e.Definition != "def" || e.EventCount != 1 {
			t.Errorf("execution after reopening: %+v", e)
		}
		evs, _, err := tx.Events("ex", false, store.Page{Limit: 10})
		if len(evs) != 1 || string(evs[0].JSON) != `{"type":"ExecutionStarted"}` {
			t.Errorf("events after reopening: %v", evs)
		}
		tk, err2 := tx.GetTask("tok")
		cp, err3 := tx.Checkpoint("ex")
		if tk == nil || tk.ActivityARN != "act" || string(cp) != "cp" {
			t.Errorf("task %+v, checkpoint %q after reopening", tk, cp)
		}
		return errors.Join(err, err2, err3)
	}))
}

func TestSchemaFromANewerHscIsRefused(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, sqlstore.Options{})
	must(t, s.Close())
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlstore.DBFile))
	must(t, err)
	_, err = db.Exec(`UPDATE schema_version SET version = ?`, sqlstore.SchemaVersion+1)
	must(t, errors.Join(err, db.Close()))
	_, err = sqlstore.Open(ctx, dir, sqlstore.Options{})
	if !errors.Is(err, sqlstore.ErrNewerSchema) {
		t.Fatalf("Open of a newer schema: %v, want ErrNewerSchema", err)
	}
	want := fmt.Sprintf("schema version %d; this hsc reads versions up to %d", sqlstore.SchemaVersion+1, sqlstore.SchemaVersion)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	// Refusing changed nothing: the version is still the newer one.
	db, err = sql.Open("sqlite", filepath.Join(dir, sqlstore.DBFile))
	must(t, err)
	defer db.Close()
	var v int
	must(t, db.QueryRow(`SELECT version FROM schema_version`).Scan(&v))
	if v != sqlstore.SchemaVersion+1 {
		t.Errorf("schema version %d after a refused Open", v)
	}
}

// Deleting executions and compacting gives the space back to the file
// system (auto_vacuum=INCREMENTAL, then a truncated log).
func TestCompactGivesSpaceBack(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, sqlstore.Options{})
	size := func() int64 {
		var n int64
		for _, f := range []string{sqlstore.DBFile, sqlstore.DBFile + "-wal"} {
			if fi, err := os.Stat(filepath.Join(dir, f)); err == nil {
				n += fi.Size()
			}
		}
		return n
	}
	event := []byte(`{"details":"` + strings.Repeat("x", 2000) + `"}`)
	stop := time.Unix(1000, 0)
	for i := range 500 {
		arn := fmt.Sprintf("ex%04d", i)
		must(t, s.Update(ctx, func(tx store.Tx) error {
			if err := tx.CreateExecution(&store.Execution{ARN: arn, Status: store.StatusSucceeded, Stop: stop, Definition: "def"}); err != nil {
				return err
			}
			return tx.AppendEvents(arn, []store.Event{{ID: 1, JSON: event}, {ID: 2, JSON: event}})
		}))
	}
	must(t, s.Compact(ctx, 0))
	full := size()
	for {
		var n int
		must(t, s.Update(ctx, func(tx store.Tx) (err error) { n, err = tx.PurgeFinished(stop.Add(time.Second), 100); return err }))
		if n == 0 {
			break
		}
	}
	must(t, s.Compact(ctx, 0))
	if after := size(); after*4 > full {
		t.Errorf("%d bytes after deleting everything and compacting, %d before", after, full)
	} else {
		t.Logf("%d bytes → %d", full, after)
	}
}

// TestDefinitionsStoredOnce: the store remembers which definitions it
// holds so that executions do not insert theirs again; a definition that
// a purge deleted, or that a failed Update inserted, is stored again by
// the next execution that runs it, which then reads back whole.
func TestDefinitionsStoredOnce(t *testing.T) {
	s := open(t, t.TempDir(), sqlstore.Options{})
	const def = `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`
	const other = `{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}`
	create := func(arn, definition string) error {
		return s.Update(ctx, func(tx store.Tx) error {
			return tx.CreateExecution(&store.Execution{ARN: arn, Status: store.StatusRunning, Definition: definition, Start: time.Now()})
		})
	}
	check := func(arn, want string) {
		t.Helper()
		err := s.View(ctx, func(tx store.Tx) error {
			e, err := tx.GetExecution(arn)
			if err == nil && e.Definition != want {
				err = fmt.Errorf("definition %q, want %q", e.Definition, want)
			}
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", arn, err)
		}
	}
	if err := create("e1", def); err != nil {
		t.Fatal(err)
	}
	// e1 ends and is purged with its definition.
	err := s.Update(ctx, func(tx store.Tx) error {
		e, err := tx.GetExecution("e1")
		if err != nil {
			return err
		}
		e.Status, e.Stop = store.StatusSucceeded, time.Now().Add(-time.Hour)
		return tx.PutExecution(e)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		n, err := tx.PurgeFinished(time.Now(), 10)
		if err == nil && n != 1 {
			err = fmt.Errorf("purged %d, want 1", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := create("e2", def); err != nil {
		t.Fatal(err)
	}
	check("e2", def)
	// An Update that inserts a definition and fails keeps nothing.
	failed := errors.New("refused")
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateExecution(&store.Execution{ARN: "e3", Status: store.StatusRunning, Definition: other, Start: time.Now()}); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("Update: %v, want %v", err, failed)
	}
	if err := create("e4", other); err != nil {
		t.Fatal(err)
	}
	check("e4", other)
}
