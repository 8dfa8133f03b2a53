/*
 * buildfail: the output of a failed go build, cut to what failed.  The
 * parser classifies every line (pass 1); the lines it keeps as compile
 * errors, go command messages or unrecognised text are printed under
 * their package headers (pass 2); diagnostics are only counted.
 */
#include "buildfail.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gotool.h"
#include "../parser/parser.h"

struct marks {
	unsigned long *v;       /* input lines to show, ascending */
	size_t n, cap;
};

static void
mark(struct marks *m, unsigned long line)
{
	if (m->n && m->v[m->n - 1] >= line)
		return;
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->v = xreallocarray(m->v, m->cap, sizeof(*m->v));
	}
	m->v[m->n++] = line;
}

static int
kept(void *ctx, enum line_class c, unsigned long lineno, const char *text, size_t n)
{
	(void)text;
	(void)n;
	if (c == LC_ERROR || c == LC_TOOL || c == LC_UNRECOGNISED)
		mark(ctx, lineno);
	return 0;
}

/* Pass 1: the lines worth showing; *nlines receives the input's count. */
static int
classify(FILE *fp, struct marks *m, unsigned long *nlines)
{
	struct parser_sink sink;
	struct parser *p;
	char err[256];
	int rc;

	memset(&sink, 0, sizeof(sink));
	sink.ctx = m;
	sink.line = kept;
	if ((p = parser_new(&sink, err, sizeof(err))) == NULL) {
		errno = EINVAL;
		return -1;
	}
	rc = parser_read(p, fp);
	*nlines = parser_lines(p);
	parser_free(p);
	return rc < 0 ? -1 : 0;
}

int
buildfail_show(FILE *fp, FILE *out, int verbose)
{
	struct marks m = { NULL, 0, 0 };
	unsigned long nlines = 0, lineno = 0, shown = 0, errors_hidden = 0;
	char *line = NULL, *header = NULL;
	size_t cap = 0, k = 0;
	ssize_t len;
	int header_shown = 0, rc = 0;

	if (fseeko(fp, 0, SEEK_SET) != 0)
		return -1;
	if (verbose)
		return gotool_copy(fp, out);
	if (classify(fp, &m, &nlines) < 0) {
		free(m.v);
		return -1;
	}
	if (m.n == 0) {
		/* Nothing looks like an error: the end of the output is
		 * where a go command says why it stopped. */
		unsigned long i = nlines > BUILDFAIL_MAX_LINES ? nlines - BUILDFAIL_MAX_LINES + 1 : 1;
		for (; i <= nlines; i++)
			mark(&m, i);
	}
	if (fseeko(fp, 0, SEEK_SET) != 0) {
		free(m.v);
		return -1;
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if (line[0] == '#' && (line[1] == ' ' || line[1] == '\n')) {
			free(header);
			header = xstrdup(line);
			header_shown = 0;
		}
		while (k < m.n && m.v[k] < lineno)
			k++;
		if (k >= m.n || m.v[k] != lineno)
			continue;
		if (shown >= BUILDFAIL_MAX_LINES) {
			errors_hidden++;
			continue;
		}
		if (header != NULL && !header_shown) {
			fputs(header, out);
			if (header[strlen(header) - 1] != '\n')
				fputc('\n', out);
			shown++;
			header_shown = 1;
		}
		fputs(line, out);
		if (len > 0 && line[len - 1] != '\n')
			fputc('\n', out);
		shown++;
	}
	if (ferror(fp))
		rc = -1;
	if (errors_hidden)
		fprintf(out, "escdb: %lu more error line%s not shown\n", errors_hidden,
		    errors_hidden == 1 ? "" : "s");
	if (lineno > shown + errors_hidden) {
		unsigned long omitted = lineno - shown - errors_hidden;
		fprintf(out, "escdb: %lu diagnostic line%s of the build omitted "
		    "(escdb run --verbose shows the whole output)\n", omitted,
		    omitted == 1 ? "" : "s");
	}
	free(line);
	free(header);
	free(m.v);
	if (fflush(out) != 0 || ferror(out))
		rc = -1;
	return rc;
}
