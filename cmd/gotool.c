/* gotool: see gotool.h */
#include "gotool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Starts argv in dir with stdout on outfd and stderr on errfd, stdin from
 * /dev/null.  posix_spawn, not fork: the child shares the address space
 * until it execs (no copy of escdb's page tables, no copy-on-write fault
 * on every page escdb writes afterwards, which a fork in the middle of a
 * parse costs), and a failed chdir or exec is an error here, not an exit
 * status 127.
 */
static int
spawn(const char *dir, char *const argv[], int outfd, int errfd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t def;
	int lowout = -1, lowerr = -1, e;

	/* descriptors 0-2 of ours would be overwritten by the dup2s below */
	if (outfd < 3 && (outfd = lowout = fcntl(outfd, F_DUPFD_CLOEXEC, 3)) < 0)
		return -1;
	if (errfd < 3 && (errfd = lowerr = fcntl(errfd, F_DUPFD_CLOEXEC, 3)) < 0) {
		e = errno;
		if (lowout >= 0)
			close(lowout);
		errno = e;
		return -1;
	}
	fflush(NULL);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
	e = 0;
	if (dir != NULL)
		e = posix_spawn_file_actions_addchdir_np(&fa, dir);
	if (e == 0)
		e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (e == 0)
		e = posix_spawn_file_actions_adddup2(&fa, outfd, 1);
	if (e == 0)
		e = posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	if (e == 0)
		e = posix_spawnp(pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (lowout >= 0)
		close(lowout);
	if (lowerr >= 0)
		close(lowerr);
	if (e != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

static int
reap(pid_t pid, int *status)
{
	int ws;

	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(ws))
		*status = WEXITSTATUS(ws);
	else if (WIFSIGNALED(ws))
		*status = 128 + WTERMSIG(ws);
	else
		*status = 255;
	return 0;
}

int
gotool_capture(const char *dir, char *const argv[], struct sbuf *out,
    struct sbuf *err, int *status)
{
	int op[2], ep[2] = { -1, -1 }, e;
	struct pollfd pf[2];
	struct sbuf *dst[2];
	char buf[8192];
	pid_t pid;
	int nopen, i;

	if (pipe2(op, O_CLOEXEC) < 0)
		return -1;
	if (err != NULL && pipe2(ep, O_CLOEXEC) < 0) {
		e = errno;
		close(op[0]);
		close(op[1]);
		errno = e;
		return -1;
	}
	if (spawn(dir, argv, op[1], err ? ep[1] : op[1], &pid) < 0) {
		e = errno;
		close(op[0]);
		close(op[1]);
		if (err != NULL) {
			close(ep[0]);
			close(ep[1]);
		}
		errno = e;
		return -1;
	}
	close(op[1]);
	pf[0].fd = op[0];
	pf[0].events = POLLIN;
	dst[0] = out;
	nopen = 1;
	if (err != NULL) {
		close(ep[1]);
		pf[1].fd = ep[0];
		pf[1].events = POLLIN;
		dst[1] = err;
		nopen = 2;
	} else
		pf[1].fd = -1;
	while (nopen > 0) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			ssize_t n;

			if (pf[i].fd < 0 || pf[i].revents == 0)
				continue;
			n = read(pf[i].fd, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				close(pf[i].fd);
				pf[i].fd = -1;
				nopen--;
				continue;
			}
			sbuf_add(dst[i], buf, (size_t)n);
		}
	}
	for (i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	return reap(pid, status);
}

int
gotool_spool_start(const char *dir, char *const argv[], FILE *fp, pid_t *pid)
{
	if (fflush(fp) != 0)
		return -1;
	return spawn(dir, argv, fileno(fp), fileno(fp), pid);
}

int
gotool_wait(pid_t pid, int *status)
{
	return reap(pid, status);
}

int
gotool_stop(pid_t pid, int *status)
{
	kill(pid, SIGTERM);
	return reap(pid, status);
}

/* ---- following a spool file while its command writes it ---- */

struct follow {
	int fd;                 /* the spool's descriptor (shared with the child) */
	off_t off;              /* our own offset: pread, never the shared one */
	pid_t pid;
	int *status;
	int done;               /* the command has exited and been reaped */
	void (*on_exit)(void *ctx, int status);
	int (*idle)(void *ctx);
	void *ctx;
};

/* Has the command exited?  1 (reaped: status set, on_exit called), 0
 * (still running), -1 (error). */
static int
follow_poll(struct follow *f)
{
	int ws;
	pid_t w = waitpid(f->pid, &ws, WNOHANG);

	if (w < 0)
		return errno == EINTR ? 0 : -1;
	if (w != f->pid)
		return 0;
	if (WIFEXITED(ws))
		*f->status = WEXITSTATUS(ws);
	else if (WIFSIGNALED(ws))
		*f->status = 128 + WTERMSIG(ws);
	else
		*f->status = 255;
	f->done = 1;
	if (f->on_exit != NULL)
		f->on_exit(f->ctx, *f->status);
	return 1;
}

static ssize_t
follow_read(void *cookie, char *buf, size_t size)
{
	struct follow *f = cookie;
	const struct timespec nap = { 0, 2000000 };     /* 2 ms */

	for (;;) {
		ssize_t n = pread(f->fd, buf, size, f->off);
		int r;

		if (n > 0) {
			f->off += n;
			/* the reader may lag: notice the exit as it happens */
			if (!f->done)
				follow_poll(f);
			return n;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (f->done)
			return 0;
		/* At the end of what is written so far: the command may
		 * still write more, unless it has exited (then read what it
		 * wrote last, once more, before the end). */
		if ((r = follow_poll(f)) < 0)
			return -1;
		/* nothing new yet: the reader's own work, else a nap */
		if (r == 0 && (f->idle == NULL || !f->idle(f->ctx)))
			nanosleep(&nap, NULL);
	}
}

static int
follow_close(void *cookie)
{
	struct follow *f = cookie;
	int st;

	if (!f->done) {
		/* Closed before the end (the reader gave up): stop it. */
		if (gotool_stop(f->pid, &st) == 0)
			*f->status = st;
	}
	free(f);
	return 0;
}

FILE *
gotool_follow(FILE *fp, pid_t pid, int *status, void (*on_exit)(void *ctx, int status),
    int (*idle)(void *ctx), void *ctx)
{
	static const cookie_io_functions_t io = { follow_read, NULL, NULL, follow_close };
	struct follow *f = xcalloc(1, sizeof(*f));
	FILE *s;

	f->fd = fileno(fp);
	f->pid = pid;
	f->status = status;
	f->on_exit = on_exit;
	f->idle = idle;
	f->ctx = ctx;
	*status = 255;
	if ((s = fopencookie(f, "r", io)) == NULL)
		free(f);
	return s;
}

int
gotool_spool(const char *dir, char *const argv[], FILE *fp, int *status)
{
	pid_t pid;
	int fd = fileno(fp);

	if (fflush(fp) != 0)
		return -1;
	if (spawn(dir, argv, fd, fd, &pid) < 0)
		return -1;
	if (reap(pid, status) < 0)
		return -1;
	/* The child wrote through the same open file: resynchronise. */
	if (fseeko(fp, 0, SEEK_SET) != 0)
		return -1;
	return 0;
}

/* A new empty file PREFIX-XXXXXX under $TMPDIR, else /tmp: its open
 * descriptor, its path in *path (caller frees); -1 with errno set. */
static int
tmp_create(const char *prefix, char **path)
{
	const char *tmp = getenv("TMPDIR");
	struct sbuf sb = SBUF_INIT;
	int fd, e;

	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	sbuf_addf(&sb, "%s/%s-XXXXXX", tmp, prefix);
	fd = mkostemp(sb.buf, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		sbuf_release(&sb);
		errno = e;
		return -1;
	}
	*path = sbuf_detach(&sb);
	return fd;
}

char *
gotool_tmpname(const char *prefix)
{
	char *path;
	int fd = tmp_create(prefix, &path);

	if (fd < 0)
		return NULL;
	close(fd);
	return path;
}

FILE *
gotool_tmpfile(void)
{
	char *path;
	FILE *fp;
	int fd, e;

	if ((fd = tmp_create("escdb", &path)) < 0)
		return NULL;
	unlink(path);
	free(path);
	fp = fdopen(fd, "w+");
	if (fp == NULL) {
		e = errno;
		close(fd);
		errno = e;
	}
	return fp;
}

int
gotool_copy(FILE *fp, FILE *out)
{
	char buf[65536];
	size_t n;

	if (fseeko(fp, 0, SEEK_SET) != 0)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			return -1;
	if (ferror(fp))
		return -1;
	return fflush(out) == 0 ? 0 : -1;
}

static int
name_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

int
gotool_keep_blocks(FILE *fp, FILE *out, char *const names[], size_t n)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int keep = 0, rc = 0;

	if (fseeko(fp, 0, SEEK_SET) != 0)
		return -1;
	while ((len = getline(&line, &cap, fp)) > 0) {
		if (len > 2 && line[0] == '#' && line[1] == ' ') {
			size_t m = (size_t)len;

			while (m > 2 && (line[m - 1] == '\n' || line[m - 1] == '\r'))
				m--;
			line[m] = '\0';
			keep = bsearch(line + 2, names, n, sizeof(*names), name_cmp) != NULL;
			if (keep && fprintf(out, "%s\n", line) < 0)
				rc = -1;
			continue;
		}
		if (keep && fwrite(line, 1, (size_t)len, out) != (size_t)len)
			rc = -1;
	}
	if (ferror(fp))
		rc = -1;
	free(line);
	if (fflush(out) != 0 || fseeko(out, 0, SEEK_SET) != 0)
		rc = -1;
	return rc;
}

void
gotool_cmdline(struct sbuf *sb, char *const argv[])
{
	const char *a;
	int i;

	for (i = 0; argv[i] != NULL; i++) {
		a = argv[i];
		if (i > 0)
			sbuf_addc(sb, ' ');
		if (a[0] != '\0' && a[strcspn(a, " \t\n'\"\\$`")] == '\0') {
			sbuf_adds(sb, a);
			continue;
		}
		sbuf_addc(sb, '\'');
		for (; *a; a++) {
			if (*a == '\'')
				sbuf_adds(sb, "'\\''");
			else
				sbuf_addc(sb, *a);
		}
		sbuf_addc(sb, '\'');
	}
}

int
gotool_repo_prefix(const char *dir, char **prefix)
{
	char *argv[] = { "git", "-C", (char *)dir, "rev-parse", "--show-prefix", NULL };
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	int status, in = 0;

	*prefix = NULL;
	if (gotool_capture(NULL, argv, &out, &err, &status) == 0 && status == 0) {
		in = 1;
		if (out.len)
			out.buf[strcspn(out.buf, "\r\n")] = '\0';
		*prefix = xstrdup(out.len ? out.buf : "");
	}
	sbuf_release(&out);
	sbuf_release(&err);
	return in;
}

char *
gotool_git(const char *dir, ...)
{
	char *argv[16];
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	const char *a;
	va_list ap;
	int n = 0, status;

	argv[n++] = "git";
	argv[n++] = "-C";
	argv[n++] = (char *)dir;
	va_start(ap, dir);
	while ((a = va_arg(ap, const char *)) != NULL && n < 15)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	if (gotool_capture(NULL, argv, &out, &err, &status) < 0 || status != 0) {
		sbuf_release(&out);
		sbuf_release(&err);
		return NULL;
	}
	sbuf_release(&err);
	if (out.buf == NULL)
		sbuf_adds(&out, "");
	return sbuf_detach(&out);
}

char *
gotool_git_line(const char *dir, const char *a1, const char *a2, const char *a3,
    const char *a4, const char *a5)
{
	char *s = gotool_git(dir, a1, a2, a3, a4, a5, (const char *)NULL);

	if (s != NULL) {
		s[strcspn(s, "\r\n")] = '\0';
		if (s[0] == '\0') {
			free(s);
			s = NULL;
		}
	}
	return s;
}

char *
gotool_git_commit(const char *dir, const char *rev)
{
	struct sbuf spec = SBUF_INIT;
	char *sha;

	sbuf_addf(&spec, "%s^{commit}", rev);
	sha = gotool_git_line(dir, "rev-parse", "--verify", "--quiet", spec.buf, NULL);
	sbuf_release(&spec);
	return sha;
}
