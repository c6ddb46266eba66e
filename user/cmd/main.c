// SPDX-License-Identifier: MIT
/* rmmhunt: hunt remote-management tool abuse on Linux. Dispatches subcommands. */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "cmd/commands.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", cmd__run, "monitor execs and alert (the default)" },
	{ "inspect", cmd__inspect, "print the identity of files" },
	{ "rules", cmd__rules, "check or list rules" },
	{ "replay", cmd__replay, "run the rules over saved events" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: rmmhunt [COMMAND] [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n`rmmhunt COMMAND --help` tells more. `rmmhunt --version` prints the version.\n");
}

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
		printf("rmmhunt %s\n", RMMHUNT_VERSION);
		return 0;
	}
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
			 !strcmp(argv[1], "help"))) {
		usage(stdout);
		return 0;
	}
	/* `rmmhunt` alone, or with options only, runs the monitor. */
	if (argc < 2 || argv[1][0] == '-')
		return cmd__run(argc, argv);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	pr_err("unknown command '%s'", argv[1]);
	usage(stderr);
	return 2;
}
