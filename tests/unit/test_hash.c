/*
 * Unit test for lib/util.c's hash128 and its pieces (hash128_init, _add,
 * _end), which the parse cache feeds a block at a time as it streams by:
 * any split of the bytes gives the one-shot hash, and the one-shot hash
 * keeps the values it had before it was made of the pieces (pinned).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/util.h"
#include "check.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* hash128 of buf[0, n) fed in random pieces (some empty) equals the
 * one-shot hash */
static int
split_same(const unsigned char *buf, size_t n, uint64_t seed)
{
	struct hash128_st st;
	uint64_t a[2], b[2];
	size_t at = 0;

	hash128(buf, n, seed, a);
	hash128_init(&st, seed);
	while (at < n) {
		size_t k = (size_t)(next() % 70);
		if (k > n - at)
			k = n - at;
		hash128_add(&st, buf + at, k);
		at += k;
	}
	hash128_add(&st, buf, 0);
	hash128_end(&st, b);
	return a[0] == b[0] && a[1] == b[1];
}

int
main(void)
{
	static const struct {
		const char *in;
		uint64_t h0, h1;
	} pin[] = {
		{ "", 0x1bdc1c4c66165f77ULL, 0x94dd2b6dbe8a9d01ULL },
		{ "a", 0xcaef1a2efc0958c7ULL, 0xce44a25870137fdfULL },
		{ "# go/types\n", 0x70c3b070631b1221ULL, 0xe2b827ee886e941dULL },
		{ "0123456789abcdef0123456789abcdef", 0x710ea292847cc159ULL, 0x5819fe21681fa549ULL },
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef!",
		  0xd86ffa5536193519ULL, 0x78430923e5699062ULL },
	};
	size_t big = (1u << 20) + 13, i, n;
	unsigned char *buf = malloc(big);
	uint64_t o[2], o2[2];
	int all = 1;

	for (i = 0; i < sizeof(pin) / sizeof(pin[0]); i++) {
		hash128(pin[i].in, strlen(pin[i].in), (uint64_t)i * 7, o);
		CHECK(o[0] == pin[i].h0 && o[1] == pin[i].h1);
	}
	for (i = 0; i < big; i++)
		buf[i] = (unsigned char)next();
	for (n = 0; n <= 200; n++)
		all &= split_same(buf, n, n);
	CHECK(all);
	all = 1;
	for (i = 0; i < 20; i++)
		all &= split_same(buf, big - i, 5);
	CHECK(all);
	/* a byte changed, or one more zero byte: another hash */
	hash128(buf, 1000, 1, o);
	buf[999] ^= 1;
	hash128(buf, 1000, 1, o2);
	CHECK(o[0] != o2[0] || o[1] != o2[1]);
	memset(buf, 0, 64);
	hash128(buf, 63, 1, o);
	hash128(buf, 64, 1, o2);
	CHECK(o[0] != o2[0] || o[1] != o2[1]);
	free(buf);
	return check_report("hash");
}
