package hotbench

import "testing"

var sinkS string

// BenchmarkMix: 64 hot calls, one warm and one Note call per iteration,
// a cold call every 100th.
func BenchmarkMix(b *testing.B) {
	for i := 0; i < b.N; i++ {
		for j := 0; j < 64; j++ {
			sink = Hot(j)
		}
		sinkS = Warm(i + 100000)
		Note(i + 1000)
		if i%100 == 0 {
			sink = Cold(8)
		}
	}
}
