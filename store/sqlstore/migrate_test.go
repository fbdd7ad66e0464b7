package sqlstore_test

import (
	"database/sql"
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
