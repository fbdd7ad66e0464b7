package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// migrations[i] brings a database from schema version i to i+1. A
// migration is only ever appended: a released one never changes.
var migrations = []string{
	// 1: records of issue 11's interface.
	`
CREATE TABLE state_machines (arn TEXT PRIMARY KEY, doc BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE versions (arn TEXT PRIMARY KEY, machine TEXT NOT NULL, number INTEGER NOT NULL, doc BLOB NOT NULL) WITHOUT ROWID;
CREATE INDEX versions_by_machine ON versions (machine, number);
CREATE TABLE aliases (arn TEXT PRIMARY KEY, machine TEXT NOT NULL, doc BLOB NOT NULL) WITHOUT ROWID;
CREATE INDEX aliases_by_machine ON aliases (machine, arn);
CREATE TABLE activities (arn TEXT PRIMARY KEY, doc BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE tags (arn TEXT PRIMARY KEY, doc BLOB NOT NULL) WITHOUT ROWID;
-- Definitions are kept once however many executions run them.
CREATE TABLE definitions (hash BLOB PRIMARY KEY, text TEXT NOT NULL) WITHOUT ROWID;
-- seq orders executions by creation; AUTOINCREMENT never reuses one, so
-- a listing cursor stays valid after deletions.
CREATE TABLE executions (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	arn TEXT NOT NULL UNIQUE,
	machine TEXT NOT NULL,
	version TEXT NOT NULL,
	alias TEXT NOT NULL,
	status TEXT NOT NULL,
	stop INTEGER NOT NULL, -- Unix nanoseconds; 0 while running
	event_count INTEGER NOT NULL,
	def_hash BLOB NOT NULL,
	doc BLOB NOT NULL
);
CREATE INDEX executions_by_machine ON executions (machine, seq);
CREATE INDEX executions_by_status ON executions (status, seq);
CREATE INDEX executions_by_def ON executions (def_hash);
CREATE TABLE events (exec INTEGER NOT NULL, id INTEGER NOT NULL, doc BLOB NOT NULL, PRIMARY KEY (exec, id)) WITHOUT ROWID;
`,
	// 2: what resuming running executions needs (tasks, checkpoints) and
	// the retention index.
	`
ALTER TABLE executions ADD COLUMN checkpoint BLOB;
CREATE INDEX executions_by_stop ON executions (stop) WHERE status <> 'RUNNING';
CREATE TABLE tasks (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	token TEXT NOT NULL UNIQUE,
	exec INTEGER NOT NULL,
	activity TEXT NOT NULL,
	handed_out INTEGER NOT NULL,
	doc BLOB NOT NULL
);
CREATE INDEX tasks_by_exec ON tasks (exec, seq);
CREATE INDEX tasks_by_activity ON tasks (activity, seq);
`,
	// 3: map runs, their child executions and the children's histories
	// (issue 11/12: what DescribeMapRun and the children's APIs show).
	`
CREATE TABLE map_runs (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	arn TEXT NOT NULL UNIQUE,
	parent TEXT NOT NULL,
	root TEXT NOT NULL,
	doc BLOB NOT NULL
);
CREATE INDEX map_runs_by_parent ON map_runs (parent, seq);
CREATE INDEX map_runs_by_root ON map_runs (root);
CREATE TABLE map_run_children (
	run INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	arn TEXT NOT NULL UNIQUE,
	status TEXT NOT NULL,
	event_count INTEGER NOT NULL,
	doc BLOB NOT NULL,
	PRIMARY KEY (run, seq)
) WITHOUT ROWID;
CREATE INDEX map_run_children_by_status ON map_run_children (run, status, seq);
CREATE TABLE map_child_events (child TEXT NOT NULL, id INTEGER NOT NULL, doc BLOB NOT NULL, PRIMARY KEY (child, id)) WITHOUT ROWID;
`,
}

// SchemaVersion is the schema version this package writes.
var SchemaVersion = len(migrations)

// ErrNewerSchema is returned by Open for a database written by a newer
// hsc; test with errors.Is.
var ErrNewerSchema = errors.New("the data directory was written by a newer hsc")

// migrate brings the database to version target (at most
// len(migrations)) in one transaction.
func migrate(ctx context.Context, db *sql.DB, target int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return err
	}
	var v int
	switch err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v); {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version VALUES (0)`); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("%w (schema version %d; this hsc reads versions up to %d): use that hsc, or another --data folder", ErrNewerSchema, v, len(migrations))
	}
	if v >= target {
		return nil
	}
	for i := v; i < target; i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, target); err != nil {
		return err
	}
	return tx.Commit()
}
