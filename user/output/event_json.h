/* SPDX-License-Identifier: MIT */
/*
 * An event as one JSON object and back: the monitor's `--emit events` records
 * and what `rmmhunt replay` reads.
 *
 * Written: "RecordType" first (the record's table: "DeviceProcessEvents" or
 * "DeviceFileCertificateInfo"), then every column of that table (event.h) in
 * order (unset columns as null, except MatchedRules and SuppressedBy, which
 * are left out when unset; a JSON column as the JSON it holds), and last, when a string had
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

/* The table whose records have RecordType @record_type, or -1. */
int event_json__table(const char *record_type);

/*
 * Fills @e (initialised; reset first) from @obj: its table from RecordType
 * (none: DeviceProcessEvents), columns by name, unknown keys ignored, null =
 * unset, RawBase64 applied last. Returns 0, or -EINVAL for a RecordType that
 * is no record's or when a known column has the wrong JSON type or a bad
 * value, -ENOMEM.
 */
int event_json__read(const json_t *obj, struct event *e);

#endif
