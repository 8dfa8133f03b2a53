// Command app allocates through a function of package main and writes
// the allocs profile to its argument: escdb hot joins frames named
// main.F by the directory of their file (t_hot.sh).
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
)

type T struct{ b [200]byte }

var sink []*T

func alloc(i int) *T {
	return &T{b: [200]byte{byte(i)}}
}

func main() {
	runtime.MemProfileRate = 1
	for i := 0; i < 1000; i++ {
		sink = append(sink, alloc(i))
	}
	f, _ := os.Create(os.Args[1])
	pprof.Lookup("allocs").WriteTo(f, 0)
	f.Close()
}
