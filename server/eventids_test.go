package server

import "testing"

// TestEventIDs: the recorder's id map answers as a map would, for dense
// ids, ids set out of order, ids mapped to 0, a gap beyond maxIDGap,
// negative ids and ids never set.
func TestEventIDs(t *testing.T) {
	var m eventIDs
	want := map[int64]int64{}
	set := func(id, v int64) { m.set(id, v); want[id] = v }
	for id := int64(1); id <= 40; id++ {
		set(id, id+3)
	}
	set(43, 0)
	set(42, 7)
	set(5, 2)
	set(40+maxIDGap+50, 9)
	set(-1, 12)
	set(0, 13)
	for id := int64(-3); id < 200; id++ {
		v, ok := m.get(id)
		w, wok := want[id]
		if v != w || ok != wok {
			t.Errorf("id %d: %d, %v; want %d, %v", id, v, ok, w, wok)
		}
	}
}
