package sqlstore

import (
	"context"
	"database/sql"
)

// Migrate exposes migrate to the tests.
func Migrate(ctx context.Context, db *sql.DB, target int) error { return migrate(ctx, db, target) }

// Pragma reads a PRAGMA on the store's write connection.
func (s *Store) Pragma(ctx context.Context, name string) (string, error) {
	var v string
	err := s.w.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, err
}
