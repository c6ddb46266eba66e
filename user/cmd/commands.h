/* SPDX-License-Identifier: MIT */
/* The subcommands of `rmmhunt`: each returns the process exit status. */
#ifndef RMMHUNT_COMMANDS_H
#define RMMHUNT_COMMANDS_H

int cmd__run(int argc, char **argv);	 /* capture/run.c: the monitor */
int cmd__inspect(int argc, char **argv); /* identity/inspect.c */
int cmd__rules(int argc, char **argv);	 /* rules/rules_cmd.c: check, list */
int cmd__replay(int argc, char **argv);	 /* aggregate/replay.c */

#endif
