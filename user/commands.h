/* SPDX-License-Identifier: MIT */
/* The subcommands of `rmmhunt`: each returns the process exit status. */
#ifndef RMMHUNT_COMMANDS_H
#define RMMHUNT_COMMANDS_H

int cmd_run(int argc, char **argv);     /* capture/run.c: the monitor */
int cmd_inspect(int argc, char **argv); /* identity/inspect.c */
int cmd_rules(int argc, char **argv);   /* rules/rules_cmd.c: check, list */
int cmd_replay(int argc, char **argv);  /* aggregate/replay.c */

#endif
