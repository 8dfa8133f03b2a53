// Package handler serves lineparse commands against a cache, HTTP-style.
package handler

import (
	"fmt"
	"io"
	"strings"

	"escdb.test/demo/cache"
	"escdb.test/demo/lineparse"
)

// Response is a status code plus body.
type Response struct {
	Status int
	Body   string
}

// Middleware wraps a HandlerFunc.
type Middleware func(HandlerFunc) HandlerFunc

// HandlerFunc handles one command.
type HandlerFunc func(cmd lineparse.Command) *Response

// Server dispatches commands to the cache.
type Server struct {
	store *cache.Cache
	log   io.Writer
	chain HandlerFunc
}

// NewServer builds a server; the closure captures s and escapes.
func NewServer(store *cache.Cache, log io.Writer, mws ...Middleware) *Server {
	s := &Server{store: store, log: log}
	h := HandlerFunc(func(cmd lineparse.Command) *Response { return s.handle(cmd) })
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	s.chain = h
	return s
}

func (s *Server) handle(cmd lineparse.Command) *Response {
	switch cmd.Verb {
	case "GET":
		v, err := s.store.Get(cmd.Key)
		if err != nil {
			return &Response{Status: 404, Body: err.Error()}
		}
		return &Response{Status: 200, Body: string(v)}
	case "PUT":
		s.store.Put(cmd.Key, []byte(cmd.Value))
		return &Response{Status: 201}
	}
	return &Response{Status: 400, Body: "unknown verb " + cmd.Verb}
}

// Serve runs every command and writes one status line each.
func (s *Server) Serve(cmds []lineparse.Command) int {
	failures := 0
	for _, cmd := range cmds {
		resp := s.chain(cmd)
		if resp.Status >= 400 {
			failures++
		}
		fmt.Fprintf(s.log, "%d %s %s\n", resp.Status, cmd.Key, resp.Body)
	}
	return failures
}

// Logging returns a middleware that counts calls in a captured variable.
func Logging(w io.Writer) Middleware {
	calls := 0
	return func(next HandlerFunc) HandlerFunc {
		return func(cmd lineparse.Command) *Response {
			calls++
			fmt.Fprintln(w, "call", calls, cmd.Verb)
			return next(cmd)
		}
	}
}

// Summary formats a status tally; the builder stays on the stack.
func Summary(total, failures int) string {
	var b strings.Builder
	b.WriteString("total=")
	b.WriteString(fmt.Sprint(total))
	b.WriteString(" failures=")
	b.WriteString(fmt.Sprint(failures))
	return b.String()
}
