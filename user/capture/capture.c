// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/thread.h"
#include "capture/capture.h"
#include "capture/loader.h"
#include "capture/tcpdns.h"
#include "capture/wineprocs.h"

/*
 * A ring's pages are all resident, twice. The exec ring covers what comes in
 * while the loop is away for WATCHDOG_MS: 64 KiB already did for a storm of
 * 2,500 new executables a second (32 KiB dropped 5 in 20,000). A loopback
 * connect storm brings ten times the bytes a second: on a busy 2-core host
 * 512 KiB dropped records in one round of three, 1 MiB none.
 */
#define RINGBUF_DEFAULT	    (512u << 10)
#define NET_RINGBUF_DEFAULT (1u << 20)
/*
 * Bytes of events the consumer batches while the handler is busy. Past this it
 * stops reading: the ring fills and the kernel counts what it drops.
 */
#define QUEUE_MAX (64u << 20)
/* the handler away from the ring longer than this: the consumer reads it meanwhile */
#define WATCHDOG_MS	10
#define POLL_ROUNDS_MAX 64 /* batches one capture__poll() hands over at most */

#define BATCH_KEEP (256u << 10) /* a batch buffer grown past this is freed once drained */

/*
 * The handler (capture__poll) reads the ring itself: it waits on the ring's
 * wake-ups, reads what came into a batch and hands the events to the
 * callback, so an exec costs one thread one wake-up. While it is away from
 * the ring (handling a batch, or whatever its caller does between polls) the
 * ring still has to be emptied (a read stuck in a hung mount, a collector
 * not reading stdout): the consumer thread does it then, woken by a timer
 * the handler arms as it leaves the ring, which fires only when it stays
 * away longer than WATCHDOG_MS. The ring then only has to cover that, not
 * the handling of a burst: it stays small, and its pages are all resident
 * (the kernel maps them at mmap, twice), where the batches hold only what
 * waits. Both buffers are reused, so an event costs no allocation.
 */
struct batch {
	char *buf; /* records: a uint64_t size, then the event, 8-aligned */
	size_t len, cap;
	size_t off; /* the handler's position in the batch it drains */
};

#define RECORD_HDR     sizeof(uint64_t)
#define RECORD_LEN(sz) ((RECORD_HDR + (sz) + 7) & ~(size_t)7)
#define RECORD_NET     (1ULL << 63) /* in the size word: a network record, for net_fn */

struct capture {
	struct bpf_handles bpf;
	struct ring_buffer *rb;
	struct tcpdns *tcpdns; /* the receive side's TCP DNS answers; NULL: not read there */
	struct wineprocs *wine;
	capture_event_fn fn;
	capture_net_fn net_fn;
	void *ctx;
	size_t ringbuf_size;
	char network[sizeof("off: ") + sizeof(((struct bpf_handles *)0)->net_off)];
	char tcp_dns[384]; /* capture__tcp_dns(): two reasons at most */

	pthread_t consumer;
	bool consumer_started;
	pthread_mutex_t ring_lock; /* one reader of the ring at a time (ring_buffer__consume) */
	pthread_mutex_t lock;
	pthread_cond_t room;	 /* room in the batch (or stop) */
	struct batch fill;	 /* what was read from the ring, under the lock */
	struct batch drain;	 /* the handler's */
	uint64_t queue_lost;	 /* events read that no memory could hold */
	uint64_t net_queue_lost; /* network records likewise */
	int consumer_err;
	bool stop;
	bool away;	 /* the handler is not reading the ring (atomic) */
	int epoll_fd;	 /* the rings' and the perf buffer's wake-ups (their epoll fds) */
	int watchdog_fd; /* timerfd: a batch took longer than WATCHDOG_MS (or stop) */

	/* the ring's position pages, mapped read-only to measure its fill */
	const volatile unsigned long *cons_pos;
	const volatile unsigned long *prod_pos;
	long page_size;
	int ncpus;
};

/*
 * Runs in whichever thread reads the ring (consume_ring): one record of
 * either ring into the batch, in the order read.
 */
static int batch_record(struct capture *c, const void *data, size_t size, bool net)
{
	struct batch *f = &c->fill;
	size_t need = RECORD_LEN(size);

	pthread_mutex_lock(&c->lock);
	if (f->len + need > f->cap) {
		size_t cap = f->cap ? f->cap : 64 << 10;
		char *buf;

		while (cap < f->len + need)
			cap *= 2;
		buf = realloc(f->buf, cap);
		if (!buf) {
			/* libbpf has consumed it: count it lost, as the kernel would */
			if (net)
				c->net_queue_lost++;
			else
				c->queue_lost++;
			pthread_mutex_unlock(&c->lock);
			return 0;
		}
		f->buf = buf;
		f->cap = cap;
	}
	*(uint64_t *)(f->buf + f->len) = size | (net ? RECORD_NET : 0);
	memcpy(f->buf + f->len + RECORD_HDR, data, size);
	f->len += need;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	if (size < EXEC_EVENT_HDR_SIZE)
		return 0;
	return batch_record(ctx, data, size, false);
}

/* Checked by the handler (decode__net), which counts what does not add up. */
static int on_net_sample(void *ctx, void *data, size_t size)
{
	return batch_record(ctx, data, size, true);
}

/* A TCP DNS answer from the perf buffer: a network record like the ring's. */
static int on_tcpdns_record(void *ctx, const struct net_event *k, size_t size)
{
	return batch_record(ctx, k, size, true);
}

/*
 * What the kernel has committed to the rings, into the fill batch: records
 * read (the perf buffer's not counted), or -errno. The perf buffer first:
 * every answer committed before the rings are read is handed on before their
 * records, so before the connect an asker made after its answer came, on
 * whichever CPU. (One committed between the two reads comes a round later:
 * the connect's record then still waits for its first bytes, net.h.)
 */
static int consume_ring(struct capture *c)
{
	int n;

	pthread_mutex_lock(&c->ring_lock);
	if (c->tcpdns)
		tcpdns__consume(c->tcpdns);
	n = ring_buffer__consume(c->rb);
	pthread_mutex_unlock(&c->ring_lock);
	return n == -EINTR ? 0 : n;
}

static void consumer_fail(struct capture *c, int err)
{
	pthread_mutex_lock(&c->lock);
	c->consumer_err = err;
	pthread_mutex_unlock(&c->lock);
}

static void *consumer_main(void *arg)
{
	struct capture *c = arg;
	struct pollfd pfd = {.fd = c->watchdog_fd, .events = POLLIN};
	struct epoll_event ev;
	uint64_t fired;
	int n;

	for (;;) {
		bool stop, away;

		/* asleep until the handler stays away too long (or stop): nothing per batch */
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			consumer_fail(c, -errno);
			break;
		}
		if (read(c->watchdog_fd, &fired, sizeof(fired)) < 0 && errno != EAGAIN) {
			consumer_fail(c, -errno);
			break;
		}
		/* read the ring for the handler until it is back */
		for (;;) {
			pthread_mutex_lock(&c->lock);
			while (!c->stop && c->fill.len >= QUEUE_MAX)
				pthread_cond_wait(&c->room, &c->lock);
			stop = c->stop;
			pthread_mutex_unlock(&c->lock);
			away = __atomic_load_n(&c->away, __ATOMIC_ACQUIRE);
			if (stop)
				return NULL;
			if (!away)
				break;
			/*
			 * Records written without a wake-up (see WAKEUP_BATCH_NS) wake no
			 * one later either: look again within POLL_BUSY_MS regardless.
			 */
			if (epoll_wait(c->epoll_fd, &ev, 1, POLL_BUSY_MS) < 0 && errno != EINTR) {
				consumer_fail(c, -errno);
				return NULL;
			}
			n = consume_ring(c);
			if (n < 0) {
				consumer_fail(c, n);
				return NULL;
			}
		}
	}
	return NULL;
}

int capture__start(struct capture *c)
{
	int err;

	if (c->consumer_started)
		return 0;
	err = thread__start(&c->consumer, consumer_main, c);
	if (err) {
		pr_err("failed to start the ring buffer consumer thread: %s", strerror(-err));
		return err;
	}
	c->consumer_started = true;
	return 0;
}

/* Fires the watchdog in @ms (0: never). */
static void watchdog_arm(struct capture *c, unsigned int ms)
{
	struct itimerspec t = {.it_value = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L}};

	timerfd_settime(c->watchdog_fd, 0, &t, NULL);
}

static void consumer_stop(struct capture *c)
{
	if (!c->consumer_started)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->room);
	pthread_mutex_unlock(&c->lock);
	/* the consumer waits on the watchdog, or at most POLL_BUSY_MS in epoll */
	watchdog_arm(c, 1);
	pthread_join(c->consumer, NULL);
	c->consumer_started = false;
}

static size_t round_pow2(size_t n)
{
	size_t p = 4096;

	while (p < n)
		p <<= 1;
	return p;
}

/* Where TCP DNS answers are read, once loaded; @why: why not on the receive side. */
static void say_tcp_dns(struct capture *c, const char *why)
{
	const char *fb = c->bpf.first_bytes;

	if (!c->bpf.network)
		snprintf(c->tcp_dns, sizeof(c->tcp_dns), "off: network capture is off");
	else if (c->bpf.dns_frags)
		snprintf(c->tcp_dns, sizeof(c->tcp_dns), "receive");
	else if (strncmp(fb, "off", 3))
		snprintf(c->tcp_dns, sizeof(c->tcp_dns), "send: %s", why);
	else
		snprintf(c->tcp_dns, sizeof(c->tcp_dns), "off: %s, and the send hook is %s", why,
			 fb);
}

/* One epoll set for the rings (libbpf's own set) and the perf buffer (likewise). */
static int epoll_rings(struct capture *c)
{
	int fds[2] = {ring_buffer__epoll_fd(c->rb), c->tcpdns ? tcpdns__epoll_fd(c->tcpdns) : -1};

	c->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epoll_fd < 0)
		return -errno;
	for (int i = 0; i < 2 && fds[i] >= 0; i++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = fds[i]};

		if (epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, fds[i], &ev))
			return -errno;
	}
	return 0;
}

int capture__open(struct capture **out, const struct capture_opts *opts, capture_event_fn fn,
		  capture_net_fn net_fn, void *ctx)
{
	char why[sizeof(((struct bpf_handles *)0)->dns_frags_off)] = "";
	struct loader_opts lo;
	struct capture *c;
	int err;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fn = fn;
	c->net_fn = net_fn;
	c->ctx = ctx;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->ring_lock, NULL);
	pthread_cond_init(&c->room, NULL);
	c->epoll_fd = -1;
	c->watchdog_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (c->watchdog_fd < 0) {
		err = -errno;
		pr_err("failed to create the ring buffer watchdog timer: %s", strerror(-err));
		free(c);
		return err;
	}
	c->ncpus = libbpf_num_possible_cpus();
	c->ringbuf_size = round_pow2(opts->ringbuf_size ? opts->ringbuf_size : RINGBUF_DEFAULT);

	lo = (struct loader_opts){
	    .btf_path = opts->btf_path,
	    .ringbuf_size = c->ringbuf_size,
	    .net_ringbuf_size =
		round_pow2(opts->net_ringbuf_size ? opts->net_ringbuf_size : NET_RINGBUF_DEFAULT),
	    .network = !opts->no_network && net_fn,
	    .net_exclude = opts->net_exclude,
	    .nnet_exclude = opts->nnet_exclude,
	    .dns_skb_fd = -1,
	};
	/* before the load, which reuses its map: each sample then finds its ring open */
	if (lo.network && !tcpdns__open(&c->tcpdns, on_tcpdns_record, c, why, sizeof(why)))
		lo.dns_skb_fd = tcpdns__map_fd(c->tcpdns);
	err = loader__load(&lo, &c->bpf);
	if (err)
		goto cleanup;
	if (!c->bpf.dns_frags) {
		/* the programs do not write to it */
		tcpdns__free(c->tcpdns);
		c->tcpdns = NULL;
		if (c->bpf.dns_frags_off[0])
			snprintf(why, sizeof(why), "%s", c->bpf.dns_frags_off);
	}
	say_tcp_dns(c, why);
	if (c->bpf.network)
		snprintf(c->network, sizeof(c->network), "on");
	else
		snprintf(c->network, sizeof(c->network), "off: %s",
			 c->bpf.net_off[0] ? c->bpf.net_off : "no network handler");
	c->wine = wineprocs__new(c->bpf.wine_prog_fd, c->bpf.wine_procs_fd,
				 !c->bpf.network ? "network capture is off"
						 : "no tracepoint BTF (raw_tp)");
	if (!c->wine) {
		err = -ENOMEM;
		goto cleanup;
	}
	c->rb = ring_buffer__new(c->bpf.events_fd, on_sample, c, NULL);
	if (!c->rb) {
		err = -errno;
		pr_err("failed to create the ring buffer consumer thread: %s", strerror(-err));
		goto cleanup;
	}
	/* one consumer for both rings: the batch keeps the order it read them in */
	if (c->bpf.network &&
	    (err = ring_buffer__add(c->rb, c->bpf.net_events_fd, on_net_sample, c))) {
		pr_err("failed to read the network ring buffer: %s", strerror(-err));
		goto cleanup;
	}
	err = epoll_rings(c);
	if (err) {
		pr_err("failed to wait on the ring buffers: %s", strerror(-err));
		goto cleanup;
	}
	c->page_size = sysconf(_SC_PAGESIZE);
	c->cons_pos = mmap(NULL, c->page_size, PROT_READ, MAP_SHARED, c->bpf.events_fd, 0);
	c->prod_pos =
	    mmap(NULL, c->page_size, PROT_READ, MAP_SHARED, c->bpf.events_fd, c->page_size);
	if (c->cons_pos == MAP_FAILED || c->prod_pos == MAP_FAILED) {
		err = -errno;
		pr_err("failed to map the ring buffer positions: %s", strerror(-err));
		goto cleanup;
	}
	*out = c;
	return 0;
cleanup:
	capture__free(c);
	return err;
}

void capture__free(struct capture *c)
{
	if (!c)
		return;
	consumer_stop(c);
	free(c->fill.buf);
	free(c->drain.buf);
	pthread_cond_destroy(&c->room);
	pthread_mutex_destroy(&c->ring_lock);
	pthread_mutex_destroy(&c->lock);
	if (c->watchdog_fd >= 0)
		close(c->watchdog_fd);
	if (c->epoll_fd >= 0)
		close(c->epoll_fd);
	if (c->cons_pos && c->cons_pos != MAP_FAILED)
		munmap((void *)c->cons_pos, c->page_size);
	if (c->prod_pos && c->prod_pos != MAP_FAILED)
		munmap((void *)c->prod_pos, c->page_size);
	ring_buffer__free(c->rb);
	wineprocs__free(c->wine);
	/* after the links: no program writes to a ring closed under it */
	loader__close(&c->bpf);
	tcpdns__free(c->tcpdns);
	free(c);
}

/*
 * Hands the drain batch to the callback from where it stopped: the number of
 * events handled, or the callback's error (the events after the failed one
 * stay for the next call, as they would have stayed in the ring).
 */
static int deliver(struct capture *c)
{
	struct batch *d = &c->drain;
	int n = 0, err;

	while (d->off < d->len) {
		uint64_t word = *(uint64_t *)(d->buf + d->off), size = word & ~RECORD_NET;
		const void *ev = d->buf + d->off + RECORD_HDR;

		d->off += RECORD_LEN(size);
		err = word & RECORD_NET ? c->net_fn(c->ctx, ev, size) : c->fn(c->ctx, ev, size);
		if (err < 0)
			return err;
		n++;
	}
	d->len = d->off = 0;
	if (d->cap > BATCH_KEEP) { /* after a burst: give the memory back */
		free(d->buf);
		d->buf = NULL;
		d->cap = 0;
	}
	return n;
}

/* With the lock held: the consumer's batch becomes the one to drain, once that one is done. */
static void take_fill(struct capture *c)
{
	struct batch t;

	if (c->drain.off < c->drain.len || !c->fill.len)
		return;
	/* the consumer waits only on a full batch */
	if (c->fill.len >= QUEUE_MAX)
		pthread_cond_signal(&c->room);
	t = c->drain;
	c->drain = c->fill;
	c->fill = t;
}

static unsigned long ring_pos(const volatile unsigned long *pos)
{
	return __atomic_load_n(pos, __ATOMIC_ACQUIRE);
}

/* The handler leaves the ring: the consumer reads it if that lasts past WATCHDOG_MS. */
static void leave_ring(struct capture *c)
{
	if (__atomic_load_n(&c->away, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&c->away, true, __ATOMIC_RELEASE);
	watchdog_arm(c, WATCHDOG_MS);
}

/*
 * The handler is back at the ring. The watchdog is left armed for a short
 * wait (a storm's next batch re-arms it), disarmed before a longer one: an
 * idle monitor wakes no one.
 */
static void back_to_ring(struct capture *c, int wait_ms)
{
	__atomic_store_n(&c->away, false, __ATOMIC_RELEASE);
	if (wait_ms > POLL_BUSY_MS)
		watchdog_arm(c, 0);
}

int capture__poll(struct capture *c, int timeout_ms)
{
	struct timespec deadline = clock__monotonic_after_ms(timeout_ms > 0 ? timeout_ms : 0);
	struct epoll_event ev;
	int err, total = 0;

	err = capture__start(c);
	if (err)
		return err;
	back_to_ring(c, 0);
	/*
	 * Hand over what is batched and what the kernel has committed to the
	 * ring, until a look finds nothing more (bounded, for a storm): the
	 * caller's tick must come after every event committed by then (a held
	 * Wine start is settled by the next exec of its process, which may be
	 * waiting here; wine.h's contract).
	 */
	for (int round = 0; round < POLL_ROUNDS_MAX;) {
		bool more;
		int n = consume_ring(c);

		if (n < 0)
			return n;
		pthread_mutex_lock(&c->lock);
		take_fill(c);
		more = c->drain.off < c->drain.len;
		err = c->consumer_err;
		pthread_mutex_unlock(&c->lock);
		if (more) {
			leave_ring(c);
			n = deliver(c);
			if (n < 0)
				return n;
			total += n;
			round++;
			continue;
		}
		if (err < 0)
			return err;
		if (total)
			break;
		n = clock__ms_until(&deadline);
		if (n <= 0)
			break;
		back_to_ring(c, n);
		if (epoll_wait(c->epoll_fd, &ev, 1, n) < 0) {
			err = errno;
			leave_ring(c);
			return err == EINTR ? total : -err;
		}
	}
	/* the caller's work until the next poll: the consumer covers it if long */
	leave_ring(c);
	return total;
}

int capture__drain(struct capture *c)
{
	int n, total = 0;

	/* the consumer gone, what is left in the ring joins the batch */
	consumer_stop(c);
	n = consume_ring(c);
	if (n < 0)
		return n;
	do {
		take_fill(c); /* the consumer is gone: no lock needed */
		n = deliver(c);
		total += n > 0 ? n : 0;
	} while (n > 0 && c->fill.len);
	return n < 0 ? n : total;
}

static uint64_t counter_sum(struct capture *c, enum counter which)
{
	__u32 key = which;
	uint64_t vals[c->ncpus], sum = 0;

	/* The kernel fills one value per CPU; valgrind believes only the first. */
	memset(vals, 0, sizeof(vals));
	if (bpf_map_lookup_elem(c->bpf.counters_fd, &key, vals))
		return 0;
	for (int i = 0; i < c->ncpus; i++)
		sum += vals[i];
	return sum;
}

void capture__counters(struct capture *c, struct capture_counters *out)
{
	out->execs = counter_sum(c, CNT_EXECS);
	out->lost_by[CAPTURE_LOST_RING_FULL] = counter_sum(c, CNT_LOST_RING_FULL);
	out->lost_by[CAPTURE_LOST_NO_SCRATCH] = counter_sum(c, CNT_LOST_NO_SCRATCH);
	out->lost_by[CAPTURE_LOST_TOO_LARGE] = counter_sum(c, CNT_LOST_TOO_LARGE);
	pthread_mutex_lock(&c->lock);
	out->lost_by[CAPTURE_LOST_NO_MEMORY] = c->queue_lost;
	pthread_mutex_unlock(&c->lock);
	out->lost = 0;
	for (int i = 0; i < CAPTURE_LOST__COUNT; i++)
		out->lost += out->lost_by[i];
	out->forks = counter_sum(c, CNT_FORKS);
	out->unmatchable = counter_sum(c, CNT_UNMATCHABLE);
	out->net_events = counter_sum(c, CNT_NET_EVENTS);
	out->net_lost_by[CAPTURE_NET_LOST_RING_FULL] = counter_sum(c, CNT_NET_LOST_RING_FULL);
	out->net_lost_by[CAPTURE_NET_LOST_NO_ENTRY] = counter_sum(c, CNT_NET_LOST_NO_ENTRY);
	out->net_lost_by[CAPTURE_NET_LOST_PERF_BUFFER] =
	    counter_sum(c, CNT_NET_LOST_PERF) + (c->tcpdns ? tcpdns__lost(c->tcpdns) : 0);
	pthread_mutex_lock(&c->lock);
	out->net_lost_by[CAPTURE_NET_LOST_NO_MEMORY] = c->net_queue_lost;
	pthread_mutex_unlock(&c->lock);
	out->net_lost = 0;
	for (int i = 0; i < CAPTURE_NET_LOST__COUNT; i++)
		out->net_lost += out->net_lost_by[i];
	out->net_excluded = counter_sum(c, CNT_NET_EXCLUDED);
	out->net_data_cut = counter_sum(c, CNT_NET_DATA_CUT);
	out->net_wine_requests = counter_sum(c, CNT_NET_WINE_REQUESTS);
}

const char *capture__lost_name(enum capture_lost cause)
{
	static const char *const names[CAPTURE_LOST__COUNT] = {
	    [CAPTURE_LOST_RING_FULL] = "RingBufferFull",
	    [CAPTURE_LOST_NO_SCRATCH] = "NoScratchSlot",
	    [CAPTURE_LOST_TOO_LARGE] = "TooLarge",
	    [CAPTURE_LOST_NO_MEMORY] = "NoMemory",
	};

	return (unsigned)cause < CAPTURE_LOST__COUNT ? names[cause] : "Unknown";
}

const char *capture__net_lost_name(enum capture_net_lost cause)
{
	static const char *const names[CAPTURE_NET_LOST__COUNT] = {
	    [CAPTURE_NET_LOST_RING_FULL] = "RingBufferFull",
	    [CAPTURE_NET_LOST_NO_ENTRY] = "NoMapEntry",
	    [CAPTURE_NET_LOST_NO_MEMORY] = "NoMemory",
	    [CAPTURE_NET_LOST_PERF_BUFFER] = "PerfBuffer",
	};

	return (unsigned)cause < CAPTURE_NET_LOST__COUNT ? names[cause] : "Unknown";
}

void capture__mark_unmatchable(struct capture *c, const struct exec_event *k)
{
	struct exe_key key = {.ino = k->exe_ino, .ctime_ns = k->exe_ctime_ns, .dev = k->exe_dev};
	__u8 one = 1;

	bpf_map_update_elem(c->bpf.unmatchable_fd, &key, &one, BPF_ANY);
}

void capture__clear_unmatchable(struct capture *c)
{
	int fd = c->bpf.unmatchable_fd;
	struct exe_key key, next;

	/* delete from the first key each time: deleting while iterating skips keys */
	while (!bpf_map_get_next_key(fd, NULL, &next)) {
		key = next;
		if (bpf_map_delete_elem(fd, &key))
			break;
	}
}

double capture__ring_fill(struct capture *c)
{
	unsigned long cons = ring_pos(c->cons_pos);
	unsigned long prod = ring_pos(c->prod_pos);

	return (double)(prod - cons) / (double)c->ringbuf_size;
}

const char *capture__attach_mode(const struct capture *c)
{
	return c->bpf.raw_tp ? "raw_tp" : "tp_btf";
}

const char *capture__network(const struct capture *c)
{
	return c->network;
}

const char *capture__first_bytes(const struct capture *c)
{
	return c->bpf.first_bytes;
}

const char *capture__tcp_dns(const struct capture *c)
{
	return c->tcp_dns;
}

void capture__wine_process(struct capture *c, uint32_t tgid, uint64_t exe_ino, enum wine_role role)
{
	wineprocs__add(c->wine, tgid, exe_ino, role);
}

void capture__tick(struct capture *c)
{
	wineprocs__sweep(c->wine);
}

const char *capture__wine_requests(const struct capture *c)
{
	return wineprocs__state(c->wine);
}
