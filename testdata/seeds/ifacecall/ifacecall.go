// Package ifacecall: method calls through an interface, io.Reader style (article 000).
package ifacecall

import "io"

// ReadAll calls r.Read(b): the buffer escapes because the callee is unknown.
func ReadAll(r io.Reader) int {
	b := make([]byte, 64)
	n, _ := r.Read(b)
	return n
}

// Shape is a small interface with a dynamic method.
type Shape interface {
	Area() int
}

// Rect implements Shape.
type Rect struct{ W, H int }

// Area implements Shape.
func (r Rect) Area() int { return r.W * r.H }

// AreaOf converts a concrete value to Shape and calls through it.
func AreaOf(w, h int) int {
	var s Shape = Rect{w, h}
	return s.Area()
}

// Direct calls the method on the concrete type: no escape.
func Direct(w, h int) int {
	r := Rect{w, h}
	return r.Area()
}
