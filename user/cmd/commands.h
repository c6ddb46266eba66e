/* SPDX-License-Identifier: MIT */
/* The subcommands of `rmmhunt`, one file each in cmd/: each returns the exit status. */
#ifndef RMMHUNT_COMMANDS_H
#define RMMHUNT_COMMANDS_H

int cmd__run(int argc, char **argv);	 /* run.c: the monitor */
int cmd__inspect(int argc, char **argv); /* inspect.c: the identity of files */
int cmd__rules(int argc, char **argv);	 /* rules.c: check, list */
int cmd__replay(int argc, char **argv);	 /* replay.c: rules over saved events */

#endif
