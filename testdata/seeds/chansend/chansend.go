// Package chansend: sending pointers (or values holding pointers) on a channel (articles 000, 003).
package chansend

type msg struct {
	name *string
}

// SendPtr sends a pointer to a local: the local is moved to the heap.
func SendPtr(ch chan *int) {
	x := 1
	ch <- &x
}

// SendStruct sends a struct value that holds a pointer.
func SendStruct(ch chan msg) {
	s := "hello"
	ch <- msg{name: &s}
}

// SendValue sends a plain int: nothing escapes.
func SendValue(ch chan int) {
	x := 1
	ch <- x
}
