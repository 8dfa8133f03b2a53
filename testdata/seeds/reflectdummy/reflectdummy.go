// Package reflectdummy: fmt.Println of an interface{} escapes through reflect's
// escapes() call (article 004 section 1.3).
package reflectdummy

import "fmt"

// Println passes an interface holding a to fmt.Println: a escapes to heap.
func Println() {
	var a int = 10
	var ai interface{} = a
	fmt.Println(ai)
}

// Println2 is the same with a plain println: no escape.
func Println2() {
	var a int = 10
	var ai interface{} = a
	println(ai)
}
