/*
 * codequality: a difference as a GitLab code quality report — a JSON
 * array of {description, check_name, fingerprint, severity, location:
 * {path, lines: {begin}}} — one entry per new finding.  The fingerprint
 * is the identity key, so GitLab follows a finding across commits.
 */
#include "diff.h"

#include "finding_json.h"
#include "format.h"

int
diff_render_codequality(struct store *st, const struct diff *d,
    const struct diff_render_opts *o, FILE *fp)
{
	struct sbuf path = SBUF_INIT, desc = SBUF_INIT;
	struct diff_pathcache pc = { { 0, 0 }, { 0, 0 }, { NULL, NULL }, 0, 1 };
	struct json_stream js;
	char key[17], check[64];
	unsigned major = o->gate ? o->gated : (1u << ESC_HEAP | 1u << ESC_MOVED);
	size_t i;

	fmt_json_init();
	json_stream_begin(&js, fp, 0);
	for (i = 0; i < d->n && !ferror(fp); i++) {
		const struct diff_item *it = &d->items[i];
		cJSON *e, *loc, *lines;
		const char *func = store_str(st, it->func);

		if (it->change != DIFF_NEW)
			continue;
		e = cJSON_CreateObject();
		sbuf_reset(&desc);
		sbuf_addf(&desc, "%s%s%s", store_str(st, it->message),
		    func[0] ? " in " : "", func);
		fmt_json_add_str(e, "description", desc.buf);
		snprintf(check, sizeof(check), "escdb/%s", esc_kind_name(it->kind));
		fmt_json_add_str(e, "check_name", check);
		finding_key_hex(it->key, key);
		fmt_json_add_str(e, "fingerprint", key);
		fmt_json_add_str(e, "severity", major & (1u << it->kind) ? "major" : "minor");
		loc = cJSON_AddObjectToObject(e, "location");
		fmt_json_add_str(loc, "path", diff_item_path(st, it, &pc, &path));
		lines = cJSON_AddObjectToObject(loc, "lines");
		fmt_json_add_int(lines, "begin", it->line > 0 ? it->line : 1);
		json_stream_add(&js, e);
		cJSON_Delete(e);
	}
	json_stream_end(&js);
	sbuf_release(&path);
	sbuf_release(&desc);
	diff_pathcache_release(&pc);
	return ferror(fp) ? -1 : 0;
}
