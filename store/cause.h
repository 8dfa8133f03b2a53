/*
 * cause: the reason a person would give for a heap, moved or leak
 * finding, derived from the reasons on its flow chain by one fixed
 * precedence (listed in man/escdb.1 and in cause.c).  Pure functions.
 */
#ifndef ESCDB_CAUSE_H
#define ESCDB_CAUSE_H

#include "../parser/parser.h"

enum cause {
	CAUSE_NONE,             /* not derived (noescape, notes, no chain) */
	CAUSE_GOROUTINE,        /* captured by a goroutine */
	CAUSE_CLOSURE,          /* closure capture */
	CAUSE_SEND,             /* sent on a channel */
	CAUSE_SIZE,             /* too large or of unknown size for the stack */
	CAUSE_APPEND,           /* append growth */
	CAUSE_IFACE,            /* interface conversion */
	CAUSE_ELEMENT,          /* stored in a slice or map element */
	CAUSE_GLOBAL,           /* stored through a global or the heap */
	CAUSE_CALL,             /* passed to a call that leaks it */
	CAUSE_RETURN,           /* returned to the caller */
	CAUSE_UNKNOWN,          /* a chain whose reasons name none of these */
	CAUSE_N
};

const char *cause_name(int c);          /* "interface", "closure", ... */
const char *cause_hint(int c);          /* one line: the usual remedy */
int cause_parse(const char *s);         /* -1 when unknown */
/* The cause of a parsed finding (its kind, subject and blocks). */
int cause_derive(const struct esc_finding *f);

#endif
