package main

import "example.com/rpt/fmtq"

func main() {
	fmtq.Or(1, 2)
	fmtq.Comma("x")
	fmtq.Keep(fmtq.New())
	_ = fmtq.Local(&fmtq.Pair{})
	go func() { fmtq.Or(3, 4) }()
}
