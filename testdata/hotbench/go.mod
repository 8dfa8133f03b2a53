module escdb.test/hotbench

go 1.22
