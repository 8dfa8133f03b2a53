module escdb.test/mainp

go 1.22
