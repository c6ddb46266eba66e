// SPDX-License-Identifier: MIT
/*
 * `rmmhunt inspect PATH...`: the identity of each file as one JSON object per
 * line, under the event's column names, for checking what a rule would see.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "event.h"
#include "identity/identity.h"
#include "identity/probe.h"
#include "log.h"
#include "output/json_writer.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: rmmhunt inspect [--no-hash] [--] PATH...\n\n"
		   "Prints the identity of each file as one JSON object per line: Path, FileType\n"
		   "(pe32, pe32+, elf, script, other), the ProcessVersionInfo* columns,\n"
		   "VersionInfoCompanyNames, VersionInfoSource, SHA1, SHA256, FileSize, and Error\n"
		   "when the file could not be read or is malformed. Exits 1 when any file had an\n"
		   "Error, 2 on bad usage.\n\n"
		   "  --no-hash  leave SHA1 and SHA256 null: read only headers and resources\n");
}

static void write_column(struct json_writer *w, const struct event *e, enum field_id id)
{
	jw_key(w, event_fields[id].name);
	if (!event_isset(e, id)) {
		jw_null(w);
		return;
	}
	switch (event_fields[id].type) {
	case FT_STRING:
		jw_string(w, event_str(e, id), event_str_len(e, id));
		break;
	case FT_STRLIST:
		jw_array_begin(w);
		for (const char *s = event_list_next(e, id, NULL); s; s = event_list_next(e, id, s))
			jw_string(w, s, strlen(s));
		jw_array_end(w);
		break;
	default:
		jw_long(w, event_long(e, id));
		break;
	}
}

/* Returns true when the file was read without error. */
static bool inspect_one(struct json_writer *w, struct event *e, int root_fd, const char *arg,
			unsigned int flags)
{
	struct identity_probe probe = {.type = FILE_TYPE_OTHER};
	char abs[PATH_MAX];
	/* The package database knows absolute paths. */
	const char *path = arg[0] == '/' || !realpath(arg, abs) ? arg : abs;
	const char *error = NULL;
	struct stat st;
	bool typed = false;
	int fd = -1;

	event_reset(e);
	/*
	 * Refuse what is not a regular file before opening it (opening some
	 * devices has effects), and again after, in case it was swapped.
	 * O_NONBLOCK: opening a FIFO must not wait for a writer.
	 */
	if (stat(arg, &st))
		error = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		error = "not a regular file";
	else if ((fd = open(arg, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0)
		error = strerror(errno);
	else if (fstat(fd, &st))
		error = strerror(errno);
	else {
		/* A malformed PE is typed, with what could be read and an Error. */
		typed = !identity__probe(fd, &st, root_fd, path, flags, e, &probe);
		error = probe.error;
	}
	if (fd >= 0)
		close(fd);

	jw_object_begin(w);
	jw_key(w, "Path");
	jw_string(w, arg, strlen(arg));
	jw_key(w, "FileType");
	if (typed)
		jw_cstring(w, filetype__name(probe.type));
	else
		jw_null(w);
	for (size_t i = 0; i < IDENTITY_NCOLUMNS; i++)
		write_column(w, e, identity_columns[i]);
	if (error)
		jw_kv_str(w, "Error", error);
	jw_object_end(w);
	if (jw_flush_line(w, stdout))
		pr_err("failed to write the record of %s", arg);
	return !error;
}

int cmd_inspect(int argc, char **argv)
{
	unsigned int flags = 0;
	struct json_writer w;
	struct event e;
	int i, root_fd, status = 0;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--no-hash")) {
			flags |= IDENTITY_NO_HASH;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			pr_err("inspect: unknown option '%s'", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	/* Package lookups resolve paths in the host's own root. */
	root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	jw_init(&w);
	event_init(&e);
	for (; i < argc; i++)
		if (!inspect_one(&w, &e, root_fd, argv[i], flags))
			status = 1;
	fflush(stdout);
	event_free(&e);
	jw_free(&w);
	if (root_fd >= 0)
		close(root_fd);
	return status;
}
