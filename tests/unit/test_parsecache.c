/*
 * Unit test for the parser's per-package caches (parser/line.c: the
 * previous line's position prefix, the step and flow texts read before,
 * explain_seen taking such a line whole; parser/block.c: shared step
 * arrays).  Every log of testdata/logs and testdata/nopos is parsed twice:
 * once as a whole, and once a line at a time with every cache emptied
 * before each line, so that each line takes the long way.  Everything the
 * sink sees (packages, findings, blocks, flows, steps, kept lines,
 * warnings, line counts) must be the same.  The logs are parsed again with
 * bytes replaced at random (NUL, invalid UTF-8, backquotes, colons,
 * spaces), since explain_seen skips the byte checks.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../parser/parser_int.h"
#include "check.h"

static unsigned long logs_seen, lines_seen;

static void
pos_out(struct sbuf *o, const struct esc_pos *p)
{
	sbuf_addf(o, " %s:%d:%d", p->file, p->line, p->col);
}

static int
on_package(void *ctx, const struct esc_package *pkg)
{
	struct sbuf *o = ctx;
	size_t i, j, k;

	sbuf_addf(o, "P %s %lu %zu %zu %zu\n", pkg->name, pkg->lineno, pkg->nfindings,
	    pkg->nblocks, pkg->norphans);
	for (i = 0; i < pkg->nfindings; i++) {
		const struct esc_finding *f = &pkg->findings[i];
		sbuf_addf(o, "F %d [%s] [%s] [%s] [%s] %lu", (int)f->kind, f->subject,
		    f->detail, f->message, f->func ? f->func : "(none)", f->lineno);
		pos_out(o, &f->pos);
		for (j = 0; j < f->nblocks; j++)
			sbuf_addf(o, " b%lu", f->blocks[j]->lineno);
		sbuf_addc(o, '\n');
	}
	for (i = 0; i < pkg->nblocks; i++) {
		const struct esc_block *b = pkg->blocks[i];
		sbuf_addf(o, "B %lu [%s] [%s] [%s] [%s] %d %d %zu", b->lineno, b->heading,
		    b->subject ? b->subject : "(none)", b->dest ? b->dest : "(none)",
		    b->func ? b->func : "(none)", b->truncated, b->attached, b->owner);
		pos_out(o, &b->pos);
		sbuf_addc(o, '\n');
		for (j = 0; j < b->nflows; j++) {
			const struct esc_flow *fl = &b->flows[j];
			sbuf_addf(o, " flow [%s] [%s] %zu\n", fl->dst, fl->src, fl->nsteps);
			for (k = 0; k < fl->nsteps; k++) {
				sbuf_addf(o, "  step [%s] [%s]", fl->steps[k].expr,
				    fl->steps[k].reason);
				pos_out(o, &fl->steps[k].pos);
				sbuf_addc(o, '\n');
			}
		}
	}
	return 0;
}

static int
on_line(void *ctx, enum line_class c, unsigned long lineno, const char *text, size_t len)
{
	struct sbuf *o = ctx;

	sbuf_addf(o, "L %d %lu ", (int)c, lineno);
	sbuf_add(o, text, len);
	sbuf_addc(o, '\n');
	return 0;
}

static void
on_warning(void *ctx, enum parser_warning w, unsigned long lineno, const char *text)
{
	sbuf_addf(ctx, "W %d %lu %s\n", (int)w, lineno, text);
}

/* Everything the sink saw of buf, parsed whole, or a line at a time with
 * the caches emptied before each line. */
static void
parse(const char *buf, size_t len, int nocache, struct sbuf *o)
{
	struct parser_sink sink = { o, on_package, on_line, on_warning };
	char err[256];
	struct parser *p = parser_new(&sink, err, sizeof(err));
	const unsigned long *c;
	size_t i = 0;
	int k;

	if (p == NULL)
		abort();
	parser_set_default_package(p, "test/pkg");
	if (!nocache)
		parser_feed(p, buf, len);
	while (nocache && i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (buf + i)) + 1 : len - i;
		p->pfxn = 0;
		htab_reset(&p->steptab);
		htab_reset(&p->flowtab);
		htab_reset(&p->seqtab);
		parser_feed(p, buf + i, n);
		i += n;
	}
	parser_finish(p);
	c = parser_counts(p);
	for (k = 0; k < LC_N; k++)
		sbuf_addf(o, "C %d %lu\n", k, c[k]);
	sbuf_addf(o, "lines %lu m2 %d\n", parser_lines(p), parser_saw_m2(p));
	parser_free(p);
}

static void
compare(const char *name, const char *buf, size_t len)
{
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;
	size_t i;

	parse(buf, len, 0, &a);
	parse(buf, len, 1, &b);
	CHECK(a.len > 0 && a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
	if (a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0) {
		for (i = 0; i < a.len && i < b.len && a.buf[i] == b.buf[i]; i++)
			;
		printf("%s: outputs differ at byte %zu:\n  whole: %.120s\n  lines: %.120s\n",
		    name, i, a.buf + i, b.buf + i);
	}
	sbuf_release(&a);
	sbuf_release(&b);
}

/* buf with about one line in 40 given a bad or tricky byte. */
static char *
corrupt(const char *buf, size_t len, uint64_t seed)
{
	static const char bytes[] = { '\0', '\xff', '\xc3', '`', ':', ' ', '\xe2' };
	char *c = xmalloc(len + 1);
	uint64_t r = seed | 1;
	size_t i, start = 0;

	memcpy(c, buf, len);
	for (i = 0; i <= len; i++) {
		if (i < len && c[i] != '\n')
			continue;
		r ^= r << 13, r ^= r >> 7, r ^= r << 17;
		if (i > start && r % 40 == 0)
			c[start + (r >> 8) % (i - start)] = bytes[(r >> 32) % sizeof(bytes)];
		start = i + 1;
	}
	return c;
}

static void
one_log(const char *path)
{
	struct sbuf in = SBUF_INIT;
	char cmd[4200], chunk[65536];
	size_t l = strlen(path), n, i;
	FILE *fp;
	char *bad;

	if (l > 3 && strcmp(path + l - 3, ".xz") == 0) {
		snprintf(cmd, sizeof(cmd), "xz -dc '%s'", path);
		fp = popen(cmd, "r");
	} else
		fp = fopen(path, "r");
	if (fp == NULL)
		return;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sbuf_add(&in, chunk, n);
	if (l > 3 && strcmp(path + l - 3, ".xz") == 0)
		pclose(fp);
	else
		fclose(fp);
	if (in.len == 0) {
		sbuf_release(&in);
		return;
	}
	logs_seen++;
	for (i = 0; i < in.len; i++)
		lines_seen += in.buf[i] == '\n';
	compare(path, in.buf, in.len);
	bad = corrupt(in.buf, in.len, (uint64_t)in.len * 0x9e3779b97f4a7c15ULL);
	compare(path, bad, in.len);
	free(bad);
	sbuf_release(&in);
}

static void
dir(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	char path[4096];

	if (dp == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		size_t l = strlen(e->d_name);
		if ((l > 4 && strcmp(e->d_name + l - 4, ".log") == 0) ||
		    (l > 7 && strcmp(e->d_name + l - 7, ".log.xz") == 0)) {
			snprintf(path, sizeof(path), "%s/%s", d, e->d_name);
			one_log(path);
		}
	}
	closedir(dp);
}

int
main(int argc, char **argv)
{
	static const char synthetic[] =
	    "# test/synth\n"
	    "a.go:3:2: x escapes to heap:\n"
	    "a.go:3:2:   flow: {heap} = x:\n"
	    "a.go:3:2:     from x (spill) at a.go:3:2\n"
	    "a.go:3:2:     from y (assign) at a.go:4:2\n"
	    "a.go:3:2:     from x (spill) at a.go:3:2\n"
	    "a.go:3:2:     from x (spill) at a.go:3:2 \n"
	    "a.go:3:2:     from x (spill) at a.go:3:2\xff\n"
	    "a.go:3:2:   flow: {heap} = x:\n"
	    "a.go:3:2:     from x (spill) at a.go:3:2\n"
	    "a.go:3:2: x escapes to heap\n"
	    "a.go:3:2:     from x (spill) at a.go:3:2\n"
	    "a.go:3:2:    flow: {heap} = x:\n"
	    "<unknown line number>: b.go:5:1: y escapes to heap:\n"
	    "<unknown line number>: b.go:5:1:   flow: {heap} = y:\n"
	    "<unknown line number>: y escapes to heap:\n"
	    "<unknown line number>:   flow: {heap} = y:\n"
	    "<unknown line number>:     from y (spill) at b.go:5:1\n"
	    "<unknown line number>: b.go:5:1:   flow: {heap} = y:\n"
	    "<unknown line number>: b.go:5:1:     from y (spill) at b.go:5:1\n"
	    "a.go:3:2:3: z escapes to heap:\n"
	    "a.go:3:2:3:   flow: {heap} = z:\n"
	    "a.go:3:2:     from x (spill) at a.go:3:2\n"
	    "a.go:3:2:3:     from x (spill) at a.go:3:2\n"
	    "a.go:3:2:   flow: {heap} = z:\n"
	    "# test/other\n"
	    "a.go:3:2:     from x (spill) at a.go:3:2\n"
	    "a.go:3:2:   flow: {heap} = x:\n";
	int i;

	compare("synthetic", synthetic, sizeof(synthetic) - 1);
	dir("testdata/logs");
	dir("testdata/nopos");
	CHECK(logs_seen >= 10);
	CHECK(lines_seen > 20000);
	for (i = 1; i < argc; i++)      /* more logs, by hand: the corpus */
		one_log(argv[i]);
	printf("parsecache: %lu logs, %lu lines, each parsed both ways\n", logs_seen, lines_seen);
	return check_report("test_parsecache");
}
