// Package goroutine: values captured by goroutines (articles 002, 003).
package goroutine

import (
	"fmt"
	"time"
)

// Start is article 002's 4.4: data is used inside a go func.
func Start() {
	data := make([]int, 1000)
	go func() {
		fmt.Println(data[0])
	}()
	time.Sleep(time.Millisecond)
}

// Arg passes a pointer to a goroutine as an argument.
func Arg() {
	x := 5
	done := make(chan bool)
	go func(p *int) {
		*p++
		done <- true
	}(&x)
	<-done
}
