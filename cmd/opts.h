/*
 * opts: the option layer every command shares, in the manner of git's
 * parse-options.  A command declares its options as a table of rows
 * (OPT_STRING, OPT_BOOL, OPT_INT, OPT_CHOICE, OPT_CALLBACK and the shared
 * OPT_RUN, OPT_FORMAT, OPT_OUTPUT, OPT_KINDS, OPT_COLOR) ending in
 * OPT_END(); opt_parse() parses argv against it, and the same table gives
 * the usage line, the --help text and the man page's synopsis.  Only
 * cmd/ uses it.
 */
#ifndef ESCDB_OPTS_H
#define ESCDB_OPTS_H

#include <stdio.h>

enum opt_type {
	OPT_T_END,
	OPT_T_STRING,           /* const char **: the argument */
	OPT_T_BOOL,             /* int *: set to 1 */
	OPT_T_INT,              /* int *: a number in [min, max] */
	OPT_T_CHOICE,           /* int *: index into names[] */
	OPT_T_FORMAT,           /* int *: enum fmt among the mask in min */
	OPT_T_KINDS,            /* unsigned *: mask of 1 << enum esc_kind */
	OPT_T_COLOR,            /* int *: -1 auto, 0 never, 1 always */
	OPT_T_STRLIST,          /* struct opt_strlist *: each value appended */
	OPT_T_CALLBACK          /* cb(value, arg) */
};

/* Row flags. */
#define OPT_REQUIRED 1u         /* must be given; no brackets in the usage */
#define OPT_NOARG 2u            /* OPT_CALLBACK without an argument */

struct opt {
	enum opt_type type;
	int shrt;               /* short letter or 0 */
	const char *lng;        /* long name (without --) or NULL */
	const char *alias;      /* a second long name, not listed (--kind) */
	void *value;
	const char *argh;       /* the argument's name in the usage */
	const char *help;       /* one line; "\n" continues it */
	unsigned flags;
	long min, max;          /* OPT_INT range; OPT_FORMAT: allowed mask */
	const char *const *names;  /* OPT_CHOICE: NULL-terminated names */
	/* OPT_CALLBACK: returns EXIT_OK or prints and returns an exit status */
	int (*cb)(void *value, const char *arg);
};

#define OPT_END() { OPT_T_END, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL }
#define OPT_STRING(s, l, v, a, h) \
	{ OPT_T_STRING, (s), (l), NULL, (v), (a), (h), 0, 0, 0, NULL, NULL }
#define OPT_BOOL(s, l, v, h) \
	{ OPT_T_BOOL, (s), (l), NULL, (v), NULL, (h), 0, 0, 0, NULL, NULL }
#define OPT_INT(l, v, a, lo, hi, h) \
	{ OPT_T_INT, 0, (l), NULL, (v), (a), (h), 0, (lo), (hi), NULL, NULL }
#define OPT_CHOICE(l, v, names, h) \
	{ OPT_T_CHOICE, 0, (l), NULL, (v), NULL, (h), 0, 0, 0, (names), NULL }
#define OPT_CALLBACK(s, l, v, a, h, fn) \
	{ OPT_T_CALLBACK, (s), (l), NULL, (v), (a), (h), 0, 0, 0, NULL, (fn) }
/* A repeatable option's values: v has room for max of them. */
struct opt_strlist {
	const char **v;
	size_t n, max;
};
#define OPT_STRLIST(l, v, a, h) \
	{ OPT_T_STRLIST, 0, (l), NULL, (v), (a), (h), 0, 0, 0, NULL, NULL }

/* Options that must be given. */
#define OPT_INT_REQ(l, v, a, lo, hi, h) \
	{ OPT_T_INT, 0, (l), NULL, (v), (a), (h), OPT_REQUIRED, (lo), (hi), NULL, NULL }
#define OPT_STRING_REQ(s, l, v, a, h) \
	{ OPT_T_STRING, (s), (l), NULL, (v), (a), (h), OPT_REQUIRED, 0, 0, NULL, NULL }

/* The shared options: one spelling and one meaning everywhere. */
#define OPT_RUN(v) OPT_STRING(0, "run", (v), "SEL", \
	"the run: latest (default), latest~N, id:N, a label or a commit")
#define OPT_OUTPUT(v) OPT_STRING('o', "output", (v), "FILE", \
	"write to FILE instead of standard output")
/* v is an int * holding the default format; mask the allowed ones. */
#define OPT_FORMAT(v, mask) \
	{ OPT_T_FORMAT, 0, "format", NULL, (v), NULL, NULL, 0, (long)(mask), 0, NULL, NULL }
/* v is an unsigned * holding the default mask (0 means every kind). */
#define OPT_KINDS(v) \
	{ OPT_T_KINDS, 0, "kinds", "kind", (v), "LIST", NULL, 0, 0, 0, NULL, NULL }
/* diff and gate: which findings are compared. */
#define OPT_EXCLUDE(v) OPT_STRLIST("exclude", (v), "GLOB", \
	"leave out findings whose path (from the repository root or the " \
	"run's directory) matches GLOB; repeatable")
#define OPT_INCLUDE_EXTERNAL(v) OPT_BOOL(0, "include-external", (v), \
	"also compare findings in files under GOROOT or the module cache " \
	"(left out by default)")
/* A pprof profile (escdb hot) whose weight the command adds. */
#define OPT_PROFILE(v, h) OPT_STRING(0, "profile", (v), "FILE", (h))
#define OPT_ALLOW_PARTIAL(v) OPT_BOOL(0, "allow-partial", (v), \
	"compare a run stored from cut input (refused otherwise)")
#define OPT_COLOR(v) \
	{ OPT_T_COLOR, 0, "color", NULL, (v), "WHEN", \
	  "colour the text output: auto (default: on a terminal, " \
	  "without $NO_COLOR), always or never", 0, 0, 0, NULL, NULL }

/* What a command's help says besides its options. */
struct opt_usage {
	const char *cmd;        /* "gate" */
	const char *args;       /* positional arguments in the usage line */
	const char *args_mdoc;  /* the same in mdoc, lines split by "\n" */
	const char *about;      /* the text between the usage and the options */
	const char *epilog;     /* the text after the options, or NULL */
};

/* opt_parse flags. */
#define OPT_STOP_AT_ARG 1u      /* options end at the first argument */

/*
 * Parses the options of argv[1..argc-1] against the table.  Returns -1
 * with *argc and *argv set to the remaining arguments (in order, without
 * the command name), or an exit status to return at once: EXIT_OK after
 * --help (help on standard output) or --synopsis (the man page's lines),
 * EXIT_USAGE after an error (message and usage on standard error).
 */
int opt_parse(const struct opt_usage *u, const struct opt *opts, unsigned flags,
    int *argc, char ***argv);
/* Prints the usage line(s) of a command. */
void opt_usage_line(const struct opt_usage *u, const struct opt *opts, FILE *fp);
/* Prints a usage error: "escdb: CMD: TEXT" and the usage line; returns
 * EXIT_USAGE. */
int opt_usage_error(const struct opt_usage *u, const struct opt *opts,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
