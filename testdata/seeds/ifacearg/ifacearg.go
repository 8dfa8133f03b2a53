// Package ifacearg: interface{} arguments, fmt.Printf/fmt.Println (articles 000, 001, 003).
package ifacearg

import "fmt"

// PrintfValue passes a string to fmt.Printf: "str escapes to heap", no move.
func PrintfValue() {
	str := "This is str"
	fmt.Printf("%v", str)
}

// PrintfAddr passes &str: "moved to heap: str".
func PrintfAddr() {
	str := "This is str"
	fmt.Printf("%v", &str)
}

// Concat is article 000's main: b + "!" escapes via fmt.Println.
func Concat(s string) {
	b := s + " world"
	c := b + "!"
	fmt.Println(c)
}

// Any takes an interface{} parameter.
func Any(v interface{}) string {
	return fmt.Sprint(v)
}

// CallAny converts an int to interface{} for Any.
func CallAny() string {
	n := 42
	return Any(n)
}
