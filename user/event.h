/* SPDX-License-Identifier: MIT */
/*
 * One record as rmmhunt reports it: a process creation (DeviceProcessEvents,
 * the EVENT_FIELDS columns), a file's signer (DeviceFileCertificateInfo, the
 * CERT_FIELDS columns) or a connection (DeviceNetworkEvents, NET_FIELDS).
 *
 * The columns are those of Defender's tables that have a Linux meaning, under
 * Defender's names, plus Linux-only columns with names of their own. Capture
 * and identity fill a record, the rules read it by column, the output and the
 * replay reader turn it into JSON and back: all through these column tables,
 * so a column is named and typed in exactly one place. A record says which
 * table it is (struct event.table); its field ids index that table's columns
 * (FIELD_* for processes, CERT_* for certificates, NET_* for connections),
 * all in one array of values sized for the widest table.
 */
#ifndef RMMHUNT_EVENT_H
#define RMMHUNT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum field_type {
	FT_STRING,  /* bytes without NUL; unset = JSON null */
	FT_LONG,    /* int64 */
	FT_BOOL,    /* stored as 0/1 */
	FT_TIME,    /* microseconds since the Unix epoch, UTC */
	FT_STRLIST, /* list of strings: KQL dynamic array */
	FT_JSON,    /* JSON text, stored as a string, written as JSON: KQL dynamic */
};

/* The Defender tables rmmhunt makes records of. */
enum table_id {
	TABLE_PROCESS,	   /* DeviceProcessEvents: EVENT_FIELDS */
	TABLE_CERTIFICATE, /* DeviceFileCertificateInfo: CERT_FIELDS */
	TABLE_NETWORK,	   /* DeviceNetworkEvents: NET_FIELDS */
	TABLE__COUNT,
};

/* X(ENUM, "Column", type) in output order. */
#define EVENT_FIELDS(X)                                                                            \
	X(TIMESTAMP, "Timestamp", FT_TIME)                                                         \
	X(DEVICE_ID, "DeviceId", FT_STRING)                                                        \
	X(DEVICE_NAME, "DeviceName", FT_STRING)                                                    \
	X(REPORT_ID, "ReportId", FT_LONG)                                                          \
	X(ACTION_TYPE, "ActionType", FT_STRING)                                                    \
	X(FILE_NAME, "FileName", FT_STRING)                                                        \
	X(FOLDER_PATH, "FolderPath", FT_STRING)                                                    \
	X(PROCESS_ID, "ProcessId", FT_LONG)                                                        \
	X(PROCESS_COMMAND_LINE, "ProcessCommandLine", FT_STRING)                                   \
	X(PROCESS_CREATION_TIME, "ProcessCreationTime", FT_TIME)                                   \
	X(PROCESS_CURRENT_DIRECTORY, "ProcessCurrentDirectory", FT_STRING)                         \
	X(ACCOUNT_NAME, "AccountName", FT_STRING)                                                  \
	X(ACCOUNT_UID, "AccountUid", FT_LONG)                                                      \
	X(PROCESS_VERSION_INFO_COMPANY_NAME, "ProcessVersionInfoCompanyName", FT_STRING)           \
	X(PROCESS_VERSION_INFO_PRODUCT_NAME, "ProcessVersionInfoProductName", FT_STRING)           \
	X(PROCESS_VERSION_INFO_PRODUCT_VERSION, "ProcessVersionInfoProductVersion", FT_STRING)     \
	X(PROCESS_VERSION_INFO_FILE_VERSION, "ProcessVersionInfoFileVersion", FT_STRING)           \
	X(PROCESS_VERSION_INFO_INTERNAL_FILE_NAME, "ProcessVersionInfoInternalFileName",           \
	  FT_STRING)                                                                               \
	X(PROCESS_VERSION_INFO_ORIGINAL_FILE_NAME, "ProcessVersionInfoOriginalFileName",           \
	  FT_STRING)                                                                               \
	X(PROCESS_VERSION_INFO_FILE_DESCRIPTION, "ProcessVersionInfoFileDescription", FT_STRING)   \
	X(VERSION_INFO_COMPANY_NAMES, "VersionInfoCompanyNames", FT_STRLIST)                       \
	X(VERSION_INFO_SOURCE, "VersionInfoSource", FT_STRING)                                     \
	X(SHA1, "SHA1", FT_STRING)                                                                 \
	X(SHA256, "SHA256", FT_STRING)                                                             \
	X(FILE_SIZE, "FileSize", FT_LONG)                                                          \
	X(IDENTITY_ERROR, "IdentityError", FT_STRING)                                              \
	X(WINDOWS_PATH, "WindowsPath", FT_STRING)                                                  \
	X(WINE_PREFIX, "WinePrefix", FT_STRING)                                                    \
	X(WINE_LOADER_PATH, "WineLoaderPath", FT_STRING)                                           \
	X(INITIATING_PROCESS_ID, "InitiatingProcessId", FT_LONG)                                   \
	X(INITIATING_PROCESS_FILE_NAME, "InitiatingProcessFileName", FT_STRING)                    \
	X(INITIATING_PROCESS_FOLDER_PATH, "InitiatingProcessFolderPath", FT_STRING)                \
	X(INITIATING_PROCESS_COMMAND_LINE, "InitiatingProcessCommandLine", FT_STRING)              \
	X(INITIATING_PROCESS_ACCOUNT_NAME, "InitiatingProcessAccountName", FT_STRING)              \
	X(INITIATING_PROCESS_CREATION_TIME, "InitiatingProcessCreationTime", FT_TIME)              \
	X(PARENT_PROCESS_ID, "ParentProcessId", FT_LONG)                                           \
	X(EXEC_FILENAME, "ExecFilename", FT_STRING)                                                \
	X(EXECUTABLE_DELETED, "ExecutableDeleted", FT_BOOL)                                        \
	X(LOGIN_UID, "LoginUid", FT_LONG)                                                          \
	X(SESSION_ID, "SessionId", FT_LONG)                                                        \
	X(CGROUP_ID, "CgroupId", FT_LONG)                                                          \
	X(CGROUP_PATH, "CgroupPath", FT_STRING)                                                    \
	X(CONTAINER_ID, "ContainerId", FT_STRING)                                                  \
	X(CONTAINER_RUNTIME, "ContainerRuntime", FT_STRING)                                        \
	X(POD_UID, "PodUid", FT_STRING)                                                            \
	X(PID_NAMESPACE, "PidNamespace", FT_LONG)                                                  \
	X(MNT_NAMESPACE, "MntNamespace", FT_LONG)                                                  \
	X(ARGV_TRUNCATED, "ArgvTruncated", FT_BOOL)                                                \
	X(ARGV_LENGTH, "ArgvLength", FT_LONG)                                                      \
	X(ARGV_UNREADABLE, "ArgvUnreadable", FT_BOOL)                                              \
	X(FOLDER_PATH_TRUNCATED, "FolderPathTruncated", FT_BOOL)                                   \
	X(PROCESS_CURRENT_DIRECTORY_TRUNCATED, "ProcessCurrentDirectoryTruncated", FT_BOOL)        \
	X(CGROUP_PATH_TRUNCATED, "CgroupPathTruncated", FT_BOOL)                                   \
	X(FROM_SNAPSHOT, "FromSnapshot", FT_BOOL)                                                  \
	X(MATCHED_RULES, "MatchedRules", FT_STRLIST)                                               \
	X(SUPPRESSED_BY, "SuppressedBy", FT_STRING)

enum field_id {
#define X(id, name, type) FIELD_##id,
	EVENT_FIELDS(X)
#undef X
	    FIELD__COUNT
};

/*
 * DeviceFileCertificateInfo: Defender's columns, FolderPath, FileName and
 * SHA256 of the file, and our own: NestedSignatures (the file's other
 * signatures, a JSON array of objects with the same fields) and Signers (the
 * Signer of every signature, the top one first). A rule's `Signer has ...`
 * and the other string operators on Signer test Signers, so nested signers
 * count, as VersionInfoCompanyNames does for version info.
 */
#define CERT_FIELDS(X)                                                                             \
	X(TIMESTAMP, "Timestamp", FT_TIME)                                                         \
	X(DEVICE_ID, "DeviceId", FT_STRING)                                                        \
	X(DEVICE_NAME, "DeviceName", FT_STRING)                                                    \
	X(REPORT_ID, "ReportId", FT_LONG)                                                          \
	X(SHA1, "SHA1", FT_STRING)                                                                 \
	X(IS_SIGNED, "IsSigned", FT_BOOL)                                                          \
	X(SIGNATURE_TYPE, "SignatureType", FT_STRING)                                              \
	X(SIGNER, "Signer", FT_STRING)                                                             \
	X(SIGNER_HASH, "SignerHash", FT_STRING)                                                    \
	X(ISSUER, "Issuer", FT_STRING)                                                             \
	X(ISSUER_HASH, "IssuerHash", FT_STRING)                                                    \
	X(CERTIFICATE_SERIAL_NUMBER, "CertificateSerialNumber", FT_STRING)                         \
	X(CRL_DISTRIBUTION_POINT_URLS, "CrlDistributionPointUrls", FT_STRING)                      \
	X(CERTIFICATE_CREATION_TIME, "CertificateCreationTime", FT_TIME)                           \
	X(CERTIFICATE_EXPIRATION_TIME, "CertificateExpirationTime", FT_TIME)                       \
	X(CERTIFICATE_COUNTERSIGNATURE_TIME, "CertificateCountersignatureTime", FT_TIME)           \
	X(IS_TRUSTED, "IsTrusted", FT_BOOL)                                                        \
	X(IS_ROOT_SIGNER_MICROSOFT, "IsRootSignerMicrosoft", FT_BOOL)                              \
	X(FOLDER_PATH, "FolderPath", FT_STRING)                                                    \
	X(FILE_NAME, "FileName", FT_STRING)                                                        \
	X(SHA256, "SHA256", FT_STRING)                                                             \
	X(NESTED_SIGNATURES, "NestedSignatures", FT_JSON)                                          \
	X(SIGNERS, "Signers", FT_STRLIST)                                                          \
	X(MATCHED_RULES, "MatchedRules", FT_STRLIST)

enum cert_field_id {
#define X(id, name, type) CERT_##id,
	CERT_FIELDS(X)
#undef X
	    CERT__COUNT
};

/*
 * DeviceNetworkEvents: a connection, a listen or a UDP request, with the
 * process that made it named as the exec records name a creator (its
 * identity as of its exec, so a Windows program under Wine is itself). Our
 * own: NetNamespace (its inode), and ConnectionError for a failed connect.
 */
#define NET_FIELDS(X)                                                                              \
	X(TIMESTAMP, "Timestamp", FT_TIME)                                                         \
	X(DEVICE_ID, "DeviceId", FT_STRING)                                                        \
	X(DEVICE_NAME, "DeviceName", FT_STRING)                                                    \
	X(REPORT_ID, "ReportId", FT_LONG)                                                          \
	X(ACTION_TYPE, "ActionType", FT_STRING)                                                    \
	X(REMOTE_IP, "RemoteIP", FT_STRING)                                                        \
	X(REMOTE_PORT, "RemotePort", FT_LONG)                                                      \
	X(REMOTE_URL, "RemoteUrl", FT_STRING)                                                      \
	X(LOCAL_IP, "LocalIP", FT_STRING)                                                          \
	X(LOCAL_PORT, "LocalPort", FT_LONG)                                                        \
	X(PROTOCOL, "Protocol", FT_STRING)                                                         \
	X(LOCAL_IP_TYPE, "LocalIPType", FT_STRING)                                                 \
	X(REMOTE_IP_TYPE, "RemoteIPType", FT_STRING)                                               \
	X(INITIATING_PROCESS_ID, "InitiatingProcessId", FT_LONG)                                   \
	X(INITIATING_PROCESS_FILE_NAME, "InitiatingProcessFileName", FT_STRING)                    \
	X(INITIATING_PROCESS_FOLDER_PATH, "InitiatingProcessFolderPath", FT_STRING)                \
	X(INITIATING_PROCESS_COMMAND_LINE, "InitiatingProcessCommandLine", FT_STRING)              \
	X(INITIATING_PROCESS_CREATION_TIME, "InitiatingProcessCreationTime", FT_TIME)              \
	X(INITIATING_PROCESS_ACCOUNT_NAME, "InitiatingProcessAccountName", FT_STRING)              \
	X(INITIATING_PROCESS_SHA1, "InitiatingProcessSHA1", FT_STRING)                             \
	X(INITIATING_PROCESS_SHA256, "InitiatingProcessSHA256", FT_STRING)                         \
	X(INITIATING_PROCESS_VERSION_INFO_COMPANY_NAME, "InitiatingProcessVersionInfoCompanyName", \
	  FT_STRING)                                                                               \
	X(INITIATING_PROCESS_VERSION_INFO_PRODUCT_NAME, "InitiatingProcessVersionInfoProductName", \
	  FT_STRING)                                                                               \
	X(INITIATING_PROCESS_VERSION_INFO_PRODUCT_VERSION,                                         \
	  "InitiatingProcessVersionInfoProductVersion", FT_STRING)                                 \
	X(INITIATING_PROCESS_VERSION_INFO_FILE_VERSION, "InitiatingProcessVersionInfoFileVersion", \
	  FT_STRING)                                                                               \
	X(INITIATING_PROCESS_VERSION_INFO_INTERNAL_FILE_NAME,                                      \
	  "InitiatingProcessVersionInfoInternalFileName", FT_STRING)                               \
	X(INITIATING_PROCESS_VERSION_INFO_ORIGINAL_FILE_NAME,                                      \
	  "InitiatingProcessVersionInfoOriginalFileName", FT_STRING)                               \
	X(INITIATING_PROCESS_VERSION_INFO_FILE_DESCRIPTION,                                        \
	  "InitiatingProcessVersionInfoFileDescription", FT_STRING)                                \
	X(INITIATING_PROCESS_PARENT_ID, "InitiatingProcessParentId", FT_LONG)                      \
	X(INITIATING_PROCESS_PARENT_FILE_NAME, "InitiatingProcessParentFileName", FT_STRING)       \
	X(CONTAINER_ID, "ContainerId", FT_STRING)                                                  \
	X(POD_UID, "PodUid", FT_STRING)                                                            \
	X(NET_NAMESPACE, "NetNamespace", FT_LONG)                                                  \
	X(CONNECTION_ERROR, "ConnectionError", FT_STRING)                                          \
	X(MATCHED_RULES, "MatchedRules", FT_STRLIST)

enum net_field_id {
#define X(id, name, type) NET_##id,
	NET_FIELDS(X)
#undef X
	    NET__COUNT
};

struct field_desc {
	const char *name;
	enum field_type type;
};

extern const struct field_desc event_fields[FIELD__COUNT];
extern const struct field_desc cert_fields[CERT__COUNT];
extern const struct field_desc net_fields[NET__COUNT];

/* The columns of table @t's records and their count; NULL (0) for a table without records. */
const struct field_desc *event__table_fields(enum table_id t, size_t *n);
/* The column of a DeviceProcessEvents record named @name (case-sensitive, as in KQL), or -1. */
int event__field_lookup(const char *name);
/* The column of a record of table @t named @name, or -1. */
int event__table_field_lookup(enum table_id t, const char *name);
/* The column of table @t's records that lists the rules matched (MatchedRules), or -1. */
int event__matched_rules_field(enum table_id t);

struct field_value {
	bool set;
	int64_t num;  /* FT_LONG, FT_BOOL, FT_TIME; item count for FT_STRLIST */
	uint32_t off; /* FT_STRING, FT_STRLIST: offset into the arena */
	uint32_t len; /* FT_STRING: bytes; FT_STRLIST: bytes of all items with their NULs */
};

/*
 * Strings live in one arena owned by the event and reused from event to
 * event, so filling an event costs no allocation once the arena has grown.
 */
struct event {
	enum table_id table; /* f[] indexes its columns */
	struct field_value f[FIELD__COUNT];
	char *arena;
	size_t arena_len;
	size_t arena_cap;
};

_Static_assert((int)CERT__COUNT <= (int)FIELD__COUNT && (int)NET__COUNT <= (int)FIELD__COUNT,
	       "struct event holds a record of every table");

/* A DeviceProcessEvents record with no column set: all zero bytes, as calloc gives. */
void event__init(struct event *e);
/* A DeviceProcessEvents record with no column set, its arena kept for reuse. */
void event__reset(struct event *e);
/* No column set, and a record of table @t. */
void event__reset_table(struct event *e, enum table_id t);
/* The type of column @id of @e's table (inline: the rules ask it per predicate). */
static inline enum field_type event__type(const struct event *e, int id)
{
	return e->table == TABLE_PROCESS       ? event_fields[id].type
	       : e->table == TABLE_CERTIFICATE ? cert_fields[id].type
					       : net_fields[id].type;
}
void event__free(struct event *e);
/* Deep copy; @dst must be initialised. Returns 0 or -ENOMEM. */
int event__copy(struct event *dst, const struct event *src);

/* Sets column @id of @dst as it is in @src (unset too). Returns 0 or -ENOMEM. */
int event__copy_field(struct event *dst, const struct event *src, int id);

bool event__isset(const struct event *e, int id);
void event__unset(struct event *e, int id);

void event__set_long(struct event *e, int id, int64_t v);
int64_t event__long(const struct event *e, int id); /* 0 when unset */

/* Copies @n bytes of @s (NULs inside are cut there). 0 or -ENOMEM. */
int event__set_strn(struct event *e, int id, const char *s, size_t n);
int event__set_str(struct event *e, int id, const char *s); /* NULL unsets */
int event__set_fmt(struct event *e, int id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* NULL when unset; the pointer is valid until the event is changed. */
const char *event__str(const struct event *e, int id);
size_t event__str_len(const struct event *e, int id);

/* Sets a list column to @n items at once (duplicates kept as given). */
int event__set_list(struct event *e, int id, const char *const *items, size_t n);
size_t event__list_count(const struct event *e, int id);
/* Iterates: first call with @prev NULL; returns NULL after the last item. */
const char *event__list_next(const struct event *e, int id, const char *prev);

#endif
