/*
 * opts: one option parser, usage printer and man page synopsis writer for
 * every command's option table (cmd/opts.h).
 */
#include "cmd.h"
#include "opts.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "../report/diff.h"

#define USAGE_WIDTH 79
#define HELP_COLUMN 24

static const char *const fmt_names[] = {
	"text", "json", "jsonl", "csv", "md", "sarif", "github", "html", "codequality"
};
#define FMT_N (sizeof(fmt_names) / sizeof(fmt_names[0]))

static const char *const color_names[] = { "never", "always", "auto", NULL };

/* The allowed format names, default first, joined by sep. */
static void
format_list(const struct opt *o, const char *sep, struct sbuf *out)
{
	unsigned mask = (unsigned)o->min, i;
	int def = o->value ? *(const int *)o->value : -1;

	if (def >= 0 && (unsigned)def < FMT_N && (mask & (1u << def)))
		sbuf_adds(out, fmt_names[def]);
	for (i = 0; i < FMT_N; i++)
		if ((mask & (1u << i)) && (int)i != def) {
			if (out->len)
				sbuf_adds(out, sep);
			sbuf_adds(out, fmt_names[i]);
		}
}

static void
choice_list(const char *const *names, const char *sep, struct sbuf *out)
{
	size_t i;

	for (i = 0; names[i]; i++) {
		if (i)
			sbuf_adds(out, sep);
		sbuf_adds(out, names[i]);
	}
}

/* The argument's name as the usage shows it; NULL for none. */
static void
arg_name(const struct opt *o, struct sbuf *out)
{
	switch (o->type) {
	case OPT_T_BOOL:
		return;
	case OPT_T_FORMAT:
		format_list(o, "|", out);
		return;
	case OPT_T_CHOICE:
		choice_list(o->names, "|", out);
		return;
	case OPT_T_CALLBACK:
		if (o->flags & OPT_NOARG)
			return;
		break;
	default:
		break;
	}
	sbuf_adds(out, o->argh ? o->argh : "ARG");
}

static int
takes_arg(const struct opt *o)
{
	return o->type != OPT_T_BOOL && !(o->type == OPT_T_CALLBACK && (o->flags & OPT_NOARG));
}

/* ---- usage and help ---- */

static void
emit_word(FILE *fp, const char *w, size_t indent, size_t *col)
{
	size_t n = strlen(w);

	if (*col > indent && *col + 1 + n > USAGE_WIDTH) {
		fprintf(fp, "\n%*s", (int)indent, "");
		*col = indent;
	} else if (*col > indent) {
		fputc(' ', fp);
		(*col)++;
	}
	fputs(w, fp);
	*col += n;
}

void
opt_usage_line(const struct opt_usage *u, const struct opt *opts, FILE *fp)
{
	struct sbuf w = SBUF_INIT, a = SBUF_INIT;
	const struct opt *o;
	size_t indent, col;
	char shorts[64];
	size_t ns = 0;

	fprintf(fp, "usage: escdb %s", u->cmd);
	indent = col = strlen("usage: escdb ") + strlen(u->cmd) + 1;
	fputc(' ', fp);
	/* the short flags without arguments first, as one group */
	for (o = opts; o->type != OPT_T_END; o++)
		if (o->shrt && !takes_arg(o) && ns + 1 < sizeof(shorts))
			shorts[ns++] = (char)o->shrt;
	shorts[ns] = '\0';
	if (ns) {
		sbuf_addf(&w, "[-%s]", shorts);
		emit_word(fp, w.buf, indent, &col);
	}
	for (o = opts; o->type != OPT_T_END; o++) {
		if (o->shrt && !takes_arg(o))
			continue;
		sbuf_reset(&w);
		sbuf_reset(&a);
		arg_name(o, &a);
		if (!(o->flags & OPT_REQUIRED))
			sbuf_addc(&w, '[');
		if (o->shrt)
			sbuf_addf(&w, "-%c", o->shrt);
		else
			sbuf_addf(&w, "--%s", o->lng);
		if (a.len)
			sbuf_addf(&w, " %s", a.buf);
		if (!(o->flags & OPT_REQUIRED))
			sbuf_addc(&w, ']');
		if (o->type == OPT_T_STRLIST)
			sbuf_adds(&w, "...");
		emit_word(fp, w.buf, indent, &col);
	}
	if (u->args && *u->args)
		emit_word(fp, u->args, indent, &col);
	fputc('\n', fp);
	sbuf_release(&w);
	sbuf_release(&a);
}

/* The help text of a shared option, made from its value's default. */
static void
help_text(const struct opt *o, struct sbuf *out)
{
	unsigned m;
	int k;

	if (o->help) {
		sbuf_adds(out, o->help);
		return;
	}
	if (o->type == OPT_T_FORMAT) {
		struct sbuf l = SBUF_INIT;
		const char *last;
		format_list(o, ", ", &l);
		last = strrchr(l.buf, ',');
		if (last == NULL)
			sbuf_addf(out, "%s (the only one)", l.buf);
		else if (strchr(l.buf, ',') == last)
			sbuf_addf(out, "%.*s (default) or %s", (int)(strchr(l.buf, ',') - l.buf),
			    l.buf, last + 2);
		else
			sbuf_addf(out, "%.*s (default)%.*s or %s", (int)(strchr(l.buf, ',') - l.buf),
			    l.buf, (int)(last - strchr(l.buf, ',')), strchr(l.buf, ','), last + 2);
		sbuf_release(&l);
		return;
	}
	if (o->type == OPT_T_KINDS) {
		m = *(const unsigned *)o->value;
		sbuf_adds(out, "only these kinds, comma-separated (default ");
		if (m == 0 || m == (1u << ESC_KIND_N) - 1)
			sbuf_adds(out, "all");
		else
			for (k = 0; k < ESC_KIND_N; k++)
				if (m & (1u << k)) {
					sbuf_adds(out, esc_kind_name((enum esc_kind)k));
					if (m >> (k + 1))
						sbuf_addc(out, ',');
				}
		sbuf_adds(out, "): heap, moved, leak, leak-result, leak-content, "
		    "noescape, capture, note or all; --kind is the same");
	}
}

/* Prints help text from HELP_COLUMN on, wrapped at USAGE_WIDTH; "\n"
 * breaks a line. */
static void
wrap(FILE *fp, const char *p)
{
	size_t col = HELP_COLUMN, n;

	while (*p) {
		if (*p == '\n') {
			fprintf(fp, "\n%*s", HELP_COLUMN, "");
			col = HELP_COLUMN;
			p++;
			continue;
		}
		if (*p == ' ') {
			p++;
			continue;
		}
		n = strcspn(p, " \n");
		if (col > HELP_COLUMN && col + 1 + n > USAGE_WIDTH) {
			fprintf(fp, "\n%*s", HELP_COLUMN, "");
			col = HELP_COLUMN;
		} else if (col > HELP_COLUMN) {
			fputc(' ', fp);
			col++;
		}
		fprintf(fp, "%.*s", (int)n, p);
		col += n;
		p += n;
	}
	fputc('\n', fp);
}

static void
opt_help(const struct opt_usage *u, const struct opt *opts, FILE *fp)
{
	struct sbuf left = SBUF_INIT, a = SBUF_INIT, h = SBUF_INIT;
	const struct opt *o;

	opt_usage_line(u, opts, fp);
	if (u->about)
		fprintf(fp, "\n%s", u->about);
	fputc('\n', fp);
	for (o = opts; o->type != OPT_T_END; o++) {
		sbuf_reset(&left);
		sbuf_reset(&a);
		sbuf_reset(&h);
		arg_name(o, &a);
		if (o->shrt && o->lng)
			sbuf_addf(&left, "  -%c, --%s", o->shrt, o->lng);
		else if (o->shrt)
			sbuf_addf(&left, "  -%c", o->shrt);
		else
			sbuf_addf(&left, "      --%s", o->lng);
		if (a.len)
			sbuf_addf(&left, " %s", a.buf);
		help_text(o, &h);
		fputs(left.buf, fp);
		if (left.len + 2 > HELP_COLUMN)
			fprintf(fp, "\n%*s", HELP_COLUMN, "");
		else
			fprintf(fp, "%*s", (int)(HELP_COLUMN - left.len), "");
		wrap(fp, h.buf ? h.buf : "");
	}
	fprintf(fp, "  -h, --help%*sthis help\n", HELP_COLUMN - 12, "");
	if (u->epilog)
		fprintf(fp, "\n%s", u->epilog);
	sbuf_release(&left);
	sbuf_release(&a);
	sbuf_release(&h);
}

/* The man page's synopsis lines for the command (mdoc). */
static void
opt_synopsis(const struct opt_usage *u, const struct opt *opts, FILE *fp)
{
	const struct opt *o;
	struct sbuf a = SBUF_INIT;
	char shorts[64];
	size_t ns = 0;
	const char *p;

	fprintf(fp, ".Nm\n.Cm %s\n", u->cmd);
	for (o = opts; o->type != OPT_T_END; o++)
		if (o->shrt && !takes_arg(o) && ns + 1 < sizeof(shorts))
			shorts[ns++] = (char)o->shrt;
	shorts[ns] = '\0';
	if (ns)
		fprintf(fp, ".Op Fl %s\n", shorts);
	for (o = opts; o->type != OPT_T_END; o++) {
		if (o->shrt && !takes_arg(o))
			continue;
		fputs(o->flags & OPT_REQUIRED ? ".Fl " : ".Op Fl ", fp);
		if (o->shrt)
			fputc(o->shrt, fp);
		else
			fprintf(fp, "-%s", o->lng);
		sbuf_reset(&a);
		if (o->type == OPT_T_FORMAT)
			format_list(o, " | ", &a);
		else if (o->type == OPT_T_CHOICE)
			choice_list(o->names, " | ", &a);
		if (a.len)
			fprintf(fp, " Cm %s", a.buf);
		else if (takes_arg(o))
			fprintf(fp, " Ar %s", o->argh ? o->argh : "ARG");
		if (o->type == OPT_T_STRLIST)
			fputs(" ...", fp);
		fputc('\n', fp);
	}
	for (p = u->args_mdoc; p && *p; ) {
		size_t n = strcspn(p, "\n");
		fprintf(fp, "%.*s\n", (int)n, p);
		p += n;
		if (*p)
			p++;
	}
	sbuf_release(&a);
}

int
opt_usage_error(const struct opt_usage *u, const struct opt *opts, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "escdb: %s: ", u->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	opt_usage_line(u, opts, stderr);
	fprintf(stderr, "'escdb %s --help' describes the options\n", u->cmd);
	return EXIT_USAGE;
}

/* ---- parsing ---- */

static int
set_value(const struct opt_usage *u, const struct opt *opts, const struct opt *o,
    const char *name, const char *arg)
{
	char bad[64], *end;
	long v;
	int i;

	switch (o->type) {
	case OPT_T_STRING:
		*(const char **)o->value = arg;
		return EXIT_OK;
	case OPT_T_BOOL:
		*(int *)o->value = 1;
		return EXIT_OK;
	case OPT_T_INT:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || end == arg || v < o->min || v > o->max) {
			msg_error("%s: %s takes a number of at least %ld, not '%s'", u->cmd,
			    name, o->min, arg);
			return EXIT_USAGE;
		}
		*(int *)o->value = (int)v;
		return EXIT_OK;
	case OPT_T_CHOICE:
	case OPT_T_COLOR:
		for (i = 0; (o->names ? o->names : color_names)[i]; i++)
			if (strcmp(arg, (o->names ? o->names : color_names)[i]) == 0) {
				*(int *)o->value = o->type == OPT_T_COLOR && i == 2 ? -1 : i;
				return EXIT_OK;
			}
		{
			struct sbuf sb = SBUF_INIT;
			choice_list(o->names ? o->names : color_names, ", ", &sb);
			msg_error("%s: unknown %s '%s' (use %s)", u->cmd, name, arg, sb.buf);
			sbuf_release(&sb);
		}
		return EXIT_USAGE;
	case OPT_T_FORMAT:
		for (i = 0; i < (int)FMT_N; i++)
			if (strcmp(arg, fmt_names[i]) == 0 && ((unsigned)o->min & (1u << i))) {
				*(int *)o->value = i;
				return EXIT_OK;
			}
		{
			struct sbuf sb = SBUF_INIT;
			unsigned mask = (unsigned)o->min;
			for (i = 0; i < (int)FMT_N; i++)
				if (mask & (1u << i)) {
					if (sb.len)
						sbuf_adds(&sb, ", ");
					sbuf_adds(&sb, fmt_names[i]);
				}
			msg_error("%s: unknown format '%s' (use %s)", u->cmd, arg, sb.buf);
			sbuf_release(&sb);
		}
		return EXIT_USAGE;
	case OPT_T_KINDS:
		if (diff_parse_kinds(arg, (unsigned *)o->value, bad, sizeof(bad)) == 0)
			return EXIT_OK;
		if (*bad == '\0' || strspn(bad, ", ") == strlen(bad))
			msg_error("%s: %s needs at least one kind", u->cmd, name);
		else
			msg_error("%s: unknown kind '%s' (use heap, moved, leak, leak-result, "
			    "leak-content, noescape, capture, note or all)", u->cmd, bad);
		return EXIT_USAGE;
	case OPT_T_STRLIST: {
		struct opt_strlist *l = o->value;
		if (l->n == l->max) {
			msg_error("%s: at most %zu %s", u->cmd, l->max, name);
			return EXIT_USAGE;
		}
		l->v[l->n++] = arg;
		return EXIT_OK;
	}
	case OPT_T_CALLBACK:
		return o->cb(o->value, arg);
	default:
		break;
	}
	(void)opts;
	return EXIT_INTERNAL;
}

/* The row for --NAME (n bytes): exact, else the only prefix match. */
static const struct opt *
find_long(const struct opt *opts, const char *name, size_t n, int *ambiguous)
{
	const struct opt *o, *hit = NULL;
	int nhit = 0;

	*ambiguous = 0;
	for (o = opts; o->type != OPT_T_END; o++) {
		if ((o->lng && strlen(o->lng) == n && strncmp(o->lng, name, n) == 0) ||
		    (o->alias && strlen(o->alias) == n && strncmp(o->alias, name, n) == 0))
			return o;
	}
	for (o = opts; o->type != OPT_T_END; o++)
		if ((o->lng && strncmp(o->lng, name, n) == 0) ||
		    (o->alias && strncmp(o->alias, name, n) == 0)) {
			if (hit != o)
				nhit++;
			hit = o;
		}
	if (nhit > 1) {
		*ambiguous = 1;
		return NULL;
	}
	return hit;
}

int
opt_parse(const struct opt_usage *u, const struct opt *opts, unsigned flags,
    int *argcp, char ***argvp)
{
	int argc = *argcp, i, w = 1, rc, amb;
	char **argv = *argvp;
	const struct opt *o;
	unsigned char seen[128];
	size_t nopts = 0;

	for (o = opts; o->type != OPT_T_END; o++)
		nopts++;
	memset(seen, 0, sizeof(seen));
	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++)
				argv[w++] = argv[i];
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			if (flags & OPT_STOP_AT_ARG) {
				for (; i < argc; i++)
					argv[w++] = argv[i];
				break;
			}
			argv[w++] = a;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			const char *arg = NULL;
			char optname[80];

			o = find_long(opts, name, n, &amb);
			if (o == NULL && !amb && n > 0 && strncmp("help", name, n) == 0) {
				opt_help(u, opts, stdout);
				return EXIT_OK;
			}
			if (o == NULL && n == 8 && strncmp(name, "synopsis", 8) == 0) {
				opt_synopsis(u, opts, stdout);
				return EXIT_OK;
			}
			if (o == NULL)
				return opt_usage_error(u, opts, "%s option '--%.*s'",
				    amb ? "ambiguous" : "unknown", (int)n, name);
			snprintf(optname, sizeof(optname), "--%.*s", (int)n, name);
			if (!takes_arg(o) && eq)
				return opt_usage_error(u, opts, "option '%s' takes no value", optname);
			if (takes_arg(o)) {
				if (eq)
					arg = eq + 1;
				else if (i + 1 < argc)
					arg = argv[++i];
				else
					return opt_usage_error(u, opts, "option '%s' needs a value", optname);
			}
			/* the name users typed, in full */
			snprintf(optname, sizeof(optname), "--%s", o->lng);
			if ((rc = set_value(u, opts, o, optname, arg)) != EXIT_OK)
				return rc;
			seen[(size_t)(o - opts) % sizeof(seen)] = 1;
			continue;
		}
		for (a++; *a; a++) {
			char optname[3] = { '-', *a, '\0' };
			const char *arg = NULL;

			for (o = opts; o->type != OPT_T_END; o++)
				if (o->shrt == *a)
					break;
			if (o->type == OPT_T_END) {
				if (*a == 'h') {
					opt_help(u, opts, stdout);
					return EXIT_OK;
				}
				return opt_usage_error(u, opts, "unknown option '-%c'", *a);
			}
			if (takes_arg(o)) {
				if (a[1])
					arg = a + 1;
				else if (i + 1 < argc)
					arg = argv[++i];
				else
					return opt_usage_error(u, opts, "option '%s' needs a value", optname);
			}
			if ((rc = set_value(u, opts, o, optname, arg)) != EXIT_OK)
				return rc;
			seen[(size_t)(o - opts) % sizeof(seen)] = 1;
			if (arg)
				break;
		}
	}
	for (o = opts; o->type != OPT_T_END; o++)
		if ((o->flags & OPT_REQUIRED) && !seen[(size_t)(o - opts) % sizeof(seen)]) {
			struct sbuf an = SBUF_INIT;
			arg_name(o, &an);
			rc = opt_usage_error(u, opts, "--%s%s%s is required", o->lng,
			    an.len ? " " : "", an.len ? an.buf : "");
			sbuf_release(&an);
			return rc;
		}
	(void)nopts;
	argv[w] = NULL;
	*argcp = w - 1;
	*argvp = argv + 1;
	return -1;
}
