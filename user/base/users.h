/* SPDX-License-Identifier: MIT */
/* uid -> account name, cached: every exec needs one, few uids exist. */
#ifndef RMMHUNT_USERS_H
#define RMMHUNT_USERS_H

#include <stdint.h>

/* The name of @uid on this host, or its number as text when it has none. */
const char *users__name(uint32_t uid);
/* Forgets what was cached (after /etc/passwd changed). */
void users__flush(void);

#endif
