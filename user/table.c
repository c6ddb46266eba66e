// SPDX-License-Identifier: MIT
/*
 * The three Defender tables rules can query: see table.h. Column names and
 * types are Defender's (int columns are long here: KQL compares them alike);
 * each record adds Linux-only columns under names of its own.
 */
#include <string.h>

#include "table.h"

#define S FT_STRING
#define L FT_LONG
#define B FT_BOOL
#define T FT_TIME
#define D FT_STRLIST

_Static_assert(FIELD_TIMESTAMP == 0 && FIELD_DEVICE_ID == 1 && FIELD_DEVICE_NAME == 2 &&
		   FIELD_REPORT_ID == 3,
	       "every record starts with Timestamp, DeviceId, DeviceName, ReportId");

/*
 * The records' columns are event.h's: process (event_fields), certificate
 * (cert_fields), network (net_fields).
 */

/* Columns every table has in Microsoft Sentinel, which nothing on Linux fills. */
#define SENTINEL_COLUMNS                                                                           \
	{"MachineGroup", S}, {"SourceSystem", S},                                                  \
	{                                                                                          \
		"TenantId", S                                                                      \
	}

static const struct field_desc process_empty[] = {
    {"AccountDomain", S},
    {"AccountObjectId", S},
    {"AccountSid", S},
    {"AccountUpn", S},
    {"AdditionalFields", D},
    {"AppGuardContainerId", S},
    {"CreatedProcessSessionId", L},
    {"InitiatingProcessAccountDomain", S},
    {"InitiatingProcessAccountObjectId", S},
    {"InitiatingProcessAccountSid", S},
    {"InitiatingProcessAccountUpn", S},
    {"InitiatingProcessFileSize", L},
    {"InitiatingProcessIntegrityLevel", S},
    {"InitiatingProcessLogonId", L},
    {"InitiatingProcessMD5", S},
    {"InitiatingProcessParentCreationTime", T},
    {"InitiatingProcessParentFileName", S},
    {"InitiatingProcessParentId", L},
    {"InitiatingProcessRemoteSessionDeviceName", S},
    {"InitiatingProcessRemoteSessionIP", S},
    {"InitiatingProcessSHA1", S},
    {"InitiatingProcessSHA256", S},
    {"InitiatingProcessSessionId", L},
    {"InitiatingProcessSignatureStatus", S},
    {"InitiatingProcessSignerType", S},
    {"InitiatingProcessTokenElevation", S},
    {"InitiatingProcessUniqueId", L},
    {"InitiatingProcessVersionInfoCompanyName", S},
    {"InitiatingProcessVersionInfoFileDescription", S},
    {"InitiatingProcessVersionInfoInternalFileName", S},
    {"InitiatingProcessVersionInfoOriginalFileName", S},
    {"InitiatingProcessVersionInfoProductName", S},
    {"InitiatingProcessVersionInfoProductVersion", S},
    {"IsInitiatingProcessRemoteSession", B},
    {"IsProcessRemoteSession", B},
    {"LogonId", L},
    {"MD5", S},
    {"ProcessIntegrityLevel", S},
    {"ProcessRemoteSessionDeviceName", S},
    {"ProcessRemoteSessionIP", S},
    {"ProcessTokenElevation", S},
    {"ProcessUniqueId", L},
    SENTINEL_COLUMNS,
};

static const struct field_desc certificate_empty[] = {
    SENTINEL_COLUMNS,
};

static const struct field_desc network_empty[] = {
    {"AdditionalFields", D},
    {"AppGuardContainerId", S},
    {"InitiatingProcessAccountDomain", S},
    {"InitiatingProcessAccountObjectId", S},
    {"InitiatingProcessAccountSid", S},
    {"InitiatingProcessAccountUpn", S},
    {"InitiatingProcessFileSize", L},
    {"InitiatingProcessIntegrityLevel", S},
    {"InitiatingProcessMD5", S},
    {"InitiatingProcessParentCreationTime", T},
    {"InitiatingProcessRemoteSessionDeviceName", S},
    {"InitiatingProcessRemoteSessionIP", S},
    {"InitiatingProcessSessionId", L},
    {"InitiatingProcessTokenElevation", S},
    {"InitiatingProcessUniqueId", L},
    {"IsInitiatingProcessRemoteSession", B},
    SENTINEL_COLUMNS,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct table_desc tables[TABLE__COUNT] = {
    [TABLE_PROCESS] = {TABLE_PROCESS, "DeviceProcessEvents", event_fields, FIELD__COUNT,
		       process_empty, N(process_empty), true},
    [TABLE_CERTIFICATE] = {TABLE_CERTIFICATE, "DeviceFileCertificateInfo", cert_fields, CERT__COUNT,
			   certificate_empty, N(certificate_empty), true},
    [TABLE_NETWORK] = {TABLE_NETWORK, "DeviceNetworkEvents", net_fields, NET__COUNT, network_empty,
		       N(network_empty), true},
};

static bool name_is(const char *col, const char *name, size_t n)
{
	return strlen(col) == n && !memcmp(col, name, n);
}

const struct table_desc *table__find(const char *name, size_t n)
{
	for (size_t i = 0; i < TABLE__COUNT; i++)
		if (name_is(tables[i].name, name, n))
			return &tables[i];
	return NULL;
}

int table__field(const struct table_desc *t, const char *name, size_t n)
{
	for (size_t i = 0; i < t->nfields; i++)
		if (name_is(t->fields[i].name, name, n))
			return (int)i;
	return -1;
}

const struct field_desc *table__empty_column(const struct table_desc *t, const char *name, size_t n)
{
	for (size_t i = 0; i < t->nempty; i++)
		if (name_is(t->empty[i].name, name, n))
			return &t->empty[i];
	return NULL;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Edit distance, ignoring case; names are short, so the bound only guards the row. */
#define MAX_NAME 128

static size_t distance(const char *a, size_t an, const char *b, size_t bn)
{
	size_t row[MAX_NAME + 1];

	if (an > MAX_NAME || bn > MAX_NAME)
		return (size_t)-1;
	for (size_t j = 0; j <= bn; j++)
		row[j] = j;
	for (size_t i = 1; i <= an; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= bn; j++) {
			size_t up = row[j], best = diag + (lower(a[i - 1]) != lower(b[j - 1]));

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[bn];
}

/* How close @col is to @name: 0 best; (size_t)-1 not close. */
static size_t closeness(const char *col, const char *name, size_t n)
{
	size_t cn = strlen(col), d;

	if (n >= 4 && cn > n && !memcmp(col + cn - n, name, n))
		return 0; /* a longer name ending with it */
	d = distance(col, cn, name, n);
	if (d == 0)
		return 1; /* differs in case only */
	if (d <= 2 || d * 3 <= n)
		return 64 + d;
	return (size_t)-1;
}

const char *table__nearest(const struct table_desc *t, const char *name, size_t n)
{
	const char *best = NULL;
	size_t best_score = (size_t)-1;

	if (!n)
		return NULL;
	for (int pass = 0; pass < 2; pass++) {
		const struct field_desc *cols = pass ? t->empty : t->fields;
		size_t ncols = pass ? t->nempty : t->nfields;

		for (size_t i = 0; i < ncols; i++) {
			size_t s = closeness(cols[i].name, name, n);

			/* among longer names ending with it, the shortest */
			if (s == 0 && best_score == 0 && strlen(cols[i].name) >= strlen(best))
				continue;
			if (s < best_score || (s == 0 && best_score == 0)) {
				best = cols[i].name;
				best_score = s;
			}
		}
	}
	return best;
}

const char *table__type_name(enum field_type type)
{
	switch (type) {
	case FT_STRING:
		return "string";
	case FT_LONG:
		return "long";
	case FT_BOOL:
		return "bool";
	case FT_TIME:
		return "datetime";
	case FT_STRLIST:
	case FT_JSON:
		return "dynamic";
	}
	return "string";
}
