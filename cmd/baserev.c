/*
 * baserev: gate --base-rev REV.  The base run is the newest stored run of
 * REV's commit; when the database has none, REV is checked out in a
 * temporary git worktree, built and stored through cmd_run (the same code
 * path as escdb run), and the worktree is removed.  git runs without a
 * shell (cmd/gotool.c).
 */
#include "cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gotool.h"

/* Runs git with argv in the current directory; *out (may be NULL) gets
 * its first line.  Returns 0 when git exited 0, else -1 with its
 * standard error in err. */
static int
git(char **argv, char **out, struct sbuf *err)
{
	struct sbuf o = SBUF_INIT;
	int status, rc = -1;

	if (gotool_capture(NULL, argv, &o, err, &status) < 0)
		sbuf_addf(err, "cannot run git: %s\n", strerror(errno));
	else if (status == 0) {
		rc = 0;
		if (out != NULL) {
			o.buf = o.buf ? o.buf : xstrdup("");
			o.buf[strcspn(o.buf, "\r\n")] = '\0';
			*out = xstrdup(o.buf);
		}
	}
	sbuf_release(&o);
	return rc;
}

/* Whether the database holds a run of commit; *latest (when not NULL)
 * receives "id:N" of the newest run, so that building the base does not
 * change what "latest" means for --head. */
static int
have_run(struct cmdctx *cx, const char *commit, char **latest)
{
	struct store *st = NULL;
	struct run_info ri;
	char err[256], buf[32];
	int64_t id;
	int found = 0;

	if (access(cx->dbpath, F_OK) != 0 ||
	    store_open(cx->dbpath, STORE_RDONLY, &st, err, sizeof(err)) != STORE_OK)
		return 0;
	if (latest != NULL && store_select(st, "latest", &id, NULL) == STORE_OK) {
		snprintf(buf, sizeof(buf), "id:%lld", (long long)id);
		*latest = xstrdup(buf);
	}
	if (store_select(st, commit, &id, NULL) == STORE_OK &&
	    store_run_get(st, id, &ri) == STORE_OK) {
		found = strcmp(ri.commit, commit) == 0;
		run_info_release(&ri);
	}
	store_close(st);
	return found;
}

/* Builds commit in a temporary worktree and stores its run. */
static int
build_base(struct cmdctx *cx, const char *commit, const char *prefix)
{
	char tmpl[4096], wt[4200], dir[8400];
	const char *tmp = getenv("TMPDIR");
	char *add[] = { "git", "worktree", "add", "--detach", "--quiet", wt, (char *)commit, NULL };
	char *rm[] = { "git", "worktree", "remove", "--force", wt, NULL };
	char *runv[] = { "run", "-C", dir, "--commit", (char *)commit, NULL };
	struct sbuf err = SBUF_INIT;
	int rc, saved;

	snprintf(tmpl, sizeof(tmpl), "%s/escdb-base.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(tmpl) == NULL) {
		msg_error("gate: cannot create a temporary directory: %s", strerror(errno));
		return EXIT_INTERNAL;
	}
	snprintf(wt, sizeof(wt), "%s/src", tmpl);
	snprintf(dir, sizeof(dir), "%s/%s", wt, prefix);
	msg_warn("gate: the database has no run of base commit %.12s; building it "
	    "in a temporary worktree", commit);
	if (git(add, NULL, &err) < 0) {
		if (err.len && err.buf[err.len - 1] == '\n')
			err.buf[--err.len] = '\0';
		msg_error("gate: cannot check out %s in a worktree: %s", commit,
		    err.len ? err.buf : "git failed");
		sbuf_release(&err);
		rmdir(tmpl);
		return EXIT_USAGE;
	}
	/* run reports its run on standard output; the gate's report owns
	 * standard output, so that line goes to standard error. */
	fflush(stdout);
	saved = dup(1);
	if (saved >= 0)
		dup2(2, 1);
	rc = cmd_run(cx, 5, runv);
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, 1);
		close(saved);
	}
	sbuf_reset(&err);
	if (git(rm, NULL, &err) < 0)
		msg_warn("gate: cannot remove the worktree %s: %s", wt, err.buf ? err.buf : "");
	sbuf_release(&err);
	rmdir(tmpl);
	return rc;
}

int
cmd_gate_base_rev(struct cmdctx *cx, const char *rev, char **sel, char **head)
{
	struct sbuf spec = SBUF_INIT, err = SBUF_INIT;
	char *commit = NULL, *prefix = NULL;
	char *parse[] = { "git", "rev-parse", "--verify", "--quiet", NULL, NULL };
	char *show[] = { "git", "rev-parse", "--show-prefix", NULL };
	int rc = EXIT_OK;

	*sel = NULL;
	if (rev[0] == '-' || rev[0] == '\0') {
		msg_error("gate: bad --base-rev '%s'", rev);
		return EXIT_USAGE;
	}
	sbuf_addf(&spec, "%s^{commit}", rev);
	parse[4] = spec.buf;
	if (git(parse, &commit, &err) < 0 || commit[0] == '\0') {
		if (err.len && err.buf[err.len - 1] == '\n')
			err.buf[--err.len] = '\0';
		msg_error("gate: --base-rev: git does not know the commit '%s' here%s%s", rev,
		    err.len ? ": " : "", err.len ? err.buf : "");
		rc = EXIT_USAGE;
		goto out;
	}
	if (!have_run(cx, commit, head)) {
		sbuf_reset(&err);
		if (git(show, &prefix, &err) < 0) {
			msg_error("gate: --base-rev: not in a git work tree");
			rc = EXIT_USAGE;
			goto out;
		}
		if ((rc = build_base(cx, commit, prefix)) != EXIT_OK)
			goto out;
	}
	*sel = commit;
	commit = NULL;
out:
	free(commit);
	free(prefix);
	sbuf_release(&spec);
	sbuf_release(&err);
	return rc;
}
