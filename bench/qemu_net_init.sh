#!/bin/sh
# /init of the connect-storm benchmark guest (bench/qemu_net.sh boots it; busybox
# sh, PID 1, everything in RAM). Runs bench/connstorm.c with no monitor, under
# `rmmhunt run --emit events` and under libbpf-tools' tcpconnect, alternating,
# with kernel.bpf_stats_enabled on, and prints one line per run on the console:
#   RMMHUNT-BENCH-RUN {"round":R,"mode":M,"connstorm":{...},"cpu_ticks":T,...}
# between RMMHUNT-BENCH-BEGIN and RMMHUNT-BENCH-END, then powers off.
# cpu_ticks: the monitor's utime + stime (/proc/PID/stat, all threads) over
# the storm and until it went idle, after a warm-up storm of 10 connections; bpf_ns: the run_time_ns its BPF programs
# gained over the storm (bpftool); seen: records or lines for the storm's
# port; lost: what the monitor says it lost. Sizes come from the kernel
# command line, which the kernel hands to /init as its environment:
# BENCH_N connections per storm, BENCH_W workers, BENCH_ROUNDS rounds.
export PATH=/bin:/usr/sbin
N=${BENCH_N:-5000}
W=${BENCH_W:-2}
ROUNDS=${BENCH_ROUNDS:-5}
RMMHUNT="rmmhunt run --emit events --stats-interval 0 \
--device-id 0123456789abcdef0123456789abcdef --device-name qemu"
OUT=/tmp/monitor.out
ERR=/tmp/monitor.err

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tracefs tracefs /sys/kernel/tracing
echo 1 >/proc/sys/kernel/printk
ip link set lo up

fail() {
	echo "RMMHUNT-BENCH-FAIL $*"
	echo "--- monitor stderr"
	tail -n 20 "$ERR"
	echo "RMMHUNT-BENCH-END"
	poweroff -f
	sleep 10
}

# utime + stime of process $1, all its threads, in clock ticks
cpu_ticks() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# IDs of the BPF programs process $1 holds, through program or link fds
prog_ids() {
	cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '$1 == "prog_id:" { print $2 }' | sort -u
}

# run_time_ns of the programs listed in file $1, summed
bpf_ns() {
	bpftool prog show 2>/dev/null | awk -v ids="$1" '
		BEGIN { while ((getline l <ids) > 0) want[l] = 1 }
		$1 ~ /^[0-9]+:$/ {
			id = substr($1, 1, length($1) - 1)
			for (i = 2; i < NF; i++)
				if ($i == "run_time_ns" && (id in want)) t += $(i + 1)
		}
		END { printf "%.0f\n", t }'
}

# Waits until the monitor used at most 1% CPU (a tick a second) for two seconds
# in a row: it drained its backlog. Sets idle_at to its ticks when that began
# (rmmhunt is never fully still: a tick every few seconds under emulation).
wait_idle() {
	last=$(cpu_ticks "$1") still=0 i=0
	while [ $still -lt 2 ] && [ $i -lt 300 ]; do
		[ $still -gt 0 ] || idle_at=$last
		sleep 1
		now=$(cpu_ticks "$1")
		if [ $((now - last)) -le 1 ]; then still=$((still + 1)); else still=0; fi
		last=$now i=$((i + 1))
	done
}

# tcpconnect has attached once it holds its four probes' links (kprobe and
# kretprobe on tcp_v4_connect and tcp_v6_connect); its stdout is a file, so
# no header line says so.
tcpconnect_ready() {
	n=0
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd")" = "anon_inode:bpf_link" ] && n=$((n + 1))
	done
	[ $n -ge 4 ]
}

# is_ready MODE: the monitor started in the background ($pid) is ready
is_ready() {
	case $1 in
	rmmhunt) grep -q '"State":"ready"' "$OUT" ;;
	tcpconnect) tcpconnect_ready "$pid" ;;
	esac
}

start_monitor() {
	case $1 in
	rmmhunt) $RMMHUNT >"$OUT" 2>"$ERR" & ;;
	tcpconnect) tcpconnect >"$OUT" 2>"$ERR" & ;;
	esac
	pid=$!
	i=0
	until is_ready "$1"; do
		kill -0 "$pid" 2>/dev/null || fail "$1 exited before it was ready"
		[ $i -lt 1200 ] || fail "$1 not ready after 120 s"
		usleep 100000
		i=$((i + 1))
	done
	sleep 1
}

# round R MODE: one storm under MODE (none, rmmhunt, tcpconnect)
round() {
	r=$1 mode=$2
	rm -f "$OUT" "$ERR"
	[ "$mode" = none ] || start_monitor "$mode"
	if [ "$mode" != none ]; then
		# a first, small storm: what the monitor does once per new executable
		# (rmmhunt hashes it) is not a cost per connection
		/bin/connstorm -n 10 -w 1 >/dev/null || fail "connstorm failed"
		wait_idle "$pid"
		prog_ids "$pid" >/tmp/ids
		cpu0=$(cpu_ticks "$pid")
		bpf0=$(bpf_ns /tmp/ids)
	fi
	t0=$(cut -d ' ' -f 1 /proc/uptime)
	storm=$(/bin/connstorm -n "$N" -w "$W") || fail "connstorm: $storm"
	if [ "$mode" = none ]; then
		echo "RMMHUNT-BENCH-RUN {\"round\":$r,\"mode\":\"none\",\"connstorm\":$storm}"
		return
	fi
	bpf1=$(bpf_ns /tmp/ids)
	wait_idle "$pid"
	cpu1=$idle_at
	t1=$(cut -d ' ' -f 1 /proc/uptime)
	port=$(echo "$storm" | sed -n 's/.*"port":\([0-9]*\).*/\1/p')
	if [ "$mode" = rmmhunt ]; then
		kill -TERM "$pid"
		wait "$pid"
		stopping=$(grep '"State":"stopping"' "$OUT")
		[ -n "$stopping" ] || fail "rmmhunt: no stopping Status record"
		lost=$(echo "$stopping" | sed -n 's/.*"NetworkLost":\([0-9]*\).*/\1/p')
		seen=$(grep -F "\"RemotePort\":$port," "$OUT" | grep -c '"ActionType":"ConnectionSuccess"')
		url=$(grep -F "\"RemotePort\":$port," "$OUT" | grep -c '"RemoteUrl":"connstorm.bench.example"')
		first=$(echo "$stopping" | sed -n 's/.*"NetworkFirstBytes":"\([^"]*\)".*/\1/p')
		extra=",\"with_url\":$url,\"first_bytes\":\"$first\""
	else
		kill -INT "$pid"
		wait "$pid"
		# PID COMM IP SADDR DADDR DPORT
		seen=$(awk -v p="$port" 'NF >= 6 && $NF == p { n++ } END { print n + 0 }' "$OUT")
		lost=$(sed -n 's/.*[Ll]ost \([0-9]*\) events.*/\1/p' "$ERR" |
			awk '{ n += $1 } END { print n + 0 }')
		extra=""
	fi
	echo "RMMHUNT-BENCH-RUN {\"round\":$r,\"mode\":\"$mode\",\"connstorm\":$storm,\
\"cpu_ticks\":$((cpu1 - cpu0)),\"clk_tck\":100,\"bpf_ns\":$((bpf1 - bpf0)),\
\"progs\":$(wc -l </tmp/ids),\"seen\":$seen,\"lost\":${lost:-null},\
\"monitor_s\":$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')$extra}"
}

echo "RMMHUNT-BENCH-BEGIN"
echo "RMMHUNT-BENCH-KERNEL $(uname -r)"
[ -r /sys/kernel/btf/vmlinux ] || fail "no BTF at /sys/kernel/btf/vmlinux"
echo 1 >/proc/sys/kernel/bpf_stats_enabled || fail "no kernel.bpf_stats_enabled"
modes="none rmmhunt tcpconnect"
r=1
while [ $r -le "$ROUNDS" ]; do
	# each round starts one mode further on, so no mode always runs first
	# shellcheck disable=SC2086 # words
	set -- $modes
	k=$(((r - 1) % 3))
	while [ $k -gt 0 ]; do
		set -- "$@" "$1"
		shift
		k=$((k - 1))
	done
	for mode in "$@"; do
		echo "[$(cut -d ' ' -f 1 /proc/uptime)] round $r/$ROUNDS: $mode, $N connections"
		round "$r" "$mode"
	done
	r=$((r + 1))
done
echo "RMMHUNT-BENCH-END"
sync
poweroff -f
sleep 10
