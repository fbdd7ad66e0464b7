package sqlstore_test

import (
	"context"
	"testing"

	"github.com/hsc-dev/hsc/store"
	"github.com/hsc-dev/hsc/store/sqlstore"
	"github.com/hsc-dev/hsc/store/storetest"
)

var ctx = context.Background()

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlstore.Open(ctx, t.TempDir(), sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
