/* SPDX-License-Identifier: MIT */
/*
 * When each signed file was last reported: DeviceFileCertificateInfo records
 * go out once per file identity (its SHA1) when a process first runs it, and
 * again at most once a period while it keeps being run. The table is bounded:
 * when full, the file reported longest ago is forgotten (it is reported again
 * at its next run). It lives in memory only: a restarted monitor reports each
 * signed file once more, which costs one record per file and lets whoever
 * reads the new output see every signer it runs.
 */
#ifndef RMMHUNT_CERT_SEEN_H
#define RMMHUNT_CERT_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CERT_SEEN_MAX	    4096
#define CERT_SEEN_PERIOD_US (24LL * 3600 * 1000000)

struct cert_seen;

struct cert_seen *cert_seen__new(size_t max_entries);
void cert_seen__free(struct cert_seen *s); /* NULL is fine */

/*
 * True when the file whose SHA1 is @sha1 (hex) is due a report at @now_us:
 * never reported, or last reported @period_us or more before. Then @now_us is
 * its last report. False for a @sha1 that is not 40 hex digits.
 */
bool cert_seen__due(struct cert_seen *s, const char *sha1, int64_t now_us, int64_t period_us);
size_t cert_seen__count(const struct cert_seen *s);

#endif
