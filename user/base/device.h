/* SPDX-License-Identifier: MIT */
/* DeviceId and DeviceName: who this host is in every record. */
#ifndef RMMHUNT_DEVICE_H
#define RMMHUNT_DEVICE_H

#include <stddef.h>

/* /etc/machine-id (32 hex digits); -errno when missing or malformed. */
int device__id(char *out, size_t size);
/* $NODE_NAME when set (Kubernetes), else the host's FQDN, else its hostname. */
int device__name(char *out, size_t size);

#endif
