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
	_, c := start(b, server.Config{Store: openStoreB(b)})
	machine := createMachine(b, c, "bench", passChain(10))
	loadGenerator(b, c, machine)
}
