module example.com/rpt

go 1.21
