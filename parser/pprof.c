/*
 * pprof: gzip through zlib, then the protobuf wire format (varints,
 * length-delimited fields, packed repeated scalars) of profile.proto
 * decoded by hand (see pprof.h).  Cross references (sample -> location
 * -> function -> string) are resolved and checked after the whole
 * message is read, since protobuf fields come in any order.
 */
#include "pprof.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "pprof_gz.h"

/* The reader: the message bytes and where the error goes. */
struct rd {
	const unsigned char *base, *end;
	char *err;
	size_t errsz;
	const char *where;      /* " of the decompressed profile" or "" */
};

/* One decoded field.  For wire type 2, p/len are the payload. */
struct field {
	uint64_t num, v;
	int wt;
	const unsigned char *p;
	size_t len;
	size_t off;             /* offset of the field's key */
};

/* Raw, unresolved cross references kept while decoding. */
struct raw {
	int64_t *vt;            /* 2 per value type: type, unit string index */
	size_t nvt, capvt;
	uint64_t *line_fid;     /* per line: the function id */
	size_t caplf;
	int64_t *fn_str;        /* 3 per function: name, system name, filename */
	uint64_t *sample_lid;   /* per sample_locs entry: the location id */
	size_t capsl;
	size_t *sample_nval;    /* per sample: number of values */
	int64_t period_type[2];
	int64_t drop, keep, default_type;
	size_t capsam, caploc, capline, capfn, capstr, capval;
};

static int
fail(struct rd *r, size_t off, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errsz, "%s at byte %zu%s", msg, off, r->where);
	return -1;
}

static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n;

	if (need <= *cap)
		return p;
	n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	*cap = n;
	return xreallocarray(p, n, size);
}

/* Reads a varint at *pp (at most 10 bytes). */
static int
get_varint(struct rd *r, const unsigned char **pp, const unsigned char *end, uint64_t *v)
{
	const unsigned char *p = *pp;
	uint64_t x = 0;
	int shift;

	for (shift = 0; shift < 70; shift += 7) {
		if (p >= end)
			return fail(r, (size_t)(*pp - r->base), "truncated varint");
		if (shift == 63 && (*p & 0x7e))
			return fail(r, (size_t)(*pp - r->base), "bad varint (more than 64 bits)");
		x |= (uint64_t)(*p & 0x7f) << shift;
		if ((*p++ & 0x80) == 0) {
			*pp = p;
			*v = x;
			return 0;
		}
	}
	return fail(r, (size_t)(*pp - r->base), "bad varint (longer than 10 bytes)");
}

/* Reads the next field of the message [*pp, end). */
static int
next_field(struct rd *r, const unsigned char **pp, const unsigned char *end, struct field *f)
{
	uint64_t key;

	f->off = (size_t)(*pp - r->base);
	if (get_varint(r, pp, end, &key) != 0)
		return -1;
	f->num = key >> 3;
	f->wt = (int)(key & 7);
	f->p = NULL;
	f->len = 0;
	f->v = 0;
	if (f->num == 0)
		return fail(r, f->off, "field number 0");
	switch (f->wt) {
	case 0:
		return get_varint(r, pp, end, &f->v);
	case 1:
	case 5: {
		size_t n = f->wt == 1 ? 8 : 4, i;

		if ((size_t)(end - *pp) < n)
			return fail(r, f->off, "truncated fixed%zu field %llu", n * 8,
			    (unsigned long long)f->num);
		for (i = n; i-- > 0;)
			f->v = f->v << 8 | (*pp)[i];
		*pp += n;
		return 0;
	}
	case 2:
		if (get_varint(r, pp, end, &f->v) != 0)
			return -1;
		if (f->v > (uint64_t)(end - *pp))
			return fail(r, f->off, "field %llu: length %llu runs past the end of its message",
			    (unsigned long long)f->num, (unsigned long long)f->v);
		f->p = *pp;
		f->len = (size_t)f->v;
		*pp += f->len;
		return 0;
	default:
		return fail(r, f->off, "field %llu: unsupported wire type %d",
		    (unsigned long long)f->num, f->wt);
	}
}

/* A scalar field must have varint wire type. */
static int
want_varint(struct rd *r, const struct field *f)
{
	if (f->wt != 0)
		return fail(r, f->off, "field %llu: wire type %d, expected a varint",
		    (unsigned long long)f->num, f->wt);
	return 0;
}

static int
want_bytes(struct rd *r, const struct field *f)
{
	if (f->wt != 2)
		return fail(r, f->off, "field %llu: wire type %d, expected length-delimited",
		    (unsigned long long)f->num, f->wt);
	return 0;
}

/* Calls add(ctx, v) for each element of a repeated varint field, packed
 * (wire type 2) or not (wire type 0). */
static int
each_varint(struct rd *r, const struct field *f, void (*add)(void *, uint64_t), void *ctx)
{
	const unsigned char *p, *end;
	uint64_t v;

	if (f->wt == 0) {
		add(ctx, f->v);
		return 0;
	}
	if (f->wt != 2)
		return want_varint(r, f);
	for (p = f->p, end = f->p + f->len; p < end;) {
		if (get_varint(r, &p, end, &v) != 0)
			return -1;
		add(ctx, v);
	}
	return 0;
}

/* ---- messages ---- */

struct dec {
	struct rd *r;
	struct pprof *p;
	struct raw *raw;
};

static int
dec_value_type(struct dec *d, const struct field *outer, int64_t out[2])
{
	const unsigned char *q = outer->p, *end = outer->p + outer->len;
	struct field f;

	out[0] = out[1] = 0;
	while (q < end) {
		if (next_field(d->r, &q, end, &f) != 0)
			return -1;
		if (f.num == 1 || f.num == 2) {
			if (want_varint(d->r, &f) != 0)
				return -1;
			out[f.num - 1] = (int64_t)f.v;
		}
	}
	return 0;
}

static void
add_sample_loc(void *ctx, uint64_t v)
{
	struct dec *d = ctx;
	struct pprof *p = d->p;

	d->raw->sample_lid = grow(d->raw->sample_lid, &d->raw->capsl, p->nsample_locs + 1,
	    sizeof(uint64_t));
	d->raw->sample_lid[p->nsample_locs++] = v;
}

static void
add_sample_value(void *ctx, uint64_t v)
{
	struct dec *d = ctx;
	struct pprof *p = d->p;

	p->values = grow(p->values, &d->raw->capval, p->nvalues + 1, sizeof(int64_t));
	p->values[p->nvalues++] = (int64_t)v;
}

static int
dec_sample(struct dec *d, const struct field *outer)
{
	const unsigned char *q = outer->p, *end = outer->p + outer->len;
	struct pprof *p = d->p;
	struct raw *raw = d->raw;
	struct field f;
	size_t cap = raw->capsam, k = p->nsamples;

	p->samples = grow(p->samples, &raw->capsam, k + 1, sizeof(*p->samples));
	if (raw->capsam != cap)
		raw->sample_nval = xreallocarray(raw->sample_nval, raw->capsam, sizeof(size_t));
	p->samples[k].loc0 = p->nsample_locs;
	p->samples[k].val0 = p->nvalues;
	while (q < end) {
		if (next_field(d->r, &q, end, &f) != 0)
			return -1;
		if (f.num == 1 && each_varint(d->r, &f, add_sample_loc, d) != 0)
			return -1;
		if (f.num == 2 && each_varint(d->r, &f, add_sample_value, d) != 0)
			return -1;
	}
	p->samples[k].nlocs = p->nsample_locs - p->samples[k].loc0;
	raw->sample_nval[k] = p->nvalues - p->samples[k].val0;
	p->nsamples++;
	return 0;
}

static int
dec_line(struct dec *d, const struct field *outer)
{
	const unsigned char *q = outer->p, *end = outer->p + outer->len;
	struct pprof *p = d->p;
	struct raw *raw = d->raw;
	struct field f;
	size_t cap = raw->capline, k = p->nlines;

	p->lines = grow(p->lines, &raw->capline, k + 1, sizeof(*p->lines));
	if (raw->capline != cap)
		raw->line_fid = xreallocarray(raw->line_fid, raw->capline, sizeof(uint64_t));
	raw->line_fid[k] = 0;
	p->lines[k].func = 0;
	p->lines[k].line = 0;
	while (q < end) {
		if (next_field(d->r, &q, end, &f) != 0)
			return -1;
		if (f.num == 1 || f.num == 2) {
			if (want_varint(d->r, &f) != 0)
				return -1;
			if (f.num == 1)
				raw->line_fid[k] = f.v;
			else
				p->lines[k].line = (int64_t)f.v;
		}
	}
	p->nlines++;
	return 0;
}

static int
dec_location(struct dec *d, const struct field *outer)
{
	const unsigned char *q = outer->p, *end = outer->p + outer->len;
	struct pprof *p = d->p;
	struct pprof_location *l;
	struct field f;
	size_t k = p->nlocs;

	p->locs = grow(p->locs, &d->raw->caploc, k + 1, sizeof(*p->locs));
	memset(&p->locs[k], 0, sizeof(p->locs[k]));
	p->locs[k].line0 = p->nlines;
	while (q < end) {
		if (next_field(d->r, &q, end, &f) != 0)
			return -1;
		l = &p->locs[k];
		switch (f.num) {
		case 1: case 2: case 3:
			if (want_varint(d->r, &f) != 0)
				return -1;
			if (f.num == 1)
				l->id = f.v;
			else if (f.num == 2)
				l->mapping_id = f.v;
			else
				l->address = f.v;
			break;
		case 4:
			/* the lines of one location are contiguous in p->lines:
			 * a Line message holds no nested location */
			if (want_bytes(d->r, &f) != 0 || dec_line(d, &f) != 0)
				return -1;
			break;
		}
	}
	p->locs[k].nlines = p->nlines - p->locs[k].line0;
	p->nlocs++;
	return 0;
}

static int
dec_function(struct dec *d, const struct field *outer)
{
	const unsigned char *q = outer->p, *end = outer->p + outer->len;
	struct pprof *p = d->p;
	struct raw *raw = d->raw;
	struct field f;
	size_t cap = raw->capfn, k = p->nfuncs;

	p->funcs = grow(p->funcs, &raw->capfn, k + 1, sizeof(*p->funcs));
	if (raw->capfn != cap)
		raw->fn_str = xreallocarray(raw->fn_str, raw->capfn, 3 * sizeof(int64_t));
	memset(&p->funcs[k], 0, sizeof(p->funcs[k]));
	memset(&raw->fn_str[3 * k], 0, 3 * sizeof(int64_t));
	while (q < end) {
		if (next_field(d->r, &q, end, &f) != 0)
			return -1;
		if (f.num >= 1 && f.num <= 5) {
			if (want_varint(d->r, &f) != 0)
				return -1;
			if (f.num == 1)
				p->funcs[k].id = f.v;
			else if (f.num == 5)
				p->funcs[k].start_line = (int64_t)f.v;
			else
				raw->fn_str[3 * k + f.num - 2] = (int64_t)f.v;
		}
	}
	p->nfuncs++;
	return 0;
}

static int
dec_profile(struct dec *d, const unsigned char *q, const unsigned char *end)
{
	struct pprof *p = d->p;
	struct raw *raw = d->raw;
	struct field f;

	while (q < end) {
		if (next_field(d->r, &q, end, &f) != 0)
			return -1;
		switch (f.num) {
		case 1:
			if (want_bytes(d->r, &f) != 0)
				return -1;
			raw->vt = grow(raw->vt, &raw->capvt, 2 * (raw->nvt + 1), sizeof(int64_t));
			if (dec_value_type(d, &f, &raw->vt[2 * raw->nvt]) != 0)
				return -1;
			raw->nvt++;
			break;
		case 2:
			if (want_bytes(d->r, &f) != 0 || dec_sample(d, &f) != 0)
				return -1;
			break;
		case 4:
			if (want_bytes(d->r, &f) != 0 || dec_location(d, &f) != 0)
				return -1;
			break;
		case 5:
			if (want_bytes(d->r, &f) != 0 || dec_function(d, &f) != 0)
				return -1;
			break;
		case 6:
			if (want_bytes(d->r, &f) != 0)
				return -1;
			p->strings = grow(p->strings, &raw->capstr, p->nstrings + 1, sizeof(char *));
			p->strings[p->nstrings++] = xstrndup((const char *)f.p, f.len);
			break;
		case 7: case 8: case 9: case 10: case 12: case 14:
			if (want_varint(d->r, &f) != 0)
				return -1;
			if (f.num == 7)
				raw->drop = (int64_t)f.v;
			else if (f.num == 8)
				raw->keep = (int64_t)f.v;
			else if (f.num == 9)
				p->time_nanos = (int64_t)f.v;
			else if (f.num == 10)
				p->duration_nanos = (int64_t)f.v;
			else if (f.num == 12)
				p->period = (int64_t)f.v;
			else
				raw->default_type = (int64_t)f.v;
			break;
		case 11:
			if (want_bytes(d->r, &f) != 0 || dec_value_type(d, &f, raw->period_type) != 0)
				return -1;
			break;
		default:        /* mapping (3), comment (13), doc_url, newer fields */
			break;
		}
	}
	return 0;
}

/* ---- resolving references ---- */

static int
str_at(struct rd *r, const struct pprof *p, int64_t i, const char *what, const char **out)
{
	if (i < 0 || (uint64_t)i >= p->nstrings) {
		snprintf(r->err, r->errsz, "%s: string index %lld out of range (the table has %zu)",
		    what, (long long)i, p->nstrings);
		return -1;
	}
	*out = p->strings[i];
	return 0;
}

struct idx { uint64_t id; size_t i; };

static int
idx_cmp(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* An id -> index map: direct when ids are 1..n in order (what Go
 * writes), else a sorted table. */
struct idmap { struct idx *t; size_t n; int direct; };

static int
idmap_build(struct rd *r, struct idmap *m, size_t n, uint64_t (*id_of)(const void *, size_t),
    const void *arr, const char *what)
{
	size_t i;

	m->n = n;
	m->t = NULL;
	m->direct = 1;
	for (i = 0; i < n && m->direct; i++)
		if (id_of(arr, i) != i + 1)
			m->direct = 0;
	if (m->direct)
		return 0;
	m->t = xreallocarray(NULL, n ? n : 1, sizeof(*m->t));
	for (i = 0; i < n; i++) {
		m->t[i].id = id_of(arr, i);
		m->t[i].i = i;
		if (m->t[i].id == 0) {
			snprintf(r->err, r->errsz, "%s %zu has id 0", what, i);
			return -1;
		}
	}
	qsort(m->t, n, sizeof(*m->t), idx_cmp);
	for (i = 1; i < n; i++)
		if (m->t[i].id == m->t[i - 1].id) {
			snprintf(r->err, r->errsz, "two %ss have id %llu", what,
			    (unsigned long long)m->t[i].id);
			return -1;
		}
	return 0;
}

static int
idmap_get(const struct idmap *m, uint64_t id, size_t *out)
{
	struct idx key, *hit;

	if (m->direct) {
		if (id == 0 || id > m->n)
			return -1;
		*out = (size_t)(id - 1);
		return 0;
	}
	key.id = id;
	key.i = 0;
	hit = bsearch(&key, m->t, m->n, sizeof(*m->t), idx_cmp);
	if (hit == NULL)
		return -1;
	*out = hit->i;
	return 0;
}

static uint64_t
loc_id(const void *arr, size_t i)
{
	return ((const struct pprof_location *)arr)[i].id;
}

static uint64_t
fn_id(const void *arr, size_t i)
{
	return ((const struct pprof_function *)arr)[i].id;
}

static int
resolve(struct rd *r, struct pprof *p, struct raw *raw)
{
	struct idmap lm = { NULL, 0, 1 }, fm = { NULL, 0, 1 };
	size_t i, k;
	int rc = -1;

	if (p->nstrings == 0 || p->strings[0][0] != '\0') {
		snprintf(r->err, r->errsz, "not a pprof profile: %s",
		    p->nstrings ? "the string table does not start with \"\"" : "no string table");
		return -1;
	}
	if (raw->nvt == 0) {
		snprintf(r->err, r->errsz, "not a pprof profile: no sample types");
		return -1;
	}
	p->types = xcalloc(raw->nvt, sizeof(*p->types));
	p->ntypes = raw->nvt;
	for (i = 0; i < raw->nvt; i++)
		if (str_at(r, p, raw->vt[2 * i], "sample type", &p->types[i].type) != 0 ||
		    str_at(r, p, raw->vt[2 * i + 1], "sample unit", &p->types[i].unit) != 0)
			return -1;
	if (str_at(r, p, raw->period_type[0], "period type", &p->period_type.type) != 0 ||
	    str_at(r, p, raw->period_type[1], "period unit", &p->period_type.unit) != 0 ||
	    str_at(r, p, raw->drop, "drop_frames", &p->drop_frames) != 0 ||
	    str_at(r, p, raw->keep, "keep_frames", &p->keep_frames) != 0)
		return -1;
	p->default_type = -1;
	if (raw->default_type != 0) {
		const char *t;

		if (str_at(r, p, raw->default_type, "default sample type", &t) != 0)
			return -1;
		for (i = 0; i < p->ntypes; i++)
			if (strcmp(p->types[i].type, t) == 0)
				p->default_type = (int)i;
	}
	for (i = 0; i < p->nfuncs; i++) {
		char what[64];

		snprintf(what, sizeof(what), "function %llu", (unsigned long long)p->funcs[i].id);
		if (str_at(r, p, raw->fn_str[3 * i], what, &p->funcs[i].name) != 0 ||
		    str_at(r, p, raw->fn_str[3 * i + 1], what, &p->funcs[i].system_name) != 0 ||
		    str_at(r, p, raw->fn_str[3 * i + 2], what, &p->funcs[i].filename) != 0)
			return -1;
	}
	for (i = 0; i < p->nsamples; i++)
		if (raw->sample_nval[i] != p->ntypes) {
			snprintf(r->err, r->errsz, "sample %zu has %zu values for %zu sample types",
			    i, raw->sample_nval[i], p->ntypes);
			return -1;
		}
	if (idmap_build(r, &lm, p->nlocs, loc_id, p->locs, "location") != 0 ||
	    idmap_build(r, &fm, p->nfuncs, fn_id, p->funcs, "function") != 0)
		goto out;
	for (i = 0; i < p->nlines; i++)
		if (idmap_get(&fm, raw->line_fid[i], &p->lines[i].func) != 0) {
			snprintf(r->err, r->errsz, "a location's line refers to function %llu, "
			    "which the profile does not define", (unsigned long long)raw->line_fid[i]);
			goto out;
		}
	p->sample_locs = xreallocarray(NULL, p->nsample_locs ? p->nsample_locs : 1, sizeof(size_t));
	for (k = 0; k < p->nsample_locs; k++)
		if (idmap_get(&lm, raw->sample_lid[k], &p->sample_locs[k]) != 0) {
			snprintf(r->err, r->errsz, "a sample refers to location %llu, "
			    "which the profile does not define", (unsigned long long)raw->sample_lid[k]);
			goto out;
		}
	rc = 0;
out:
	free(lm.t);
	free(fm.t);
	return rc;
}

static void
raw_release(struct raw *raw)
{
	free(raw->vt);
	free(raw->line_fid);
	free(raw->fn_str);
	free(raw->sample_lid);
	free(raw->sample_nval);
}

static int
decode_proto(const unsigned char *b, size_t len, struct pprof *p, const char *where,
    char *err, size_t errsz)
{
	struct rd r;
	struct raw raw;
	struct dec d;
	int rc;

	memset(&raw, 0, sizeof(raw));
	r.base = b;
	r.end = b + len;
	r.err = err;
	r.errsz = errsz;
	r.where = where;
	d.r = &r;
	d.p = p;
	d.raw = &raw;
	rc = dec_profile(&d, b, b + len);
	if (rc == 0)
		rc = resolve(&r, p, &raw);
	raw_release(&raw);
	return rc;
}

int
pprof_decode(const void *data, size_t len, struct pprof *p, char *err, size_t errsz)
{
	const unsigned char *b = data;
	unsigned char *plain = NULL;
	size_t plainlen = 0;
	char why[256];
	int rc;

	memset(p, 0, sizeof(*p));
	p->default_type = -1;
	if (len == 0) {
		snprintf(err, errsz, "empty file (0 bytes), not a pprof profile");
		return -1;
	}
	if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
		if (pprof_gunzip(b, len, &plain, &plainlen, err, errsz) != 0)
			return -1;
		p->gzipped = 1;
		if (plainlen == 0) {
			snprintf(err, errsz, "the gzip stream holds nothing (0 bytes), not a pprof profile");
			free(plain);
			return -1;
		}
		rc = decode_proto(plain, plainlen, p, " of the decompressed profile", why, sizeof(why));
		free(plain);
		if (rc != 0)
			snprintf(err, errsz, "bad profile inside the gzip stream: %s", why);
	} else {
		rc = decode_proto(b, len, p, "", why, sizeof(why));
		if (rc != 0)
			snprintf(err, errsz, "not gzip, and not a pprof protobuf either: %s", why);
	}
	if (rc != 0)
		pprof_release(p);
	return rc;
}

int
pprof_read_file(const char *path, struct pprof *p, char *err, size_t errsz)
{
	struct sbuf sb = SBUF_INIT;
	char chunk[65536];
	size_t n;
	FILE *fp;
	int rc;

	memset(p, 0, sizeof(*p));
	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(err, errsz, "%s", strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sbuf_add(&sb, chunk, n);
	if (ferror(fp)) {
		snprintf(err, errsz, "read error: %s", strerror(errno));
		fclose(fp);
		sbuf_release(&sb);
		return -1;
	}
	fclose(fp);
	rc = pprof_decode(sb.buf ? sb.buf : "", sb.len, p, err, errsz);
	sbuf_release(&sb);
	return rc;
}

int
pprof_type_index(const struct pprof *p, const char *s)
{
	const char *slash = strchr(s, '/');
	char *end;
	long v;
	size_t i;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		v = strtol(s, &end, 10);
		if (*end == '\0' && errno == 0 && v >= 0 && (size_t)v < p->ntypes)
			return (int)v;
		return -1;
	}
	for (i = 0; i < p->ntypes; i++) {
		if (slash) {
			size_t tl = (size_t)(slash - s);

			if (strlen(p->types[i].type) == tl && strncmp(p->types[i].type, s, tl) == 0 &&
			    strcmp(p->types[i].unit, slash + 1) == 0)
				return (int)i;
		} else if (strcmp(p->types[i].type, s) == 0)
			return (int)i;
	}
	return -1;
}

void
pprof_release(struct pprof *p)
{
	size_t i;

	for (i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	free(p->types);
	free(p->samples);
	free(p->sample_locs);
	free(p->values);
	free(p->locs);
	free(p->lines);
	free(p->funcs);
	memset(p, 0, sizeof(*p));
	p->default_type = -1;
}
