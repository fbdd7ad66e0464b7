package server_test

import (
	"testing"

	"github.com/hsc-dev/hsc/server"
)

// BenchmarkStartToSucceededDurable is BenchmarkStartToSucceeded on the
// durable store (issue 12: at least 50% of the in-memory figure). Run with
//
//	go test ./server -run '^$' -bench 'StartToSucceeded(Durable)?$' -benchtime 3000x
func BenchmarkStartToSucceededDurable(b *testing.B) {
	_, c := benchServer(b, server.Config{Store: openStoreB(b)})
	machine := createMachine(b, c, "bench", passChain(10))
	b.ResetTimer()
	r := runLoad(b, c, machine, b.N, 0)
	b.StopTimer()
	reportLoad(b, "hsc-durable", &r)
}
