// Package appendgrow: append growing a slice beyond its capacity (articles 000, 002, 003).
package appendgrow

// CreateSlice is article 002's createSlice: grown by append and returned.
func CreateSlice() []int {
	var data []int
	for i := 0; i < 1000; i++ {
		data = append(data, i)
	}
	return data
}

// Grow appends n runtime-sized elements to a slice that starts on the stack.
func Grow(n int) int {
	s := make([]int, 0, 4)
	for i := 0; i < n; i++ {
		s = append(s, i)
	}
	return len(s)
}

// Fixed appends within a constant capacity; the backing array stays on the stack.
func Fixed() int {
	s := make([]int, 0, 8)
	s = append(s, 1, 2, 3)
	return s[0] + len(s)
}
