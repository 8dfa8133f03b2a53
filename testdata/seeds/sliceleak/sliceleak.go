// Package sliceleak: substring, sub-slice and large array parameters from article 003's
// memory-leak section.
package sliceleak

// Substr takes a substring of a string.
func Substr(str0 string) string {
	str1 := str0[:10]
	return str1
}

// Subslice returns a sub-slice of a local slice literal: the backing array escapes.
func Subslice() []int {
	var s0 = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	s1 := s0[:3]
	return s1
}

// ArrayParam receives a large array by value.
func ArrayParam(a [100000]int) int {
	return a[0]
}

// PassArray passes a large local array by value.
func PassArray() int {
	var a [100000]int
	return ArrayParam(a)
}
