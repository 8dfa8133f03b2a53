/*
 * fuzz_logopt: libFuzzer target for parser/logopt.h.  The reader takes a
 * directory, so each input is written as files of a scratch logopt
 * directory (made once per process with mkdtemp): the input is cut at
 * each "\n=====\n" marker, piece k becoming pkgK/fileK.json (piece 1 goes
 * in an URL-escaped folder name).  Then logopt_is_dir, logopt_probe and
 * logopt_read_dir run on it with a sink that walks every finding, block,
 * flow and step.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parser/logopt.h"
#include "walk.h"

static char base[64];

static void
on_input(void *ctx, const char *path)
{
	(void)ctx;
	touch(path);
}

static const char *const pkgs[] = { "example.com%2Ffuzz", "main", "p2", "p3" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parser_sink sink = { NULL, on_package, on_line, on_warning };
	struct logopt_info info;
	unsigned long counts[LC_N] = { 0 }, lines = 0;
	char path[256];
	const char *s = (const char *)data, *end = s + size;
	int k;

	if (base[0] == '\0') {
		snprintf(base, sizeof base, "%s/escdb-fuzz-logopt.XXXXXX",
		    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (mkdtemp(base) == NULL)
			abort();
	}
	for (k = 0; k < 4; k++) {
		snprintf(path, sizeof path, "%s/%s", base, pkgs[k]);
		mkdir(path, 0700);
		snprintf(path, sizeof path, "%s/%s/f%d.json", base, pkgs[k], k);
		unlink(path);
	}
	for (k = 0; k < 4 && s <= end; k++) {
		const char *m = memmem(s, (size_t)(end - s), "\n=====\n", 7);
		const char *e = m ? m + 1 : end;
		FILE *fp;
		snprintf(path, sizeof path, "%s/%s/f%d.json", base, pkgs[k], k);
		if ((fp = fopen(path, "wb")) == NULL)
			abort();
		fwrite(s, 1, (size_t)(e - s), fp);
		fclose(fp);
		if (m == NULL)
			break;
		s = m + 7;
	}
	sink_total += (size_t)logopt_is_dir(base);
	if (logopt_probe(base, &info) == 0)
		sink_total += strlen(info.gc_version) + strlen(info.goos) +
		    strlen(info.goarch);
	logopt_read_dir(base, &sink, on_input, counts, &lines);
	for (k = 0; k < LC_N; k++)
		sink_total += counts[k];
	return 0;
}
