// SPDX-License-Identifier: MIT
/* DeviceNetworkEvents: one network record from the kernel on its way to output. */
#include "capture/decode.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_int.h"

int pipeline__net(struct pipeline *p, const struct net_event *k, size_t size)
{
	if (decode__net(k, size)) {
		p->stats.decode_errors++;
		return 0;
	}
	p->stats.net_events++;
	return 0;
}
