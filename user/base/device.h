/* SPDX-License-Identifier: MIT */
/*
 * DeviceId and DeviceName: who this host is in every record. A monitor in a
 * container that shares the host's pid namespace (the image, the DaemonSet)
 * sees the host through pid 1: its root holds the host's machine-id and its
 * UTS namespace the host's name, where our own would name the container.
 */
#ifndef RMMHUNT_DEVICE_H
#define RMMHUNT_DEVICE_H

#include <stddef.h>

/*
 * The machine id (32 hex digits) from $RMMHUNT_MACHINE_ID_FILE when set, else
 * /proc/1/root/etc/machine-id, else /etc/machine-id. @source names the file
 * read. -errno when none is readable and well formed.
 */
int device__id(char *out, size_t size, const char **source);
/*
 * $NODE_NAME when set (Kubernetes); else, when our UTS namespace is not pid
 * 1's, pid 1's host name (joined in a child, which needs CAP_SYS_ADMIN), else
 * pid 1's /etc/hostname; else our host name, as its FQDN when the resolver
 * knows one. @source says which ("NODE_NAME", "pid 1's UTS namespace", ...).
 */
int device__name(char *out, size_t size, const char **source);

#endif
