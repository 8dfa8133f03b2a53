// Package containers: interface and slice values stored in containers (article 003, scenarios 1-4 and 8).
package containers

// SliceIface is scenario 1: []interface{}; data[0] = 100.
func SliceIface() {
	data := []interface{}{100, 200}
	data[0] = 100
}

// MapStringIface is scenario 2: map[string]interface{}.
func MapStringIface() {
	data := make(map[string]interface{})
	data["key"] = 200
}

// MapIfaceIface is scenario 3: map[interface{}]interface{}; key and value escape.
func MapIfaceIface() {
	data := make(map[interface{}]interface{})
	data[100] = 200
}

// MapStringSlice is scenario 4: map[string][]string; the []string escapes.
func MapStringSlice() {
	data := make(map[string][]string)
	data["key"] = []string{"value"}
}

// ChanSlice is scenario 8: chan []string sent from a goroutine.
func ChanSlice() {
	ch := make(chan []string)
	s := []string{"aceld"}
	go func() {
		ch <- s
	}()
}
