/* SPDX-License-Identifier: MIT */
/*
 * Wine launches held back, as the contract in identity/wine.h asks: a launcher
 * step waits for the loader exec that replaces it, a program start for its
 * process to map the PE image (retried from WINE_RETRY_MS, doubling up to
 * WINE_RETRY_MAX_MS), each at most WINE_HOLD_MS. At most 64 wait at once
 * (HELD_MAX); one more reports the oldest early. A held event, once due, goes
 * back to the pipeline through the ops, which finish it like any other exec.
 */
#ifndef RMMHUNT_WINE_HOLD_H
#define RMMHUNT_WINE_HOLD_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/decode.h"
#include "event.h"
#include "identity/reader.h"
#include "identity/wine.h"
#include "pipeline/lineage.h"

/* What the pipeline does with a released event; every call gets @ctx. */
struct wine_hold_ops {
	/* InitiatingProcess* of @e: the process that created @k's */
	void (*set_initiating)(void *ctx, struct event *e, const struct exec_event *k);
	/* identity of the file open at @fd (or the error opening it), rules, output */
	void (*finish)(void *ctx, struct event *e, const struct exec_event *k, int fd, uint64_t dev,
		       int root_fd, const char *path);
	/* @k's process runs what @e names: its children and connections name it so */
	void (*remember)(void *ctx, const struct exec_event *k, const struct event *e);
	void *ctx;
};

struct wine_hold_stats {
	uint64_t programs;     /* Windows program starts named behind a Wine loader */
	uint64_t collapsed;    /* launcher steps folded into one program event */
	uint64_t overflow;     /* held events reported early: too many at once */
	uint64_t exe_replaced; /* released steps whose file at the path is not what was exec'd */
};

struct wine_hold;

/*
 * @r reads the Wine prefix and the program's image; @lineage names what a
 * parent runs (a Windows parent's directory is where bare names are looked
 * up). Both must outlive the hold.
 */
struct wine_hold *wine_hold__new(struct reader *r, const struct lineage *lineage,
				 const struct wine_hold_ops *ops);
/* Drops what is still held, unreported (flush first to report it); NULL is fine. */
void wine_hold__free(struct wine_hold *wh);

/*
 * Process @tgid exec'd again, as @kind: a held launcher step followed by a
 * WINE_NOT exec is reported as a plain exec, anything else held for @tgid is
 * dropped (the chain collapses into the one event this exec starts).
 */
void wine_hold__reexec(struct wine_hold *wh, uint32_t tgid, enum wine_kind kind);

/*
 * WINE_PROGRAM exec @k from another process: reports the parent's held
 * program start now if its image is settled, so the child can name it.
 */
void wine_hold__settle_parent(struct wine_hold *wh, const struct exec_event *k);

/*
 * Holds event @e of exec @x, which reader__open classified as @f (a launcher
 * step or a program), its root open at @root_fd (the hold keeps a copy of
 * each). A program found running by the snapshot is reported at once: it maps
 * its image already. 0 when held or reported, else a negative errno and the
 * caller reports @e itself: the program could not be resolved (-ETIMEDOUT,
 * -EBUSY: its file system did not answer), or no memory.
 */
int wine_hold__hold(struct wine_hold *wh, const struct event *e, const struct exec_info *x,
		    const struct reader_files *f, int root_fd);

/* Is an exec of @tgid held (what it runs not known yet)? */
bool wine_hold__holds(const struct wine_hold *wh, uint32_t tgid);

/*
 * Reports the held events that are due: call after the ring buffer was
 * drained, never while handling an exec. Milliseconds until the next is due,
 * or -1 when nothing is held.
 */
int wine_hold__tick(struct wine_hold *wh);
/* Reports every held event now (at shutdown). */
void wine_hold__flush(struct wine_hold *wh);

void wine_hold__stats(const struct wine_hold *wh, struct wine_hold_stats *out);

#endif
