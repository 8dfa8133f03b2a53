// Package newmake: new and make (article 003 section 2): new(T) is not always on the heap.
package newmake

import (
	"fmt"
	"sync"
)

type user struct {
	lock sync.Mutex
	name string
	age  int
}

// NewInt is example 1: new(int) printed through fmt.Println(*i).
func NewInt() {
	var i *int
	i = new(int)
	*i = 10
	fmt.Println(*i)
}

// NewUser is example 2: new(user) passed to fmt.Println escapes.
func NewUser() {
	u := new(user)
	u.lock.Lock()
	u.name = "张三"
	u.lock.Unlock()
	fmt.Println(u)
}

// MakeAll makes a slice, a map and a channel that stay local.
func MakeAll() int {
	arr := make([]int, 9)
	m := make(map[string]int)
	ch := make(chan int, 1)
	m["a"] = arr[0]
	ch <- m["a"]
	return <-ch
}
