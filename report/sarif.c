/*
 * sarif: a difference as one SARIF 2.1.0 log — one rule per finding kind,
 * one result per new finding, with partialFingerprints from the identity
 * key so code-scanning services follow a finding across commits.
 */
#include "diff.h"

#include <string.h>

#include "finding_json.h"
#include "format.h"
#include "match.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static const struct {
	const char *short_desc, *help;
} rule_text[ESC_KIND_N] = {
	[ESC_HEAP] = { "A value escapes to the heap",
	    "The compiler allocates this value on the heap because it outlives "
	    "the stack frame (stored, returned, captured, converted to an "
	    "interface, or too large). Run 'escdb explain FILE:LINE' for the "
	    "flow that makes it escape." },
	[ESC_MOVED] = { "A variable is moved to the heap",
	    "The variable's address escapes, so the compiler allocates it on "
	    "the heap. Avoid taking its address where it can outlive the "
	    "function, or pass it by value." },
	[ESC_LEAK] = { "A parameter leaks",
	    "The parameter (or what it points to) flows to the heap or a "
	    "global, so every caller's argument escapes." },
	[ESC_LEAK_RESULT] = { "A parameter leaks to a result",
	    "The parameter flows to a result; callers' arguments escape when "
	    "the result does." },
	[ESC_LEAK_CONTENT] = { "A parameter's content leaks",
	    "What the parameter points to flows to the heap or a global." },
	[ESC_NOESCAPE] = { "A value does not escape",
	    "The compiler keeps this value on the stack." },
	[ESC_CAPTURE] = { "A closure captures a variable",
	    "A closure captures a variable by reference or by value." },
	[ESC_NOTE] = { "An escape-analysis note",
	    "Another escape-analysis message of the Go compiler." },
};

int
diff_render_sarif(struct store *st, const struct diff *d, const struct diff_render_opts *o, FILE *fp)
{
	cJSON *log, *runs, *run, *tool, *driver, *rules, *results;
	struct sbuf path = SBUF_INIT;
	struct diff_pathcache pc = { { 0, 0 }, { 0, 0 }, { NULL, NULL }, 0, 1 };
	char id[64], key[17];
	size_t i;
	int k, rc;

	fmt_json_init();
	log = cJSON_CreateObject();
	fmt_json_add_str(log, "$schema", SARIF_SCHEMA);
	fmt_json_add_str(log, "version", "2.1.0");
	runs = cJSON_AddArrayToObject(log, "runs");
	run = cJSON_CreateObject();
	cJSON_AddItemToArray(runs, run);
	tool = cJSON_AddObjectToObject(run, "tool");
	driver = cJSON_AddObjectToObject(tool, "driver");
	fmt_json_add_str(driver, "name", "escdb");
	rules = cJSON_AddArrayToObject(driver, "rules");
	for (k = 0; k < ESC_KIND_N; k++) {
		cJSON *r = cJSON_CreateObject(), *t;

		snprintf(id, sizeof(id), "escdb/%s", esc_kind_name((enum esc_kind)k));
		fmt_json_add_str(r, "id", id);
		fmt_json_add_str(r, "name", esc_kind_name((enum esc_kind)k));
		t = cJSON_AddObjectToObject(r, "shortDescription");
		fmt_json_add_str(t, "text", rule_text[k].short_desc);
		t = cJSON_AddObjectToObject(r, "fullDescription");
		fmt_json_add_str(t, "text", rule_text[k].help);
		t = cJSON_AddObjectToObject(r, "help");
		fmt_json_add_str(t, "text", rule_text[k].help);
		t = cJSON_AddObjectToObject(r, "defaultConfiguration");
		fmt_json_add_str(t, "level", "warning");
		cJSON_AddItemToArray(rules, r);
	}
	results = cJSON_AddArrayToObject(run, "results");
	for (i = 0; i < d->n; i++) {
		const struct diff_item *it = &d->items[i];
		cJSON *r, *t, *locs, *loc, *phys, *region;
		const char *uri;

		/* new findings are results; moved ones whose key changed are
		 * results of kind "pass" carrying both keys, so a service
		 * that follows fingerprints keeps the alert's history */
		if (it->change == DIFF_FIXED ||
		    (it->change == DIFF_MOVED && it->old_key == it->key))
			continue;
		r = cJSON_CreateObject();
		snprintf(id, sizeof(id), "escdb/%s", esc_kind_name(it->kind));
		fmt_json_add_str(r, "ruleId", id);
		fmt_json_add_int(r, "ruleIndex", (int64_t)it->kind);
		if (it->change == DIFF_MOVED) {
			fmt_json_add_str(r, "kind", "pass");
			fmt_json_add_str(r, "level", "none");
		} else
			fmt_json_add_str(r, "level",
			    o->gate && (o->gated & (1u << it->kind)) ? "error" : "warning");
		t = cJSON_AddObjectToObject(r, "message");
		fmt_json_add_str(t, "text", store_str(st, it->message));
		locs = cJSON_AddArrayToObject(r, "locations");
		loc = cJSON_CreateObject();
		uri = diff_item_path(st, it, &pc, &path);
		/* no position (range-over-func's "<unknown line number>"): no
		 * physical location, the function's logical one only */
		if (uri[0] != '\0' && it->line > 0) {
			phys = cJSON_AddObjectToObject(loc, "physicalLocation");
			t = cJSON_AddObjectToObject(phys, "artifactLocation");
			fmt_json_add_str(t, "uri", uri);
			region = cJSON_AddObjectToObject(phys, "region");
			fmt_json_add_int(region, "startLine", it->line);
			if (it->col > 0)
				fmt_json_add_int(region, "startColumn", it->col);
		}
		if (store_str(st, it->func)[0]) {
			cJSON *ll = cJSON_AddArrayToObject(loc, "logicalLocations");
			cJSON *l = cJSON_CreateObject();
			fmt_json_add_str(l, "fullyQualifiedName", store_str(st, it->func));
			fmt_json_add_str(l, "kind", "function");
			cJSON_AddItemToArray(ll, l);
		}
		if (loc->child != NULL)
			cJSON_AddItemToArray(locs, loc);
		else
			cJSON_Delete(loc);
		t = cJSON_AddObjectToObject(r, "partialFingerprints");
		finding_key_hex(it->key, key);
		fmt_json_add_str(t, "escdbKey/v1", key);
		if (it->change == DIFF_MOVED) {
			finding_key_hex(it->old_key, key);
			fmt_json_add_str(t, "escdbKey/v1/previous", key);
		}
		t = cJSON_AddObjectToObject(r, "properties");
		fmt_json_add_str(t, "package", store_str(st, it->pkg));
		fmt_json_add_str(t, "change", diff_change_name(it->change));
		if (it->change == DIFF_MOVED) {
			fmt_json_add_str(t, "match", match_pass_name((enum match_pass)it->pass));
			fmt_json_add_str(t, "previousFunction", store_str(st, it->old_func));
		}
		cJSON_AddItemToArray(results, r);
	}
	rc = fmt_json_print(fp, log, 1);
	fputc('\n', fp);
	cJSON_Delete(log);
	sbuf_release(&path);
	diff_pathcache_release(&pc);
	return rc || ferror(fp) ? -1 : 0;
}
