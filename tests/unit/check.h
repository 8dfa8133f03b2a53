/*
 * check.h: a tiny test harness for tests/unit/test_*.c.  Each test program
 * includes it once, calls CHECK()/CHECK_STR()/CHECK_INT() and ends main with
 * `return check_report("name");`, which prints "name: N passed, M failed"
 * and returns non-zero when any check failed.  A failing check prints one
 * line: file:line: the expression (and, for STR/INT, the two values).
 */
#ifndef ESCDB_TEST_CHECK_H
#define ESCDB_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond) do { \
	if (cond) \
		check_passed++; \
	else { \
		check_failed++; \
		printf("%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *check_g_ = (got), *check_w_ = (want); \
	if (check_g_ && check_w_ && strcmp(check_g_, check_w_) == 0) \
		check_passed++; \
	else { \
		check_failed++; \
		printf("%s:%d: CHECK_STR failed: %s = \"%s\", want \"%s\"\n", \
		    __FILE__, __LINE__, #got, check_g_ ? check_g_ : "(null)", \
		    check_w_ ? check_w_ : "(null)"); \
	} \
} while (0)

#define CHECK_INT(got, want) do { \
	long long check_g_ = (long long)(got), check_w_ = (long long)(want); \
	if (check_g_ == check_w_) \
		check_passed++; \
	else { \
		check_failed++; \
		printf("%s:%d: CHECK_INT failed: %s = %lld, want %lld\n", \
		    __FILE__, __LINE__, #got, check_g_, check_w_); \
	} \
} while (0)

/* Counts a check whose message the caller prints itself. */
static inline void check_count(int ok)
{
	if (ok)
		check_passed++;
	else
		check_failed++;
}

static inline int check_report(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
