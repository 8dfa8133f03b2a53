// Package sliceptr: storing pointers in a slice ([]*string, []*int) (articles 000, 003).
package sliceptr

// Strings stores pointers to locals in a []*string that is returned.
func Strings() []*string {
	a, b := "a", "b"
	s := make([]*string, 0, 2)
	s = append(s, &a, &b)
	return s
}

// Ints is article 003's scenario 5: []*int{nil}; data[0] = &a.
func Ints() {
	a := 10
	data := []*int{nil}
	data[0] = &a
	_ = data
}

// Param stores a pointer to a local into a caller's slice.
func Param(dst []*string) {
	v := "value"
	dst[0] = &v
}
