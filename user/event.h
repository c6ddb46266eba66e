/* SPDX-License-Identifier: MIT */
/*
 * One process creation as rmmhunt reports it.
 *
 * The columns are those of Defender's DeviceProcessEvents that have a Linux
 * meaning, under Defender's names, plus Linux-only columns with names of their
 * own. Capture and identity fill an event, the rules read it by column, the
 * output and the replay reader turn it into JSON and back: all through this
 * one table, so a column is named and typed in exactly one place.
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

struct field_desc {
	const char *name;
	enum field_type type;
};

extern const struct field_desc event_fields[FIELD__COUNT];

/* The column named @name (case-sensitive, as in KQL), or -1. */
int event__field_lookup(const char *name);

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
	struct field_value f[FIELD__COUNT];
	char *arena;
	size_t arena_len;
	size_t arena_cap;
};

void event__init(struct event *e);
void event__reset(struct event *e);
void event__free(struct event *e);
/* Deep copy; @dst must be initialised. Returns 0 or -ENOMEM. */
int event__copy(struct event *dst, const struct event *src);

/* Sets column @id of @dst as it is in @src (unset too). Returns 0 or -ENOMEM. */
int event__copy_field(struct event *dst, const struct event *src, enum field_id id);

bool event__isset(const struct event *e, enum field_id id);
void event__unset(struct event *e, enum field_id id);

void event__set_long(struct event *e, enum field_id id, int64_t v);
int64_t event__long(const struct event *e, enum field_id id); /* 0 when unset */

/* Copies @n bytes of @s (NULs inside are cut there). 0 or -ENOMEM. */
int event__set_strn(struct event *e, enum field_id id, const char *s, size_t n);
int event__set_str(struct event *e, enum field_id id, const char *s); /* NULL unsets */
int event__set_fmt(struct event *e, enum field_id id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* NULL when unset; the pointer is valid until the event is changed. */
const char *event__str(const struct event *e, enum field_id id);
size_t event__str_len(const struct event *e, enum field_id id);

/* Sets a list column to @n items at once (duplicates kept as given). */
int event__set_list(struct event *e, enum field_id id, const char *const *items, size_t n);
size_t event__list_count(const struct event *e, enum field_id id);
/* Iterates: first call with @prev NULL; returns NULL after the last item. */
const char *event__list_next(const struct event *e, enum field_id id, const char *prev);

#endif
