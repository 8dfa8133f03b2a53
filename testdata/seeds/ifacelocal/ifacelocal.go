// Package ifacelocal: converting to a local interface{} (article 004 section 1.2):
// no escape while the interface stays local and is only given to println.
package ifacelocal

// Value converts a to interface{}.
func Value() {
	var a int = 10
	var ai interface{} = a
	println(ai)
}

// Addr converts &a to interface{}.
func Addr() {
	var a int = 10
	var ai interface{} = &a
	println(ai)
}
