/* SPDX-License-Identifier: MIT */
/*
 * The systemd readiness protocol (sd_notify(3)) without libsystemd: one
 * datagram per message to the AF_UNIX socket named in $NOTIFY_SOCKET.
 */
#ifndef RMMHUNT_SD_NOTIFY_H
#define RMMHUNT_SD_NOTIFY_H

/*
 * Sends @message ("READY=1", "STATUS=...", "STOPPING=1", "WATCHDOG=1", or
 * several separated by '\n'). Returns 0 when sent, or when $NOTIFY_SOCKET is
 * unset (not started by systemd: nothing to tell); -EINVAL for an address
 * that is neither a path nor "@abstract", or another negative errno.
 */
int sd_notify__send(const char *message);

/* "STATUS=<formatted>"; same returns. */
int sd_notify__statusf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
