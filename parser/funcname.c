/*
 * funcname.c: funcname_normalize (see funcscan.h), the compiler's function
 * names with generated numbering removed.
 */
#include "funcscan.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"

/* ------------------------------------------------------------ normalize */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Removes every occurrence of `pat` followed by one or more digits (and,
 * when dot_before, preceded by '.' which is removed too). */
static size_t strip_numbered(char *b, size_t n, const char *pat)
{
	size_t pl = strlen(pat), r = 0, w = 0;

	while (r < n) {
		if (r + pl < n && memcmp(b + r, pat, pl) == 0 && is_digit(b[r + pl])) {
			size_t e = r + pl;
			while (e < n && is_digit(b[e]))
				e++;
			if (e == n || b[e] == '.' || b[e] == '-') {
				r = e;
				continue;
			}
		}
		b[w++] = b[r++];
	}
	b[w] = '\0';
	return w;
}

size_t funcname_normalize(const char *in, char *out, size_t outsz)
{
	size_t n, i, w = 0, len;
	char *b, *res;
	long depth = 0;

	if (!in)
		in = "";
	n = strlen(in);
	b = xmalloc(n + 8);
	res = xmalloc(n + 8);

	/* 1. drop type-argument lists [...] (nested, with any contents) */
	for (i = 0; i < n; i++) {
		if (in[i] == '[')
			depth++;
		else if (in[i] == ']') {
			if (depth > 0)
				depth--;
		} else if (depth == 0)
			b[w++] = in[i];
	}
	b[w] = '\0';
	n = w;

	/* 2. go1.21 and older named package-level literals glob..funcN */
	if (n >= 6 && memcmp(b, "glob..", 6) == 0) {
		memmove(b + 5, b + 6, n - 5);
		memcpy(b, "init.", 5);
		n--;
	}

	/* 3. receiver and package-path prefixes */
	w = 0;
	if (b[0] == '.' && n > 1) {
		/* compiler-generated ".eq.path/pkg.T": keep ".eq.", strip the path */
		const char *dot = memchr(b + 1, '.', n - 1);
		size_t pre = dot ? (size_t)(dot - b) + 1 : n;
		memcpy(res, b, pre);
		w = pre;
		{
			const char *rest = b + pre, *slash = strrchr(rest, '/');
			if (slash) {
				const char *d2 = strchr(slash, '.');
				rest = d2 ? d2 + 1 : slash + 1;
			}
			memcpy(res + w, rest, strlen(rest));
			w += strlen(rest);
		}
	} else if (b[0] == '(') {
		const char *close = memchr(b, ')', n);
		const char *tb = b + 1, *te = close ? close : b + n, *p;
		while (tb < te && (*tb == '*' || *tb == '('))
			tb++;
		for (p = te; p > tb; p--)       /* a type name has no '.': qualifier */
			if (p[-1] == '.' || p[-1] == '/')
				break;
		tb = p;
		memcpy(res, tb, (size_t)(te - tb));
		w = (size_t)(te - tb);
		if (close) {
			size_t rl = n - (size_t)(close + 1 - b);
			memcpy(res + w, close + 1, rl);
			w += rl;
		}
	} else {
		const char *rest = b, *slash = memchr(b, '/', n) ? strrchr(b, '/') : NULL;
		if (slash) {
			const char *d2 = strchr(slash, '.');
			rest = d2 ? d2 + 1 : slash + 1;
		}
		w = n - (size_t)(rest - b);
		memcpy(res, rest, w);
	}
	res[w] = '\0';

	/* 4. init.0 -> init, map.init.0 (outlined map initialiser) -> init;
	 * wrappers and range-over-func bodies -> the enclosing function */
	if (w > 9 && memcmp(res, "map.init.", 9) == 0 && is_digit(res[9])) {
		memmove(res, res + 4, w - 4 + 1);
		w -= 4;
	}
	if (w > 5 && memcmp(res, "init.", 5) == 0 && is_digit(res[5])) {
		size_t e = 5;
		while (e < w && is_digit(res[e]))
			e++;
		if (e == w || res[e] == '.') {
			memmove(res + 4, res + e, w - e + 1);
			w -= e - 4;
		}
	}
	w = strip_numbered(res, w, "-range");
	w = strip_numbered(res, w, ".gowrap");
	w = strip_numbered(res, w, ".deferwrap");
	if (w >= 3 && memcmp(res + w - 3, "-fm", 3) == 0) {
		w -= 3;
		res[w] = '\0';
	}

	/* 5. copy out, truncating at a UTF-8 boundary */
	len = 0;
	if (outsz > 0) {
		len = w < outsz - 1 ? w : outsz - 1;
		if (len < w)
			while (len > 0 && ((unsigned char)res[len] & 0xC0) == 0x80)
				len--;
		memcpy(out, res, len);
		out[len] = '\0';
	}
	free(b);
	free(res);
	return len;
}
