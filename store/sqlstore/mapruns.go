package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hsc-dev/hsc/store"
)

func parseCursor(after string) (int64, error) {
	if after == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(after), 10, 64)
	if err != nil {
		return 0, errors.New("sqlstore: bad cursor")
	}
	return n, nil
}

func (t *tx) PutMapRun(r *store.MapRun) error {
	if err := t.check(); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO map_runs (arn, parent, root, doc) VALUES (?, ?, ?, ?)
		ON CONFLICT (arn) DO UPDATE SET parent = excluded.parent, root = excluded.root, doc = excluded.doc`,
		r.ARN, r.ExecutionARN, r.RootARN, encode(r))
	return err
}

func (t *tx) GetMapRun(arn string) (*store.MapRun, error) {
	var doc []byte
	if err := t.row("SELECT doc FROM map_runs WHERE arn = ?", []any{arn}, &doc); err != nil {
		return nil, err
	}
	return decode[store.MapRun](doc)
}

func (t *tx) ListMapRuns(executionARN string, p store.Page) ([]*store.MapRun, string, error) {
	after, err := parseCursor(p.After)
	if err != nil {
		return nil, "", err
	}
	return docPage[store.MapRun](t, max(p.Limit, 1), "SELECT seq, doc FROM map_runs WHERE parent = ? AND seq > ? ORDER BY seq LIMIT ?", executionARN, after)
}

func (t *tx) PutMapRunChild(c *store.MapRunChild) error {
	if err := t.check(); err != nil {
		return err
	}
	var run int64
	if err := t.row("SELECT seq FROM map_runs WHERE arn = ?", []any{c.MapRunARN}, &run); err != nil {
		return err
	}
	d := *c
	d.EventCount = 0
	_, err := t.exec(`INSERT INTO map_run_children (run, seq, arn, status, event_count, doc) VALUES (?, ?, ?, ?, 0, ?)
		ON CONFLICT (arn) DO UPDATE SET run = excluded.run, seq = excluded.seq, status = excluded.status, doc = excluded.doc`,
		run, c.Seq, c.ARN, c.Status, encode(&d))
	return err
}

func scanChild(sc interface{ Scan(...any) error }) (*store.MapRunChild, error) {
	var (
		n   int64
		doc []byte
	)
	if err := sc.Scan(&n, &doc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, store.ErrNotFound
		}
		return nil, wrap(err)
	}
	c, err := decode[store.MapRunChild](doc)
	if err != nil {
		return nil, err
	}
	c.EventCount = n
	return c, nil
}

func (t *tx) GetMapRunChild(arn string) (*store.MapRunChild, error) {
	st, err := t.stmt("SELECT event_count, doc FROM map_run_children WHERE arn = ?")
	if err != nil {
		return nil, err
	}
	return scanChild(st.QueryRowContext(t.ctx, arn))
}

func (t *tx) ListMapRunChildren(f store.MapRunChildFilter, p store.Page) ([]*store.MapRunChild, string, error) {
	below := int64(1) << 62
	if p.After != "" {
		n, err := parseCursor(p.After)
		if err != nil {
			return nil, "", err
		}
		below = n
	}
	var run int64
	switch err := t.row("SELECT seq FROM map_runs WHERE arn = ?", []any{f.MapRunARN}, &run); {
	case errors.Is(err, store.ErrNotFound):
		return nil, "", nil
	case err != nil:
		return nil, "", err
	}
	limit := max(p.Limit, 1)
	q, args := "SELECT seq, event_count, doc FROM map_run_children WHERE run = ? AND seq < ?", []any{run, below}
	if f.Status != "" {
		q, args = q+" AND status = ?", append(args, f.Status)
	}
	rows, err := t.query(q+" ORDER BY seq DESC LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []*store.MapRunChild
	for rows.Next() {
		var (
			seq, n int64
			doc    []byte
		)
		if err := rows.Scan(&seq, &n, &doc); err != nil {
			return nil, "", wrap(err)
		}
		c, err := decode[store.MapRunChild](doc)
		if err != nil {
			return nil, "", err
		}
		c.Seq, c.EventCount = seq, n
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", wrap(err)
	}
	if len(out) > limit {
		return out[:limit], strconv.FormatInt(out[limit-1].Seq, 10), nil
	}
	return out, "", nil
}

func (t *tx) AppendMapRunChildEvents(arn string, events []store.Event) error {
	if err := t.check(); err != nil {
		return err
	}
	var total int64
	if err := t.row("UPDATE map_run_children SET event_count = event_count + ? WHERE arn = ? RETURNING event_count",
		[]any{len(events), arn}, &total); err != nil {
		return err
	}
	n := total - int64(len(events))
	for i, ev := range events {
		if ev.ID != n+int64(i)+1 {
			return fmt.Errorf("sqlstore: event %d does not continue a history of %d", ev.ID, n+int64(i))
		}
		doc := ev.JSON
		if doc == nil {
			doc = []byte{}
		}
		if _, err := t.exec("INSERT INTO map_child_events (child, id, doc) VALUES (?, ?, ?)", arn, ev.ID, doc); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) MapRunChildEvents(arn string, reverse bool, p store.Page) ([]store.Event, string, error) {
	var n int64
	if err := t.row("SELECT event_count FROM map_run_children WHERE arn = ?", []any{arn}, &n); err != nil {
		return nil, "", err
	}
	return t.eventPage("map_child_events", "child", arn, n, reverse, p)
}

// deleteMapRuns deletes the map runs of the top-level execution root, with
// their children and the children's histories.
func (t *tx) deleteMapRuns(root string) error {
	for _, q := range []string{
		"DELETE FROM map_child_events WHERE child IN (SELECT c.arn FROM map_run_children c JOIN map_runs r ON r.seq = c.run WHERE r.root = ?)",
		"DELETE FROM map_run_children WHERE run IN (SELECT seq FROM map_runs WHERE root = ?)",
		"DELETE FROM map_runs WHERE root = ?",
	} {
		if _, err := t.exec(q, root); err != nil {
			return err
		}
	}
	return nil
}
