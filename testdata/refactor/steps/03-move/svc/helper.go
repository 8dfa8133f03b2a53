package svc

// Helper was in server.go before step 03.
func Helper(x int) *int {
	y := x
	return &y
}
