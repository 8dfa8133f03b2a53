/*
 * logopt_int.h: the state of one logopt package, shared by logopt.c
 * (files, JSON, helpers) and logopt_pkg.c (explanation records and how
 * they become findings).  Only those two files include it.
 */
#ifndef ESCDB_LOGOPT_INT_H
#define ESCDB_LOGOPT_INT_H

#include <cjson/cJSON.h>

#include "../lib/util.h"
#include "logopt.h"

#define MAX_FILE (256u << 20)   /* a larger .json file is not read */
#define KEEP_MAX 4096           /* kept verbatim text is cut here */

struct rec {                    /* an explanation record, before matching */
	struct esc_block *b;
	int leak;
	int derefs;
};

struct lopkg {
	struct arena arena;
	const struct parser_sink *sink;
	void (*input)(void *, const char *);
	unsigned long *counts, *lines;
	const char *name;
	struct esc_finding *fv;
	size_t fn, fcap;
	size_t *order;                  /* input order of fv, for sorting */
	struct esc_pos *vv;             /* empty "escape" verdict records */
	size_t vn, vcap;
	struct rec *rv;
	size_t rn, rcap;
	struct esc_block **bv;
	size_t bn, bcap;
	int stopped;
	char *curpath;                  /* the file being read, for input() */
};

/* logopt_pkg.c */
void lo_warnf(struct lopkg *p, unsigned long line, const char *fmt, const char *arg);
void lo_keep(struct lopkg *p, enum line_class c, unsigned long line, const char *text, size_t n);
const char *lo_astr(struct lopkg *p, const char *s, size_t n);
const char *lo_uri_path(struct lopkg *p, const char *uri);
char *lo_unescape(char *s);
void lo_diagnostic(struct lopkg *p, const cJSON *d, const char *file, unsigned long line,
    const char *text, size_t len);
int lo_package_flush(struct lopkg *p);

#endif
