// Package retptr: returning a pointer to a local variable (articles 000, 001, 002, 003).
package retptr

// A is the struct from article 000.
type A struct {
	s string
}

// Foo returns a pointer to a new(A): new(A) escapes, s leaks.
func Foo(s string) *A {
	a := new(A)
	a.s = s
	return a
}

// Use calls Foo and concatenates strings (article 000's main).
func Use() string {
	a := Foo("hello")
	b := a.s + " world"
	c := b + "!"
	return c
}

// Fun returns &a of a local int (article 001): moved to heap: a.
func Fun() *int {
	a := 10
	return &a
}

// GetPointer is article 002's getPointer.
func GetPointer() *int {
	value := 42
	return &value
}

// FooVal returns the address of one of several locals (article 003);
// only fooVal3 is moved to the heap.
func FooVal(argVal int) *int {
	var fooVal1 int = 11
	var fooVal2 int = 12
	var fooVal3 int = 13
	var fooVal4 int = 14
	var fooVal5 int = 15
	for i := 0; i < 5; i++ {
		println(&argVal, &fooVal1, &fooVal2, &fooVal3, &fooVal4, &fooVal5)
	}
	return &fooVal3
}

// NoPtr returns a value, not a pointer: nothing escapes (article 001).
func NoPtr() int {
	a := 10
	return a
}
