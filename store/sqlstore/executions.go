package sqlstore

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hsc-dev/hsc/store"
)

// execDoc is an execution's document: the record without the columns kept
// beside it (its definition, by hash, and its event count).
func execDoc(e *store.Execution) []byte {
	c := *e
	c.Definition, c.EventCount = "", 0
	return encode(&c)
}

func defHash(def string) []byte {
	h := sha256.Sum256([]byte(def))
	return h[:16]
}

func stopCol(e *store.Execution) int64 {
	if e.Status == store.StatusRunning || e.Stop.IsZero() {
		return 0
	}
	return e.Stop.UnixNano()
}

func (t *tx) putDefinition(def string) ([]byte, error) {
	h := defHash(def)
	k := [16]byte(h)
	if t.s.knownDef(k) {
		return h, nil
	}
	if _, err := t.exec("INSERT INTO definitions (hash, text) VALUES (?, ?) ON CONFLICT DO NOTHING", h, def); err != nil {
		return nil, err
	}
	t.newDefs = append(t.newDefs, k)
	return h, nil
}

func (t *tx) CreateExecution(e *store.Execution) error {
	if err := t.check(); err != nil {
		return err
	}
	h, err := t.putDefinition(e.Definition)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO executions (arn, machine, version, alias, status, stop, event_count, def_hash, doc)
		VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`, e.ARN, e.StateMachineARN, e.VersionARN, e.AliasARN, e.Status, stopCol(e), h, execDoc(e))
	return err
}

const execCols = "e.seq, e.event_count, e.doc, d.text FROM executions e JOIN definitions d ON d.hash = e.def_hash"

func scanExec(sc interface{ Scan(...any) error }) (*store.Execution, int64, error) {
	var (
		seq, n   int64
		doc      []byte
		def      string
		execRecv *store.Execution
	)
	if err := sc.Scan(&seq, &n, &doc, &def); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, 0, store.ErrNotFound
		}
		return nil, 0, wrap(err)
	}
	execRecv, err := decode[store.Execution](doc)
	if err != nil {
		return nil, 0, err
	}
	execRecv.Definition, execRecv.EventCount = def, n
	return execRecv, seq, nil
}

func (t *tx) GetExecution(arn string) (*store.Execution, error) {
	st, err := t.stmt("SELECT " + execCols + " WHERE e.arn = ?")
	if err != nil {
		return nil, err
	}
	e, _, err := scanExec(st.QueryRowContext(t.ctx, arn))
	return e, err
}

func (t *tx) PutExecution(e *store.Execution) error {
	if err := t.check(); err != nil {
		return err
	}
	var (
		seq                     int64
		machine, version, alias string
		old                     []byte
	)
	if err := t.row("SELECT seq, machine, version, alias, def_hash FROM executions WHERE arn = ?", []any{e.ARN},
		&seq, &machine, &version, &alias, &old); err != nil {
		return err
	}
	h := defHash(e.Definition)
	if machine == e.StateMachineARN && version == e.VersionARN && alias == e.AliasARN && bytes.Equal(old, h) {
		// The usual change, an execution's status: the columns whose
		// indexes would only be rewritten unchanged are left alone (each
		// index written is a page more in the log), and the definition
		// is the one stored.
		_, err := t.exec("UPDATE executions SET status = ?, stop = ?, doc = ? WHERE seq = ?", e.Status, stopCol(e), execDoc(e), seq)
		return err
	}
	if _, err := t.putDefinition(e.Definition); err != nil {
		return err
	}
	_, err := t.exec(`UPDATE executions SET machine = ?, version = ?, alias = ?, status = ?, stop = ?, def_hash = ?, doc = ? WHERE seq = ?`,
		e.StateMachineARN, e.VersionARN, e.AliasARN, e.Status, stopCol(e), h, execDoc(e), seq)
	return err
}

func (t *tx) ListExecutions(f store.ExecutionFilter, p store.Page) ([]*store.Execution, string, error) {
	below := int64(1) << 62
	if p.After != "" {
		n, err := strconv.ParseInt(p.After, 10, 64)
		if err != nil {
			return nil, "", errors.New("sqlstore: bad cursor")
		}
		below = n
	}
	var (
		conds = []string{"e.seq < ?"}
		args  = []any{below}
	)
	for _, c := range []struct{ col, v string }{{"machine", f.StateMachineARN}, {"status", f.Status}, {"version", f.VersionARN}, {"alias", f.AliasARN}} {
		if c.v != "" {
			conds = append(conds, "e."+c.col+" = ?")
			args = append(args, c.v)
		}
	}
	limit := max(p.Limit, 1)
	args = append(args, limit+1)
	rows, err := t.query("SELECT "+execCols+" WHERE "+strings.Join(conds, " AND ")+" ORDER BY e.seq DESC LIMIT ?", args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var (
		out  []*store.Execution
		seqs []int64
	)
	for rows.Next() {
		e, seq, err := scanExec(rows)
		if err != nil {
			return nil, "", err
		}
		out, seqs = append(out, e), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, "", wrap(err)
	}
	if len(out) > limit {
		return out[:limit], strconv.FormatInt(seqs[limit-1], 10), nil
	}
	return out, "", nil
}

// execSeq returns an execution's row id and event count.
func (t *tx) execSeq(arn string) (seq, count int64, err error) {
	err = t.row("SELECT seq, event_count FROM executions WHERE arn = ?", []any{arn}, &seq, &count)
	return
}

// insertEvents is the statement inserting n events (n in eventChunks).
func insertEvents(n int) string {
	return "INSERT INTO events (exec, id, doc) VALUES " + strings.Repeat("(?, ?, ?), ", n-1) + "(?, ?, ?)"
}

// eventChunks are the sizes of the multi-row inserts AppendEvents uses,
// largest first: fewer statements for the events of a group commit.
var eventChunks = []int{16, 4, 1}

func (t *tx) AppendEvents(arn string, events []store.Event) error {
	if err := t.check(); err != nil {
		return err
	}
	if len(events) == 0 {
		_, _, err := t.execSeq(arn)
		return err
	}
	// One statement finds the execution and counts the events in; the
	// ids are checked against the count before, and a mismatch fails
	// the Update, undoing the count.
	var seq, total int64
	if err := t.row("UPDATE executions SET event_count = event_count + ? WHERE arn = ? RETURNING seq, event_count",
		[]any{len(events), arn}, &seq, &total); err != nil {
		return err
	}
	n := total - int64(len(events))
	for i, ev := range events {
		if ev.ID != n+int64(i)+1 {
			return fmt.Errorf("sqlstore: event %d does not continue a history of %d", ev.ID, n+int64(i))
		}
	}
	for rest := events; len(rest) > 0; {
		size := 1
		for _, c := range eventChunks {
			if len(rest) >= c {
				size = c
				break
			}
		}
		args := make([]any, 0, 3*size)
		for _, ev := range rest[:size] {
			doc := ev.JSON
			if doc == nil {
				doc = []byte{}
			}
			args = append(args, seq, ev.ID, doc)
		}
		if _, err := t.exec(insertEvents(size), args...); err != nil {
			return err
		}
		rest = rest[size:]
	}
	return nil
}

func (t *tx) Events(arn string, reverse bool, p store.Page) ([]store.Event, string, error) {
	seq, n, err := t.execSeq(arn)
	if err != nil {
		return nil, "", err
	}
	return t.eventPage("events", "exec", seq, n, reverse, p)
}

// eventPage reads one page of a history kept in table, whose rows of one
// history have owner = key and ids 1..n: the body of Events and
// MapRunChildEvents.
func (t *tx) eventPage(table, owner string, key any, n int64, reverse bool, p store.Page) ([]store.Event, string, error) {
	after, err := parseCursor(p.After)
	if err != nil {
		return nil, "", err
	}
	limit := int64(max(p.Limit, 1))
	var rows *sql.Rows
	if !reverse {
		rows, err = t.query("SELECT id, doc FROM "+table+" WHERE "+owner+" = ? AND id > ? ORDER BY id LIMIT ?", key, after, limit)
	} else {
		below := n + 1
		if p.After != "" {
			below = after
		}
		rows, err = t.query("SELECT id, doc FROM "+table+" WHERE "+owner+" = ? AND id < ? ORDER BY id DESC LIMIT ?", key, below, limit)
	}
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var ev store.Event
		if err := rows.Scan(&ev.ID, &ev.JSON); err != nil {
			return nil, "", wrap(err)
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, "", wrap(err)
	}
	if len(out) == 0 {
		return out, "", nil
	}
	last := out[len(out)-1].ID
	if !reverse && last < n || reverse && last > 1 {
		return out, strconv.FormatInt(last, 10), nil
	}
	return out, "", nil
}

func (t *tx) deleteExec(seq int64, arn string) error {
	if err := t.deleteMapRuns(arn); err != nil {
		return err
	}
	for _, q := range []string{"DELETE FROM events WHERE exec = ?", "DELETE FROM tasks WHERE exec = ?", "DELETE FROM executions WHERE seq = ?"} {
		if _, err := t.exec(q, seq); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) DeleteExecution(arn string) error {
	if err := t.check(); err != nil {
		return err
	}
	seq, _, err := t.execSeq(arn)
	if err != nil {
		return err
	}
	return t.deleteExec(seq, arn)
}

func (t *tx) PurgeFinished(before time.Time, limit int) (int, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	if limit <= 0 {
		return 0, nil
	}
	rows, err := t.query("SELECT seq, arn FROM executions WHERE status <> 'RUNNING' AND stop < ? ORDER BY stop LIMIT ?", before.UnixNano(), limit)
	if err != nil {
		return 0, err
	}
	var (
		seqs []int64
		arns []string
	)
	for rows.Next() {
		var (
			seq int64
			arn string
		)
		if err := rows.Scan(&seq, &arn); err != nil {
			rows.Close()
			return 0, wrap(err)
		}
		seqs, arns = append(seqs, seq), append(arns, arn)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, wrap(err)
	}
	for i, seq := range seqs {
		if err := t.deleteExec(seq, arns[i]); err != nil {
			return 0, err
		}
	}
	if len(seqs) > 0 {
		// Definitions no execution runs any more.
		t.s.forgetDefs()
		if _, err := t.exec("DELETE FROM definitions WHERE NOT EXISTS (SELECT 1 FROM executions WHERE def_hash = definitions.hash)"); err != nil {
			return 0, err
		}
	}
	return len(seqs), nil
}

func (t *tx) PutCheckpoint(arn string, data []byte) error {
	if err := t.check(); err != nil {
		return err
	}
	var v any
	if data != nil {
		v = data
	}
	res, err := t.exec("UPDATE executions SET checkpoint = ? WHERE arn = ?", v, arn)
	if err != nil {
		return err
	}
	return affected(res)
}

func (t *tx) Checkpoint(arn string) ([]byte, error) {
	var cp []byte
	if err := t.row("SELECT checkpoint FROM executions WHERE arn = ?", []any{arn}, &cp); err != nil {
		return nil, err
	}
	return cp, nil
}

func (t *tx) PutTask(task *store.Task) error {
	if err := t.check(); err != nil {
		return err
	}
	seq, _, err := t.execSeq(task.ExecutionARN)
	if err != nil {
		return err
	}
	handed := 0
	if task.HandedOut {
		handed = 1
	}
	_, err = t.exec(`INSERT INTO tasks (token, exec, activity, handed_out, doc) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET exec = excluded.exec, activity = excluded.activity, handed_out = excluded.handed_out, doc = excluded.doc`,
		task.Token, seq, task.ActivityARN, handed, encode(task))
	return err
}

func (t *tx) GetTask(token string) (*store.Task, error) {
	var doc []byte
	if err := t.row("SELECT doc FROM tasks WHERE token = ?", []any{token}, &doc); err != nil {
		return nil, err
	}
	return decode[store.Task](doc)
}

func (t *tx) DeleteTask(token string) error {
	if err := t.check(); err != nil {
		return err
	}
	res, err := t.exec("DELETE FROM tasks WHERE token = ?", token)
	if err != nil {
		return err
	}
	return affected(res)
}

func (t *tx) ListTasks(f store.TaskFilter, p store.Page) ([]*store.Task, string, error) {
	var after int64
	if p.After != "" {
		n, err := strconv.ParseInt(p.After, 10, 64)
		if err != nil {
			return nil, "", errors.New("sqlstore: bad cursor")
		}
		after = n
	}
	conds, args := []string{"t.seq > ?"}, []any{after}
	if f.ExecutionARN != "" {
		seq, _, err := t.execSeq(f.ExecutionARN)
		if errors.Is(err, store.ErrNotFound) {
			return nil, "", nil
		}
		if err != nil {
			return nil, "", err
		}
		conds, args = append(conds, "t.exec = ?"), append(args, seq)
	}
	if f.ActivityARN != "" {
		conds, args = append(conds, "t.activity = ?"), append(args, f.ActivityARN)
	}
	if f.QueuedOnly {
		conds = append(conds, "t.handed_out = 0")
	}
	return docPage[store.Task](t, max(p.Limit, 1), "SELECT t.seq, t.doc FROM tasks t WHERE "+strings.Join(conds, " AND ")+" ORDER BY t.seq LIMIT ?", args...)
}
