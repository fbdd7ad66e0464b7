package server_test

import (
	"context"
	"testing"

	"github.com/hsc-dev/hsc/server"
	"github.com/hsc-dev/hsc/store/sqlstore"
)

// BenchmarkStartToSucceededDurable is BenchmarkStartToSucceeded on the
// durable store of hsc serve --data (issue 12: at least 50% of the
// in-memory figure). Run both side by side:
//
//	go test ./server -run '^$' -bench 'StartToSucceeded(Durable)?$' -benchtime 5000x -count 3
func BenchmarkStartToSucceededDurable(b *testing.B) {
	st, err := sqlstore.Open(context.Background(), b.TempDir(), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() }) // after the server's own cleanup
	_, c := start(b, server.Config{Store: st})
	machine := createMachine(b, c, "bench", passChain(10))
	loadGenerator(b, c, machine)
}
