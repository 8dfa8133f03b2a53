module escdb.test/seeds

go 1.21
