package sqlstore_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/hsc-dev/hsc/store"
	"github.com/hsc-dev/hsc/store/memstore"
	"github.com/hsc-dev/hsc/store/sqlstore"
)

// BenchmarkAppendEvent: one Update appending one event, the server's unit
// of work per state transition; -cpu and RunParallel give concurrent
// executions.
func BenchmarkAppendEvent(b *testing.B) {
	for _, kind := range []string{"memstore", "sqlstore"} {
		b.Run(kind, func(b *testing.B) {
			var s store.Store = memstore.New(memstore.Options{})
			if kind == "sqlstore" {
				s = open(b, b.TempDir(), sqlstore.Options{})
			}
			var g atomic.Int64
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				arn := fmt.Sprintf("e%d", g.Add(1))
				if err := s.Update(ctx, func(tx store.Tx) error {
					return tx.CreateExecution(&store.Execution{ARN: arn, Status: store.StatusRunning, Definition: "def"})
				}); err != nil {
					b.Error(err)
					return
				}
				id := int64(0)
				for pb.Next() {
					id++
					if err := s.Update(ctx, func(tx store.Tx) error {
						return tx.AppendEvents(arn, []store.Event{{ID: id, JSON: []byte(`{"type":"PassStateEntered","details":{"name":"S1","input":"{}"}}`)}})
					}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
