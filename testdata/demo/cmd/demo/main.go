// Command demo feeds a script of commands to the handler.
package main

import (
	"fmt"
	"os"
	"strings"

	"escdb.test/demo/cache"
	"escdb.test/demo/handler"
	"escdb.test/demo/lineparse"
)

const script = `# demo script
PUT alpha 1
PUT beta two words
GET alpha
GET gamma
DEL alpha
`

func main() {
	c := cache.New(8)
	evicted := 0
	c.OnEvict(func(string) { evicted++ })
	cmds, err := lineparse.ParseAll(strings.NewReader(script))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := handler.NewServer(c, os.Stdout, handler.Logging(os.Stderr))
	failures := srv.Serve(cmds)
	gets, puts := lineparse.CountVerbs(cmds)
	fmt.Println(handler.Summary(len(cmds), failures), "gets", gets, "puts", puts, "evicted", evicted, "keys", c.Keys())
}
