/*
 * finding_json: one stored finding as the JSON object of DESIGN.md ("The
 * JSON form of a finding") and as a compact text of its flows for CSV.
 * Shared by export, grep, diff and gate.  Prints nothing.
 */
#ifndef ESCDB_FINDING_JSON_H
#define ESCDB_FINDING_JSON_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "../store/store.h"
#include "../lib/util.h"

/* The key as 16 lowercase hex digits into out (17 bytes with the NUL). */
void finding_key_hex(uint64_t key, char out[17]);

/* "file:line:col" (":col" left out when col is 0; "" for no file and no
 * line) into out, which is reset first.  Caller releases out. */
void finding_pos_text(struct sbuf *out, const char *file, int line, int col);

/* The JSON object of r, keys in this order: run, commit, package, file,
 * line, col, func, kind, subject, detail, message, cause (an addition to
 * DESIGN.md: the cause's name, null when the finding has none), key,
 * flows ([{dst, src, steps:[{expr, reason, pos}]}], flattened over the
 * finding's explanation blocks; [] for a malformed blob).  commit may be
 * NULL (then ""); decoding allocates in scratch, which the caller may
 * arena_reset as soon as this returns: the object holds copies.  Caller
 * frees the object with cJSON_Delete. */
cJSON *finding_to_json(struct store *st, const struct finding_rec *r,
    const char *commit, struct arena *scratch);

/* Adds "change": change ("new", "fixed", "moved") to an object made by
 * finding_to_json, after every other key (diff and gate). */
void finding_json_set_change(cJSON *obj, const char *change);

/* The flows as one line of text: "dst <- src: expr (reason) at pos, ..."
 * per flow ("dst <- src" for a flow without steps), flows separated by
 * "; ".  Appended to out; nothing when
 * there are none; "(malformed flows)" for a bad blob.  Decoding allocates
 * in scratch as above.  Caller releases out. */
void finding_flows_text(struct store *st, const struct finding_rec *r,
    struct arena *scratch, struct sbuf *out);

/* The CSV form of findings (export, grep): the header row, then one row
 * per finding with the columns run, commit, package, file, line, col,
 * func, kind, subject, detail, message, cause, key, flows (the flows as
 * finding_flows_text).  flows is the caller's scratch buffer. */
void finding_csv_header(FILE *fp);
void finding_csv_row(FILE *fp, struct store *st, const struct finding_rec *r,
    const char *commit, struct arena *scratch, struct sbuf *flows);

#endif
