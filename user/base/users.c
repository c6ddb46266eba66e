// SPDX-License-Identifier: MIT
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "base/users.h"

#define USERS_SLOTS 256

static struct {
	uint32_t uid;
	int used;
	char name[64];
} cache[USERS_SLOTS];

const char *users__name(uint32_t uid)
{
	unsigned slot = (uid * 2654435761u) % USERS_SLOTS;
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (cache[slot].used && cache[slot].uid == uid)
		return cache[slot].name;
	cache[slot].uid = uid;
	cache[slot].used = 1;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		snprintf(cache[slot].name, sizeof(cache[slot].name), "%s", res->pw_name);
	else
		snprintf(cache[slot].name, sizeof(cache[slot].name), "%u", uid);
	return cache[slot].name;
}

void users__flush(void)
{
	memset(cache, 0, sizeof(cache));
}
