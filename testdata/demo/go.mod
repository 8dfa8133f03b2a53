module escdb.test/demo

go 1.21
