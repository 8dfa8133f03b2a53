module example.com/refactor

go 1.21
