/*
 * linemap: where a line of BASE's sources is in HEAD's, from git (the two
 * runs' commits, or BASE against the work tree when HEAD's run is the
 * checked-out commit), for diff's alignment of findings of one text
 * (report/diff.h, diff_linemap_fn).
 */
#ifndef ESCDB_LINEMAP_H
#define ESCDB_LINEMAP_H

#include "cmd.h"

struct linemap;

/* NULL when a run has no commit or no directory; git runs later. */
struct linemap *linemap_new(const struct run_info *b, const struct run_info *h);
/* diff_linemap_fn: the HEAD line of BASE's line in path (repository-
 * relative), 0 when git says it changed, -1 when unknown (no work tree
 * holding both commits).  git rev-parse and git diff run on the first
 * call. */
int linemap_get(void *ctx, const char *path, int line);
void linemap_free(struct linemap *lm);

#endif
