// Package svc is the base of the refactoring scenario (tests/t_refactor.sh):
// each later step restructures it without changing what escapes, then
// the last steps change allocations.
package svc

import "fmt"

var sink *int

type Item struct {
	ID   int
	Name string
}

type Server struct {
	name  string
	items []*Item
}

// Handle does its work in handle since step 01.
func (s *Server) Handle(id int, name string) string {
	return s.handle(id, name)
}

func (s *Server) handle(id int, name string) string {
	it := &Item{ID: id, Name: name}
	s.items = append(s.items, it)
	label := func() string { return fmt.Sprint(it.ID) }
	return s.name + label()
}

// Explain was Describe before step 02.
func Explain(v int) any {
	return v
}

func Keep(n int) *[]int {
	s := make([]int, n)
	return &s
}

// Tags gets a closure inserted above its closure in step 04.
func Tags(n int) []string {
	out := make([]string, 0, n)
	total := 0
	each(n, func(i int) { total += i })
	_ = total
	each(n, func(i int) { out = append(out, fmt.Sprint(i)) })
	return out
}

func each(n int, fn func(int)) {
	for i := 0; i < n; i++ {
		fn(i)
	}
}

// First loses its escape and Second gains the same text in step 06.
func First(n int) int {
	return n
}

func Second(s []int) int {
	p := new(int)
	*p = len(s)
	sink = p
	return len(s)
}

// Counter loses its closure in step 08, when the new Adder gets one.
func Counter() func() int {
	n := 0
	return func() int {
		n++
		return n
	}
}
