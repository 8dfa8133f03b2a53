/*
 * finding_json: the JSON object and the flow text of a stored finding
 * (see finding_json.h).
 */
#include "finding_json.h"

#include <inttypes.h>
#include <stdio.h>

#include "format.h"
#include "../store/cause.h"

void
finding_key_hex(uint64_t key, char out[17])
{
	snprintf(out, 17, "%016" PRIx64, key);
}

void
finding_pos_text(struct sbuf *out, const char *file, int line, int col)
{
	sbuf_reset(out);
	if ((file == NULL || file[0] == '\0') && line == 0) {
		sbuf_adds(out, "");
		return;
	}
	sbuf_adds(out, file ? file : "");
	sbuf_addf(out, ":%d", line);
	if (col > 0)
		sbuf_addf(out, ":%d", col);
}

static cJSON *
flows_json(struct store *st, const struct finding_rec *r, struct arena *scratch)
{
	cJSON *arr = cJSON_CreateArray();
	struct block_rec *blocks = NULL;
	struct sbuf pos = SBUF_INIT;
	size_t nblocks = 0, b, f, s;

	if (r->flows == NULL || r->flowslen == 0)
		return arr;
	if (flows_decode(st, r->flows, r->flowslen, scratch, &blocks, &nblocks) != 0)
		return arr;
	for (b = 0; b < nblocks; b++)
		for (f = 0; f < blocks[b].nflows; f++) {
			const struct flow_rec *fr = &blocks[b].flows[f];
			cJSON *fo = cJSON_CreateObject(), *steps = cJSON_CreateArray();

			fmt_json_add_str(fo, "dst", fr->dst);
			fmt_json_add_str(fo, "src", fr->src);
			for (s = 0; s < fr->nsteps; s++) {
				const struct step_rec *sr = &fr->steps[s];
				cJSON *so = cJSON_CreateObject();

				fmt_json_add_str(so, "expr", sr->expr);
				fmt_json_add_str(so, "reason", sr->reason);
				finding_pos_text(&pos, sr->file, sr->line, sr->col);
				fmt_json_add_str(so, "pos", pos.buf);
				cJSON_AddItemToArray(steps, so);
			}
			cJSON_AddItemToObject(fo, "steps", steps);
			cJSON_AddItemToArray(arr, fo);
		}
	sbuf_release(&pos);
	return arr;
}

cJSON *
finding_to_json(struct store *st, const struct finding_rec *r,
    const char *commit, struct arena *scratch)
{
	cJSON *o;
	char key[17];

	fmt_json_init();
	o = cJSON_CreateObject();
	fmt_json_add_int(o, "run", r->run);
	fmt_json_add_str(o, "commit", commit);
	fmt_json_add_str(o, "package", r->package);
	fmt_json_add_str(o, "file", r->file);
	fmt_json_add_int(o, "line", r->line);
	fmt_json_add_int(o, "col", r->col);
	fmt_json_add_str(o, "func", r->func);
	fmt_json_add_str(o, "kind", esc_kind_name(r->kind));
	fmt_json_add_str(o, "subject", r->subject);
	fmt_json_add_str(o, "detail", r->detail);
	fmt_json_add_str(o, "message", r->message);
	if (r->cause > CAUSE_NONE && r->cause < CAUSE_N)
		fmt_json_add_str(o, "cause", cause_name(r->cause));
	else
		cJSON_AddItemToObject(o, "cause", cJSON_CreateNull());
	finding_key_hex(r->key, key);
	fmt_json_add_str(o, "key", key);
	cJSON_AddItemToObject(o, "flows", flows_json(st, r, scratch));
	return o;
}

void
finding_json_set_change(cJSON *obj, const char *change)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, "change");
	fmt_json_add_str(obj, "change", change);
}

void
finding_flows_text(struct store *st, const struct finding_rec *r,
    struct arena *scratch, struct sbuf *out)
{
	struct block_rec *blocks = NULL;
	struct sbuf pos = SBUF_INIT;
	size_t nblocks = 0, b, f, s, nflows = 0;

	if (r->flows == NULL || r->flowslen == 0)
		return;
	if (flows_decode(st, r->flows, r->flowslen, scratch, &blocks, &nblocks) != 0) {
		sbuf_adds(out, "(malformed flows)");
		return;
	}
	for (b = 0; b < nblocks; b++)
		for (f = 0; f < blocks[b].nflows; f++) {
			const struct flow_rec *fr = &blocks[b].flows[f];

			if (nflows++)
				sbuf_adds(out, "; ");
			sbuf_adds(out, fr->dst ? fr->dst : "");
			sbuf_adds(out, " <- ");
			sbuf_adds(out, fr->src ? fr->src : "");
			for (s = 0; s < fr->nsteps; s++) {
				const struct step_rec *sr = &fr->steps[s];

				sbuf_adds(out, s ? ", " : ": ");
				sbuf_adds(out, sr->expr ? sr->expr : "");
				sbuf_adds(out, " (");
				sbuf_adds(out, sr->reason ? sr->reason : "");
				sbuf_adds(out, ")");
				finding_pos_text(&pos, sr->file, sr->line, sr->col);
				if (pos.len) {
					sbuf_adds(out, " at ");
					sbuf_adds(out, pos.buf);
				}
			}
		}
	sbuf_release(&pos);
}

static const char *const csv_header[] = {
	"run", "commit", "package", "file", "line", "col", "func", "kind",
	"subject", "detail", "message", "cause", "key", "flows"
};
#define NCSV (sizeof(csv_header) / sizeof(csv_header[0]))

void
finding_csv_header(FILE *fp)
{
	fmt_csv_row(fp, csv_header, NCSV);
}

void
finding_csv_row(FILE *fp, struct store *st, const struct finding_rec *r,
    const char *commit, struct arena *scratch, struct sbuf *flows)
{
	char run[24], line[16], col[16], key[17];
	const char *v[NCSV];

	snprintf(run, sizeof(run), "%lld", (long long)r->run);
	snprintf(line, sizeof(line), "%d", r->line);
	snprintf(col, sizeof(col), "%d", r->col);
	finding_key_hex(r->key, key);
	sbuf_reset(flows);
	finding_flows_text(st, r, scratch, flows);
	v[0] = run;
	v[1] = commit;
	v[2] = r->package;
	v[3] = r->file;
	v[4] = line;
	v[5] = col;
	v[6] = r->func;
	v[7] = esc_kind_name(r->kind);
	v[8] = r->subject;
	v[9] = r->detail;
	v[10] = r->message;
	v[11] = cause_name(r->cause);   /* "" for none or out of range */
	v[12] = key;
	v[13] = flows->buf ? flows->buf : "";
	fmt_csv_row(fp, v, NCSV);
}
