// Package lineparse splits "VERB key [value]" command lines.
package lineparse

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Command is one parsed line.
type Command struct {
	Verb  string
	Key   string
	Value string
	Line  int
}

// SyntaxError reports a bad line.
type SyntaxError struct {
	Line int
	Text string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d: bad command %q", e.Line, e.Text)
}

// ParseLine parses one line; the returned strings alias s (leaking param).
func ParseLine(s string, n int) (Command, error) {
	fields := strings.Fields(s)
	if len(fields) < 2 {
		return Command{}, &SyntaxError{Line: n, Text: s}
	}
	cmd := Command{Verb: strings.ToUpper(fields[0]), Key: fields[1], Line: n}
	if len(fields) > 2 {
		cmd.Value = strings.Join(fields[2:], " ")
	}
	return cmd, nil
}

// ParseAll reads every command from r; the result slice grows on the heap.
func ParseAll(r io.Reader) ([]Command, error) {
	sc := bufio.NewScanner(r)
	var out []Command
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmd, err := ParseLine(line, n)
		if err != nil {
			return out, err
		}
		out = append(out, cmd)
	}
	return out, sc.Err()
}

// CountVerbs tallies verbs in a local fixed-size array: stays on the stack.
func CountVerbs(cmds []Command) (gets, puts int) {
	var counts [2]int
	for i := range cmds {
		switch cmds[i].Verb {
		case "GET":
			counts[0]++
		case "PUT":
			counts[1]++
		}
	}
	return counts[0], counts[1]
}
