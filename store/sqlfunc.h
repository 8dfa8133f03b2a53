/*
 * sqlfunc: SQL functions escdb adds to its SQLite connections, part of
 * the documented SQL interface (man escdb, "SQL interface"):
 *   regexp(PATTERN, TEXT)  PCRE2 match, so "TEXT REGEXP PATTERN" works;
 *                          1 or 0, NULL when either is NULL
 *   escdb_flows(BLOB)      a finding's flow chain as JSON text, the
 *                          "flows" array of the JSON form of a finding
 * Prints nothing.  Callers: cmd/ (escdb sql) and store/.
 */
#ifndef ESCDB_SQLFUNC_H
#define ESCDB_SQLFUNC_H

#include <sqlite3.h>

/* Registers the functions on db; returns an SQLite result code. */
int store_register_functions(sqlite3 *db);

#endif
