// Command realworld is a tiny HTTP server for escdb's version matrix: it
// uses the gorilla/mux router and the gorilla/handlers middleware (which
// depends on felixge/httpsnoop) so that their packages are compiled, and
// their escape-analysis diagnostics printed, with the main package.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/gorilla/handlers"
	"github.com/gorilla/mux"
)

type item struct {
	ID   string
	Name string
}

func getItem(w http.ResponseWriter, r *http.Request) {
	vars := mux.Vars(r)
	it := &item{ID: vars["id"], Name: "item " + vars["id"]}
	fmt.Fprintf(w, "%s: %s\n", it.ID, it.Name)
}

func newRouter() http.Handler {
	r := mux.NewRouter()
	r.HandleFunc("/items/{id:[0-9]+}", getItem).Methods(http.MethodGet)
	r.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	var h http.Handler = r
	h = handlers.CompressHandler(h)
	h = handlers.RecoveryHandler()(h)
	h = handlers.CombinedLoggingHandler(os.Stdout, h)
	return h
}

func main() {
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", newRouter()))
}
