// Package hotbench is the benchmark behind escdb's hot tests: one hot
// allocation site, a warm one that allocates through callees (fmt,
// strconv), a cold one and one that is never called.
package hotbench

import (
	"fmt"
	"strconv"
)

// Record is what the hot path allocates.
type Record struct {
	ID   int
	Buf  [120]byte
	Name string
}

var sink any

// Hot allocates a Record on every call: the hot site.
func Hot(i int) *Record {
	r := &Record{ID: i}
	r.Buf[i%len(r.Buf)] = byte(i)
	return r
}

// Warm allocates through callees: fmt builds the string, strconv too.
func Warm(i int) string {
	s := fmt.Sprintf("w%d", i)
	return s + strconv.Itoa(i)
}

// Pair holds two pointers: Cold allocates three objects on one line.
type Pair struct {
	S []int
	P *int
}

// Cold allocates a small slice, rarely.
func Cold(n int) *Pair {
	return &Pair{S: make([]int, n), P: new(int)}
}

var seen = map[int]string{}

// Note allocates in callees (strconv, the map's growth) on a line with no
// escape-analysis finding.
func Note(i int) {
	seen[i%512] = strconv.Itoa(i)
}

// Never is never called by the benchmarks.
func Never() *[64]int {
	return new([64]int)
}
