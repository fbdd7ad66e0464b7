// Package sqlstore is the durable implementation of store.Store: an
// embedded SQLite database (modernc.org/sqlite, pure Go, no cgo) in a data
// directory that one process at a time may open.
//
// Every Update runs in a SQLite transaction in WAL mode: once it returns
// nil its writes survive a crash of the process (synchronous=NORMAL) or,
// with SyncFull, a power loss too. One writer at a time: an Update that
// finds none commits in its own goroutine, and Updates that arrive while
// another writes are committed together next (group commit), each inside
// its own savepoint, so one's failure undoes only its writes; none is
// answered before the commit. Views read concurrently (a bounded number
// at a time) from read-only connections; the log is checkpointed in the
// background. Records are kept as JSON documents beside
// the columns the listings filter and order on; history events as the
// JSON they were given, one row each, read a page at a time. The schema
// has a version and migrations; a database written by a newer hsc is
// refused. Failures of the storage itself (disk full, read-only file
// system, I/O errors) come back wrapping store.ErrUnavailable.
//
// It knows the store's records and SQLite, nothing of the wire protocol
// or of how executions run.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hsc-dev/hsc/store"
)

// File names inside the data directory.
const (
	DBFile   = "hsc.db"
	LockFile = "LOCK"
)

// Sync says when SQLite waits for the disk.
type Sync int

const (
	// SyncNormal (the default) keeps every committed transaction across a
	// crash of the process; a power loss may undo the last ones.
	SyncNormal Sync = iota
	// SyncFull waits for the disk at every commit: committed transactions
	// also survive a power loss, at the cost of an fsync per commit.
	SyncFull
)

// Options configure Open.
type Options struct {
	Sync Sync
	// BusyTimeout is how long a statement waits for a lock (0: 5 s).
	BusyTimeout time.Duration
	// Readers bounds the Views that run at a time (0: 16).
	Readers int
	// Logger receives what the store does in the background; nil
	// discards it.
	Logger *slog.Logger
}

// ErrLocked is returned by Open when another Store (in this process or
// another) has the data directory open; test with errors.Is.
var ErrLocked = errors.New("the data directory is in use by another hsc")

var errLocked = ErrLocked

// Store is a store.Store in a SQLite database.
type Store struct {
	dir  string
	lock *os.File
	w    *sql.DB // written by one writer at a time (wmu)
	// Updates wait in queue (guarded by qmu) for the writer: whoever
	// holds wmu. An Update that finds no writer becomes it and commits
	// the queue itself; the committer goroutine takes over what is
	// queued while another writes (kick), and closes committed when it
	// has ended.
	wmu       sync.Mutex
	qmu       sync.Mutex
	queue     []*request
	kick      chan struct{}
	committed chan struct{}
	readers   chan struct{} // a semaphore: Views running
	// stopCheckpoints ends the checkpointer, which closes checkpointed.
	stopCheckpoints, checkpointed chan struct{}
	r                             *sql.DB // read-only connections for View
	log                           *slog.Logger

	mu     sync.RWMutex // guards closed against Close
	closed bool
	// stmts caches prepared statements by text, per pool.
	stmtMu sync.Mutex
	stmts  map[stmtKey]*sql.Stmt
	// defs holds hashes of definitions known to be stored (committed),
	// so that an execution's write need not insert its definition again.
	defsMu sync.Mutex
	defs   map[[16]byte]struct{}
}

// maxKnownDefs bounds Store.defs.
const maxKnownDefs = 4096

func (s *Store) knownDef(h [16]byte) bool {
	s.defsMu.Lock()
	defer s.defsMu.Unlock()
	_, ok := s.defs[h]
	return ok
}

// learnDefs records definitions a committed transaction stored.
func (s *Store) learnDefs(hs [][16]byte) {
	if len(hs) == 0 {
		return
	}
	s.defsMu.Lock()
	defer s.defsMu.Unlock()
	if s.defs == nil || len(s.defs) >= maxKnownDefs {
		s.defs = map[[16]byte]struct{}{}
	}
	for _, h := range hs {
		s.defs[h] = struct{}{}
	}
}

// forgetDefs forgets every known definition: a transaction deletes some
// (whether or not it commits, none is known stored any more).
func (s *Store) forgetDefs() {
	s.defsMu.Lock()
	s.defs = nil
	s.defsMu.Unlock()
}

type stmtKey struct {
	write bool
	q     string
}

// Open opens (creating it if needed) the store in dir, takes the
// directory's lock and migrates the schema.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sqlstore: data directory: %w", unavailable(err))
	}
	lf, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: data directory %s: %w", dir, unavailable(err))
	}
	if err := lockFile(lf); err != nil {
		lf.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("sqlstore: %s: %w (only one hsc serve may use a data directory; stop the other or choose another --data)", dir, ErrLocked)
		}
		return nil, fmt.Errorf("sqlstore: locking %s: %w", dir, err)
	}
	s, err := open(ctx, dir, lf, opts)
	if err != nil {
		lf.Close()
		return nil, err
	}
	return s, nil
}

func dsn(path string, opts Options, write bool) string {
	bt := opts.BusyTimeout
	if bt <= 0 {
		bt = 5 * time.Second
	}
	sync := "NORMAL"
	if opts.Sync == SyncFull {
		sync = "FULL"
	}
	q := url.Values{}
	q.Set("_busy_timeout", strconv.FormatInt(bt.Milliseconds(), 10))
	q.Set("_synchronous", sync)
	if write {
		// journal_mode and auto_vacuum are set once, by Open: setting
		// them takes a lock a connection opened during a transaction
		// would not get.
		q.Set("_txlock", "immediate")
		// No checkpoint at commit (it waits for the disk): Store.checkpoint
		// runs them in the background. The log is cut back to 64 MiB
		// after one.
		q.Add("_pragma", "wal_autocheckpoint(0)")
		q.Add("_pragma", "journal_size_limit(67108864)")
	} else {
		q.Set("_query_only", "1")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

func open(ctx context.Context, dir string, lf *os.File, opts Options) (*Store, error) {
	path := filepath.Join(dir, DBFile)
	w, err := sql.Open("sqlite", dsn(path, opts, true))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	// One writer at a time (wmu: an Update that found none, or the
	// committer goroutine); the second connection only prepares
	// statements for the first while it is in a transaction.
	w.SetMaxOpenConns(2)
	w.SetMaxIdleConns(2)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	// auto_vacuum only takes effect on a new database: it lets Compact
	// give freed pages back to the file system.
	err = errors.Join(execPragma(ctx, w, "PRAGMA auto_vacuum = INCREMENTAL"), execPragma(ctx, w, "PRAGMA journal_mode = WAL"))
	if err == nil {
		err = migrate(ctx, w, len(migrations))
	}
	if err != nil {
		w.Close()
		if errors.Is(err, ErrNewerSchema) {
			return nil, fmt.Errorf("sqlstore: %s: %w", path, err)
		}
		return nil, fmt.Errorf("sqlstore: opening %s: %w", path, unavailable(err))
	}
	r, err := sql.Open("sqlite", dsn(path, opts, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	n := opts.Readers
	if n <= 0 {
		n = 16
	}
	// Store.readers bounds the Views at a time; the pool is not bounded
	// because a View that prepares a statement takes a second connection
	// while it holds one.
	r.SetMaxIdleConns(2 * n)
	r.SetConnMaxIdleTime(time.Minute)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{dir: dir, lock: lf, w: w, r: r, log: log, stmts: map[stmtKey]*sql.Stmt{},
		kick: make(chan struct{}, 1), committed: make(chan struct{}), readers: make(chan struct{}, n),
		stopCheckpoints: make(chan struct{}), checkpointed: make(chan struct{})}
	go s.commit()
	go s.checkpoint()
	return s, nil
}

func execPragma(ctx context.Context, db *sql.DB, q string) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	return errors.Join(rows.Err(), rows.Close())
}

// Dir is the data directory.
func (s *Store) Dir() string { return s.dir }

var errClosed = fmt.Errorf("sqlstore: store is closed: %w", store.ErrUnavailable)

// Update runs fn in a read-write transaction and commits it.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, true, fn)
}

// View runs fn in a read-only transaction.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, false, fn)
}

func (s *Store) run(ctx context.Context, write bool, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	if write {
		r := &request{ctx: ctx, fn: fn, done: make(chan error, 1)}
		s.qmu.Lock()
		s.queue = append(s.queue, r)
		s.qmu.Unlock()
		// No writer: commit what is queued (r with it) here rather than
		// hand it to the committer goroutine and wait to be scheduled
		// back.
		if s.wmu.TryLock() {
			s.writeQueued(1)
		}
		return <-r.done
	}
	// A bounded number of readers at a time: each holds a connection and
	// a read mark in the log. (16 measured faster than 4 with 16 clients:
	// queueing here cost more than SQLite's retries for a read mark.)
	select {
	case s.readers <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.readers }()
	sqltx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return wrap(err)
	}
	defer sqltx.Rollback()
	return fn(&tx{s: s, tx: sqltx, ctx: ctx})
}

// checkpointEvery is how often the log is copied into the database.
const checkpointEvery = 500 * time.Millisecond

// checkpoint copies the write-ahead log into the database now and then,
// beside the committer (a passive checkpoint waits for no one), so that
// commits never wait for the disk.
func (s *Store) checkpoint() {
	defer close(s.checkpointed)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	failing := false // logged once, not every tick while the disk stays full or read-only
	for {
		select {
		case <-s.stopCheckpoints:
			return
		case <-tick.C:
		}
		err := execPragma(context.Background(), s.w, "PRAGMA wal_checkpoint(PASSIVE)")
		switch {
		case err != nil && !failing:
			s.log.Warn("checkpoint of the store's log failed; retrying", "err", err)
		case err == nil && failing:
			s.log.Info("checkpoint of the store's log works again")
		}
		failing = err != nil
	}
}

// request is one Update waiting for the committer.
type request struct {
	ctx  context.Context
	fn   func(store.Tx) error
	done chan error
}

// maxBatch bounds the Updates committed together.
const maxBatch = 256

// commit is the committer goroutine: it commits what Updates queued
// while another was writing.
func (s *Store) commit() {
	defer close(s.committed)
	for range s.kick {
		s.wmu.Lock()
		s.writeQueued(-1)
	}
}

// writeQueued commits queued Updates, up to batches groups (-1: until
// none is left), then releases the writer lock it is called with. Each
// group's Updates run in one SQLite transaction (group commit), each
// inside a savepoint so that one's failure undoes only its own writes;
// until the commit succeeds no caller is answered, so nothing is
// acknowledged before it is durable. What is still queued after the lock
// is released goes to the committer goroutine: an Update that queued
// while the lock was held relies on it.
func (s *Store) writeQueued(batches int) {
	for ; batches != 0; batches-- {
		s.qmu.Lock()
		n := min(len(s.queue), maxBatch)
		batch := slices.Clone(s.queue[:n])
		s.queue = s.queue[:copy(s.queue, s.queue[n:])]
		s.qmu.Unlock()
		if n == 0 {
			break
		}
		s.runBatch(batch)
	}
	s.wmu.Unlock()
	s.qmu.Lock()
	more := len(s.queue) > 0
	s.qmu.Unlock()
	if more {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

func (s *Store) runBatch(batch []*request) {
	errs := make([]error, len(batch))
	answer := func() {
		for i, r := range batch {
			r.done <- errs[i]
		}
	}
	fail := func(err error) {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
		answer()
	}
	// Statements run without the callers' cancellation: interrupting one
	// would roll back the whole batch.
	bg := context.Background()
	sqltx, err := s.w.BeginTx(bg, nil)
	if err != nil {
		fail(wrap(err))
		return
	}
	if len(batch) == 1 {
		// Alone: the transaction is its own, no savepoint needed.
		r := batch[0]
		if err := r.ctx.Err(); err != nil {
			sqltx.Rollback()
			fail(err)
			return
		}
		t := &tx{s: s, tx: sqltx, ctx: context.WithoutCancel(r.ctx), write: true}
		if err := r.fn(t); err != nil {
			sqltx.Rollback()
			fail(err)
			return
		}
		if err := sqltx.Commit(); err != nil {
			sqltx.Rollback()
			fail(wrap(err))
			return
		}
		s.learnDefs(t.newDefs)
		answer()
		return
	}
	// Savepoint statements, prepared once like the others.
	ctl := &tx{s: s, tx: sqltx, ctx: bg, write: true}
	ok := 0
	txs := make([]*tx, len(batch))
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if _, err := ctl.exec("SAVEPOINT u"); err != nil {
			sqltx.Rollback()
			fail(err)
			return
		}
		t := &tx{s: s, tx: sqltx, ctx: context.WithoutCancel(r.ctx), write: true}
		txs[i] = t
		if err := r.fn(t); err != nil {
			errs[i] = err
			if errors.Is(err, store.ErrUnavailable) {
				// SQLite may have rolled back the whole transaction
				// (disk full, I/O error): the batch is lost.
				sqltx.Rollback()
				fail(err)
				return
			}
			if _, rerr := ctl.exec("ROLLBACK TO u"); rerr != nil {
				sqltx.Rollback()
				fail(rerr)
				return
			}
		} else {
			ok++
		}
		if _, err := ctl.exec("RELEASE u"); err != nil {
			sqltx.Rollback()
			fail(err)
			return
		}
	}
	if ok == 0 {
		sqltx.Rollback()
		answer()
		return
	}
	if err := sqltx.Commit(); err != nil {
		sqltx.Rollback()
		fail(wrap(err))
		return
	}
	for i, t := range txs {
		if t != nil && errs[i] == nil {
			s.learnDefs(t.newDefs)
		}
	}
	answer()
}

// Close closes the database (checkpointing its log) and releases the
// data directory. Calls after the first do nothing.
// Durable reports that the store keeps what it commits across a restart
// (true): a server writes to it the records that only a restart needs,
// such as finished map runs' children.
func (s *Store) Durable() bool { return true }

func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.stopCheckpoints)
	<-s.checkpointed
	// No Update is waiting (they hold mu.RLock until answered).
	close(s.kick)
	<-s.committed
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.stmtMu.Unlock()
	err := errors.Join(s.r.Close(), s.w.Close())
	if lerr := s.lock.Close(); err == nil {
		err = lerr
	}
	if err != nil {
		return fmt.Errorf("sqlstore: closing %s: %w", s.dir, wrap(err))
	}
	return nil
}

// Compact gives up to pages free pages back to the file system (0: all)
// and truncates the write-ahead log.
func (s *Store) Compact(ctx context.Context, pages int) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	q := "PRAGMA incremental_vacuum"
	if pages > 0 {
		q += "(" + strconv.Itoa(pages) + ")"
	}
	// incremental_vacuum returns a row per step: drain them.
	rows, err := s.w.QueryContext(ctx, q)
	if err != nil {
		return wrap(err)
	}
	for rows.Next() {
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return wrap(err)
	}
	if _, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return wrap(err)
	}
	return nil
}

// unavailable marks a failure of the storage as store.ErrUnavailable.
func unavailable(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
}

// wrap turns a database error into the store's: failures of the storage
// wrap store.ErrUnavailable.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED,
			sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_PERM, sqlite3.SQLITE_PROTOCOL:
			return fmt.Errorf("sqlstore: %w: %w", store.ErrUnavailable, err)
		}
		return fmt.Errorf("sqlstore: %w", err)
	}
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, sql.ErrTxDone) || strings.Contains(err.Error(), "database is closed") {
		return fmt.Errorf("sqlstore: %w: %w", store.ErrUnavailable, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("sqlstore: %w", err)
}

func isConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

type tx struct {
	s     *Store
	tx    *sql.Tx
	ctx   context.Context
	write bool
	// newDefs are the definitions this Update stored (Store.defs learns
	// them once it has committed).
	newDefs [][16]byte
}

var errReadOnly = errors.New("sqlstore: write in a read-only transaction")

func (t *tx) check() error {
	if !t.write {
		return errReadOnly
	}
	return nil
}

// stmt returns the transaction's use of the prepared statement q.
func (t *tx) stmt(q string) (*sql.Stmt, error) {
	s := t.s
	k := stmtKey{t.write, q}
	s.stmtMu.Lock()
	st, ok := s.stmts[k]
	if !ok {
		db := s.r
		if t.write {
			db = s.w
		}
		var err error
		st, err = db.PrepareContext(t.ctx, q)
		if err != nil {
			s.stmtMu.Unlock()
			return nil, wrap(err)
		}
		s.stmts[k] = st
	}
	s.stmtMu.Unlock()
	return t.tx.StmtContext(t.ctx, st), nil
}

func (t *tx) exec(q string, args ...any) (sql.Result, error) {
	st, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	res, err := st.ExecContext(t.ctx, args...)
	if err != nil {
		if isConstraint(err) {
			return nil, store.ErrExists
		}
		return nil, wrap(err)
	}
	return res, nil
}

func (t *tx) query(q string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(t.ctx, args...)
	return rows, wrap(err)
}

// row reads one row into dest; ErrNotFound when there is none.
func (t *tx) row(q string, args []any, dest ...any) error {
	st, err := t.stmt(q)
	if err != nil {
		return err
	}
	err = st.QueryRowContext(t.ctx, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return wrap(err)
}

func affected(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func encode(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		// The records hold strings, numbers, times and slices of
		// them: they always encode.
		panic("sqlstore: encoding a record: " + err.Error())
	}
	return data
}

func decode[T any](data []byte) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("sqlstore: a stored record does not decode: %w", err)
	}
	return v, nil
}

// docPage runs query, a SELECT of (seq, doc) rows ordered by seq whose
// last parameter is the row limit, for one page of limit records: the
// records decoded, and the cursor of the next page ("" when none).
func docPage[T any](t *tx, limit int, query string, args ...any) ([]*T, string, error) {
	rows, err := t.query(query, append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var (
		out  []*T
		seqs []int64
	)
	for rows.Next() {
		var (
			seq int64
			doc []byte
		)
		if err := rows.Scan(&seq, &doc); err != nil {
			return nil, "", wrap(err)
		}
		r, err := decode[T](doc)
		if err != nil {
			return nil, "", err
		}
		out, seqs = append(out, r), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, "", wrap(err)
	}
	if len(out) > limit {
		return out[:limit], strconv.FormatInt(seqs[limit-1], 10), nil
	}
	return out, "", nil
}

// --- documents keyed by ARN ---

func (t *tx) create(table, arn string, doc []byte) error {
	if err := t.check(); err != nil {
		return err
	}
	_, err := t.exec("INSERT INTO "+table+" (arn, doc) VALUES (?, ?)", arn, doc)
	return err
}

func (t *tx) replace(table, arn string, doc []byte) error {
	if err := t.check(); err != nil {
		return err
	}
	res, err := t.exec("UPDATE "+table+" SET doc = ? WHERE arn = ?", doc, arn)
	if err != nil {
		return err
	}
	return affected(res)
}

func (t *tx) remove(table, arn string) error {
	if err := t.check(); err != nil {
		return err
	}
	res, err := t.exec("DELETE FROM "+table+" WHERE arn = ?", arn)
	if err != nil {
		return err
	}
	return affected(res)
}

func get[T any](t *tx, table, arn string) (*T, error) {
	var doc []byte
	if err := t.row("SELECT doc FROM "+table+" WHERE arn = ?", []any{arn}, &doc); err != nil {
		return nil, err
	}
	return decode[T](doc)
}

// listByARN lists documents in ARN order after p.After, where extra (a
// condition on the rows, with its arguments) holds.
func listByARN[T any](t *tx, table, extra string, args []any, p store.Page, arnOf func(*T) string) ([]*T, string, error) {
	limit := max(p.Limit, 1)
	q := "SELECT doc FROM " + table + " WHERE arn > ?"
	if extra != "" {
		q += " AND " + extra
	}
	q += " ORDER BY arn LIMIT ?"
	rows, err := t.query(q, append(append([]any{p.After}, args...), limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, "", wrap(err)
		}
		v, err := decode[T](doc)
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, "", wrap(err)
	}
	if len(out) > limit {
		out = out[:limit]
		return out, arnOf(out[limit-1]), nil
	}
	return out, "", nil
}

func (t *tx) CreateStateMachine(sm *store.StateMachine) error {
	return t.create("state_machines", sm.ARN, encode(sm))
}

func (t *tx) GetStateMachine(arn string) (*store.StateMachine, error) {
	return get[store.StateMachine](t, "state_machines", arn)
}

func (t *tx) PutStateMachine(sm *store.StateMachine) error {
	return t.replace("state_machines", sm.ARN, encode(sm))
}

func (t *tx) DeleteStateMachine(arn string) error { return t.remove("state_machines", arn) }

func (t *tx) ListStateMachines(p store.Page) ([]*store.StateMachine, string, error) {
	return listByARN(t, "state_machines", "", nil, p, func(v *store.StateMachine) string { return v.ARN })
}

func (t *tx) CreateVersion(v *store.Version) error {
	if err := t.check(); err != nil {
		return err
	}
	_, err := t.exec("INSERT INTO versions (arn, machine, number, doc) VALUES (?, ?, ?, ?)", v.ARN, v.StateMachineARN, v.Number, encode(v))
	return err
}

func (t *tx) GetVersion(arn string) (*store.Version, error) {
	return get[store.Version](t, "versions", arn)
}

func (t *tx) DeleteVersion(arn string) error { return t.remove("versions", arn) }

func (t *tx) ListVersions(smARN string, p store.Page) ([]*store.Version, string, error) {
	below := int64(1) << 62
	if p.After != "" {
		n, err := strconv.ParseInt(p.After, 10, 64)
		if err != nil {
			return nil, "", errors.New("sqlstore: bad cursor")
		}
		below = n
	}
	limit := max(p.Limit, 1)
	rows, err := t.query("SELECT doc FROM versions WHERE machine = ? AND number < ? ORDER BY number DESC LIMIT ?", smARN, below, limit+1)
	if err != nil {
		return nil, "", err
	}
	out, err := scanDocs[store.Version](rows)
	if err != nil {
		return nil, "", err
	}
	if len(out) > limit {
		out = out[:limit]
		return out, strconv.Itoa(out[limit-1].Number), nil
	}
	return out, "", nil
}

func scanDocs[T any](rows *sql.Rows) ([]*T, error) {
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, wrap(err)
		}
		v, err := decode[T](doc)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, wrap(rows.Err())
}

func (t *tx) CreateAlias(a *store.Alias) error {
	if err := t.check(); err != nil {
		return err
	}
	_, err := t.exec("INSERT INTO aliases (arn, machine, doc) VALUES (?, ?, ?)", a.ARN, a.StateMachineARN, encode(a))
	return err
}

func (t *tx) GetAlias(arn string) (*store.Alias, error) { return get[store.Alias](t, "aliases", arn) }

func (t *tx) PutAlias(a *store.Alias) error {
	if err := t.check(); err != nil {
		return err
	}
	res, err := t.exec("UPDATE aliases SET doc = ?, machine = ? WHERE arn = ?", encode(a), a.StateMachineARN, a.ARN)
	if err != nil {
		return err
	}
	return affected(res)
}

func (t *tx) DeleteAlias(arn string) error { return t.remove("aliases", arn) }

func (t *tx) ListAliases(smARN string, p store.Page) ([]*store.Alias, string, error) {
	return listByARN(t, "aliases", "machine = ?", []any{smARN}, p, func(v *store.Alias) string { return v.ARN })
}

func (t *tx) CreateActivity(a *store.Activity) error {
	return t.create("activities", a.ARN, encode(a))
}

func (t *tx) GetActivity(arn string) (*store.Activity, error) {
	return get[store.Activity](t, "activities", arn)
}

func (t *tx) DeleteActivity(arn string) error { return t.remove("activities", arn) }

func (t *tx) ListActivities(p store.Page) ([]*store.Activity, string, error) {
	return listByARN(t, "activities", "", nil, p, func(v *store.Activity) string { return v.ARN })
}

func (t *tx) Tags(arn string) ([]store.Tag, error) {
	var doc []byte
	err := t.row("SELECT doc FROM tags WHERE arn = ?", []any{arn}, &doc)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var tags []store.Tag
	if err := json.Unmarshal(doc, &tags); err != nil {
		return nil, fmt.Errorf("sqlstore: stored tags do not decode: %w", err)
	}
	return tags, nil
}

func (t *tx) SetTags(arn string, tags []store.Tag) error {
	if err := t.check(); err != nil {
		return err
	}
	if len(tags) == 0 {
		_, err := t.exec("DELETE FROM tags WHERE arn = ?", arn)
		return err
	}
	_, err := t.exec("INSERT INTO tags (arn, doc) VALUES (?, ?) ON CONFLICT (arn) DO UPDATE SET doc = excluded.doc", arn, encode(tags))
	return err
}
