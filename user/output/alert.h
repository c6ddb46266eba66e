/* SPDX-License-Identifier: MIT */
/*
 * The Alert record: one summarize row of a rule, as the hunting query would
 * show it, plus which rule and MITRE mapping:
 *
 *	{"RecordType":"Alert","RuleId":...,"RuleName":...,"Table":...,"Tactics":[...],
 *	 "Techniques":[...], <summarize columns in query order>,
 *	 ["<Column>Truncated":true,] ["Approximate":true,] "Timestamp":<emission>,
 *	 ["RawBase64":{Column: base64}]}
 *
 * "Timestamp" is left out when a summarize column already has that name.
 */
#ifndef RMMHUNT_ALERT_H
#define RMMHUNT_ALERT_H

#include "aggregate/agg.h"
#include "base/json_writer.h"

/* Appends the object to @w (no newline). 0, or -ENOMEM when the writer failed. */
int alert__write_json(struct json_writer *w, const struct agg_alert *al);

#endif
