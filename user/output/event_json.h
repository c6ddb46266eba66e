/* SPDX-License-Identifier: MIT */
/* Event records as JSON: every column of event.h, in table order. */
#ifndef RMMHUNT_EVENT_JSON_H
#define RMMHUNT_EVENT_JSON_H

#include "event.h"
#include "output/json_writer.h"

/*
 * Writes {"RecordType":"DeviceProcessEvents", ...columns...}. A string whose
 * bytes are not valid UTF-8 is written repaired, and its exact bytes are
 * added, base64, under "RawBase64": {"Column": "..."}.
 */
int event_write_json(struct json_writer *w, const struct event *e);

#endif
