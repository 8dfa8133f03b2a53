/*
 * github: a difference as GitHub Actions workflow commands — "::error" for
 * each new finding, "::notice" for each fixed one — escaped as GitHub
 * documents (data: % CR LF; properties also ':' and ',').
 */
#include "diff.h"

#include <string.h>

static void
gh_escape(FILE *fp, const char *s, int property)
{
	for (; *s; s++) {
		switch (*s) {
		case '%':
			fputs("%25", fp);
			break;
		case '\r':
			fputs("%0D", fp);
			break;
		case '\n':
			fputs("%0A", fp);
			break;
		case ':':
			fputs(property ? "%3A" : ":", fp);
			break;
		case ',':
			fputs(property ? "%2C" : ",", fp);
			break;
		default:
			/* other control bytes (ESC, BEL, ...) would reach the
			 * runner's log raw: shown as '?' like text output */
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				fputc('?', fp);
			else
				fputc(*s, fp);
		}
	}
}

int
diff_render_github(struct store *st, const struct diff *d, const struct diff_render_opts *o, FILE *fp)
{
	struct sbuf path = SBUF_INIT, title = SBUF_INIT;
	struct diff_pathcache pc = { { 0, 0 }, { 0, 0 }, { NULL, NULL }, 0, 1 };
	size_t i;

	(void)o;
	for (i = 0; i < d->n && !ferror(fp); i++) {
		const struct diff_item *it = &d->items[i];

		if (it->change == DIFF_MOVED)
			continue;
		const char *file = diff_item_path(st, it, &pc, &path);
		/* a finding without a position (range-over-func's
		 * "<unknown line number>") is annotated on the run, not on a
		 * file: GitHub takes an annotation without file and line */
		int placed = file[0] != '\0' && it->line > 0;

		fputs(it->change == DIFF_NEW ? "::error " : "::notice ", fp);
		if (placed) {
			fputs("file=", fp);
			gh_escape(fp, file, 1);
			fprintf(fp, ",line=%d", it->line);
			if (it->col > 0)
				fprintf(fp, ",col=%d", it->col);
			fputc(',', fp);
		}
		sbuf_reset(&title);
		sbuf_addf(&title, "escdb %s%s", esc_kind_name(it->kind),
		    it->change == DIFF_FIXED ? " fixed" : "");
		if (!placed)
			sbuf_addf(&title, " in %s (no position)", store_str(st, it->func)[0] ?
			    store_str(st, it->func) : store_str(st, it->pkg));
		fputs("title=", fp);
		gh_escape(fp, title.buf, 1);
		fputs("::", fp);
		gh_escape(fp, store_str(st, it->message), 0);
		fputc('\n', fp);
	}
	sbuf_release(&path);
	sbuf_release(&title);
	diff_pathcache_release(&pc);
	return ferror(fp) ? -1 : 0;
}
