/*
 * walk: the parser sink the fuzz targets share.  It walks every finding,
 * block, flow and step a parser hands over and touches every string and
 * number, so ASan sees any bad pointer.  Header-only: included by
 * fuzz_parser.c and fuzz_logopt.c, each a program of its own.
 */
#ifndef ESCDB_FUZZ_WALK_H
#define ESCDB_FUZZ_WALK_H

#include <stddef.h>
#include <string.h>

#include "parser/parser.h"

static volatile size_t sink_total;

static void
touch(const char *s)
{
	if (s != NULL)
		sink_total += strlen(s);
}

static void
touch_pos(const struct esc_pos *p)
{
	touch(p->file);
	sink_total += (size_t)p->line + (size_t)p->col;
}

static void
walk_block(const struct esc_block *b)
{
	touch(b->heading);
	touch(b->subject);
	touch(b->dest);
	touch(b->func);
	touch_pos(&b->pos);
	for (size_t i = 0; i < b->nflows; i++) {
		const struct esc_flow *f = &b->flows[i];
		touch(f->dst);
		touch(f->src);
		for (size_t j = 0; j < f->nsteps; j++) {
			touch(f->steps[j].expr);
			touch(f->steps[j].reason);
			touch_pos(&f->steps[j].pos);
		}
	}
}

static int
on_package(void *ctx, const struct esc_package *pkg)
{
	(void)ctx;
	touch(pkg->name);
	for (size_t i = 0; i < pkg->nfindings; i++) {
		const struct esc_finding *f = &pkg->findings[i];
		touch_pos(&f->pos);
		touch(esc_kind_name(f->kind));
		touch(f->subject);
		touch(f->detail);
		touch(f->message);
		touch(f->func);
		for (size_t j = 0; j < f->nblocks; j++)
			walk_block(f->blocks[j]);
	}
	for (size_t i = 0; i < pkg->nblocks; i++)
		walk_block(pkg->blocks[i]);
	return 0;
}

static int
on_line(void *ctx, enum line_class c, unsigned long lineno, const char *text,
    size_t len)
{
	(void)ctx;
	(void)lineno;
	touch(line_class_name(c));
	for (size_t i = 0; i < len; i++)
		sink_total += (unsigned char)text[i];
	return 0;
}

static void
on_warning(void *ctx, enum parser_warning w, unsigned long lineno,
    const char *text)
{
	(void)ctx;
	sink_total += (size_t)w + lineno;
	touch(text);
}

#endif
