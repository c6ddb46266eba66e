// SPDX-License-Identifier: MIT
#include <string.h>

#include "output/event_json.h"

static bool omit_when_unset(enum field_id id)
{
	return id == FIELD_MATCHED_RULES || id == FIELD_SUPPRESSED_BY;
}

int event_write_json(struct json_writer *w, const struct event *e)
{
	bool repaired[FIELD__COUNT] = {}, any = false;

	jw_object_begin(w);
	jw_kv_str(w, "RecordType", "DeviceProcessEvents");
	for (int i = 0; i < FIELD__COUNT; i++) {
		const struct field_desc *d = &event_fields[i];

		if (!event_isset(e, i)) {
			if (!omit_when_unset(i)) {
				jw_key(w, d->name);
				jw_null(w);
			}
			continue;
		}
		jw_key(w, d->name);
		switch (d->type) {
		case FT_STRING:
			repaired[i] = jw_string(w, event_str(e, i), event_str_len(e, i));
			any |= repaired[i];
			break;
		case FT_LONG:
			jw_long(w, event_long(e, i));
			break;
		case FT_BOOL:
			jw_bool(w, event_long(e, i));
			break;
		case FT_TIME:
			jw_time(w, event_long(e, i));
			break;
		case FT_STRLIST:
			jw_array_begin(w);
			for (const char *s = event_list_next(e, i, NULL); s;
			     s = event_list_next(e, i, s))
				jw_string(w, s, strlen(s));
			jw_array_end(w);
			break;
		}
	}
	if (any) {
		jw_key(w, "RawBase64");
		jw_object_begin(w);
		for (int i = 0; i < FIELD__COUNT; i++) {
			if (!repaired[i])
				continue;
			jw_key(w, event_fields[i].name);
			jw_base64(w, event_str(e, i), event_str_len(e, i));
		}
		jw_object_end(w);
	}
	jw_object_end(w);
	return w->failed ? -1 : 0;
}
