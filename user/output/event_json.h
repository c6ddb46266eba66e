/* SPDX-License-Identifier: MIT */
/*
 * An event as one JSON object and back: the monitor's `--emit events` records
 * and what `rmmhunt replay` reads.
 *
 * Written: "RecordType":"DeviceProcessEvents" first, then every column of
 * event.h in table order (unset columns as null, except MatchedRules and
 * SuppressedBy, which are left out when unset), and last, when a string had
 * bytes that are not UTF-8, "RawBase64": {Column: base64 of the exact bytes}
 * (a list column: an array with one base64 string per item). So the record is
 * valid UTF-8 and still loses nothing.
 */
#ifndef RMMHUNT_EVENT_JSON_H
#define RMMHUNT_EVENT_JSON_H

#include <jansson.h>

#include "base/json_writer.h"
#include "event.h"

/* Appends the object to @w (no newline). 0, or -ENOMEM when the writer failed. */
int event_json__write(struct json_writer *w, const struct event *e);

/*
 * Fills @e (initialised; reset first) from @obj: columns by name, unknown
 * keys ignored, null = unset, RawBase64 applied last. Returns 0, or -EINVAL
 * when a known column has the wrong JSON type or a bad value, -ENOMEM.
 */
int event_json__read(const json_t *obj, struct event *e);

#endif
