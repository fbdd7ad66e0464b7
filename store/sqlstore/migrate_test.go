package sqlstore_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hsc-dev/hsc/store"
	"github.com/hsc-dev/hsc/store/sqlstore"
)

// A database of schema version 1 (issue 11's records, no tasks) is
// migrated by Open, keeping its records.
func TestMigrationFromVersion1(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(dir, 0o700))
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlstore.DBFile))
	must(t, err)
	must(t, sqlstore.Migrate(ctx, db, 1))
	// Rows as version 1 wrote them.
	for _, q := range []string{
		`INSERT INTO state_machines (arn, doc) VALUES ('sm', '{"ARN":"sm","Name":"m","Definition":"def"}')`,
		`INSERT INTO definitions (hash, text) VALUES (x'00', 'def')`,
		`INSERT INTO executions (arn, machine, version, alias, status, stop, event_count, def_hash, doc)
			VALUES ('ex', 'sm', '', '', 'RUNNING', 0, 1, x'00', '{"ARN":"ex","Status":"RUNNING"}')`,
		`INSERT INTO events (exec, id, doc) VALUES (1, 1, '{"id":1}')`,
	} {
		_, err := db.Exec(q)
		must(t, err)
	}
	if _, err := db.Exec(`SELECT * FROM tasks`); err == nil {
		t.Fatal("version 1 already has tasks")
	}
	must(t, db.Close())

	s := open(t, dir, sqlstore.Options{})
	must(t, s.Update(ctx, func(tx store.Tx) error {
		e, err := tx.GetExecution("ex")
		if err != nil {
			return err
		}
		if e.Definition != "def" || e.EventCount != 1 || e.Status != store.StatusRunning {
			t.Errorf("migrated execution %+v", e)
		}
		if _, err := tx.GetStateMachine("sm"); err != nil {
			return err
		}
		// What version 2 added works on the migrated data.
		if err := tx.PutTask(&store.Task{Token: "tok", ExecutionARN: "ex"}); err != nil {
			return err
		}
		return tx.AppendEvents("ex", []store.Event{{ID: 2, JSON: []byte("{}")}})
	}))
	var got int
	must(t, s.Close())
	db, err = sql.Open("sqlite", filepath.Join(dir, sqlstore.DBFile))
	must(t, err)
	defer db.Close()
	must(t, db.QueryRow(`SELECT version FROM schema_version`).Scan(&got))
	if got != sqlstore.SchemaVersion {
		t.Errorf("schema version after Open: %d, want %d", got, sqlstore.SchemaVersion)
	}
}

// --sync full reaches SQLite; the default is NORMAL, in WAL mode.
func TestSyncModes(t *testing.T) {
	for _, tc := range []struct {
		sync sqlstore.Sync
		want string
	}{{sqlstore.SyncNormal, "1"}, {sqlstore.SyncFull, "2"}} {
		s := open(t, t.TempDir(), sqlstore.Options{Sync: tc.sync})
		got, err := s.Pragma(ctx, "synchronous")
		must(t, err)
		mode, err := s.Pragma(ctx, "journal_mode")
		must(t, err)
		if got != tc.want || mode != "wal" {
			t.Errorf("sync %v: synchronous=%s journal_mode=%s, want %s and wal", tc.sync, got, mode, tc.want)
		}
	}
}

// A database of schema version 2 (no map runs) is migrated to version 3,
// keeping its executions, tasks and checkpoints; map runs then work on
// the migrated data, and deleting a migrated execution deletes its runs.
func TestMigrationFromVersion2(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlstore.DBFile))
	must(t, err)
	must(t, sqlstore.Migrate(ctx, db, 2))
	for _, q := range []string{
		`INSERT INTO definitions (hash, text) VALUES (x'00', 'def')`,
		`INSERT INTO executions (arn, machine, version, alias, status, stop, event_count, def_hash, doc, checkpoint)
			VALUES ('ex', 'sm', '', '', 'SUCCEEDED', 5, 1, x'00', '{"ARN":"ex","Status":"SUCCEEDED"}', x'0102')`,
		`INSERT INTO events (exec, id, doc) VALUES (1, 1, '{"id":1}')`,
		`INSERT INTO tasks (token, exec, activity, handed_out, doc) VALUES ('tok', 1, '', 0, '{"Token":"tok","ExecutionARN":"ex"}')`,
	} {
		_, err := db.Exec(q)
		must(t, err)
	}
	if _, err := db.Exec(`SELECT * FROM map_runs`); err == nil {
		t.Fatal("version 2 already has map runs")
	}
	must(t, db.Close())

	s := open(t, dir, sqlstore.Options{})
	must(t, s.Update(ctx, func(tx store.Tx) error {
		e, err := tx.GetExecution("ex")
		if err != nil {
			return err
		}
		if e.Definition != "def" || e.EventCount != 1 || e.Status != store.StatusSucceeded {
			t.Errorf("migrated execution %+v", e)
		}
		if cp, err := tx.Checkpoint("ex"); err != nil || string(cp) != "\x01\x02" {
			t.Errorf("migrated checkpoint %q, %v", cp, err)
		}
		if _, err := tx.GetTask("tok"); err != nil {
			return err
		}
		if err := tx.PutMapRun(&store.MapRun{ARN: "run", ExecutionARN: "ex", RootARN: "ex", Status: store.StatusSucceeded}); err != nil {
			return err
		}
		if err := tx.PutMapRunChild(&store.MapRunChild{ARN: "run:c", MapRunARN: "run", Seq: 1, Status: store.StatusSucceeded}); err != nil {
			return err
		}
		return tx.AppendMapRunChildEvents("run:c", []store.Event{{ID: 1, JSON: []byte("{}")}})
	}))
	must(t, s.Update(ctx, func(tx store.Tx) error { return tx.DeleteExecution("ex") }))
	must(t, s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetMapRun("run"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("map run of a deleted execution: %v", err)
		}
		return nil
	}))
	must(t, s.Close())
	db, err = sql.Open("sqlite", filepath.Join(dir, sqlstore.DBFile))
	must(t, err)
	defer db.Close()
	var got, rows int
	must(t, db.QueryRow(`SELECT version FROM schema_version`).Scan(&got))
	if got != 3 || sqlstore.SchemaVersion != 3 {
		t.Errorf("schema version after Open: %d (SchemaVersion %d), want 3", got, sqlstore.SchemaVersion)
	}
	must(t, db.QueryRow(`SELECT (SELECT count(*) FROM map_runs) + (SELECT count(*) FROM map_run_children) + (SELECT count(*) FROM map_child_events)`).Scan(&rows))
	if rows != 0 {
		t.Errorf("%d map run rows left after deleting their execution", rows)
	}
}
