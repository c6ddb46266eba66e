#!/bin/sh
# /init of the test-kernels guest (busybox sh, PID 1, everything in RAM).
# Smoke-tests the static rmmhunt on the booted kernel, in both attach modes
# (tp_btf, and raw_tp, which kernels without tracepoint BTF get): it gets
# ready with network capture on, reports an exec with the right path, command
# line, parent, directory and cgroup, counts a refused loopback connect and a
# UDP datagram as network records (the datagram's naming its process, and a
# connection its RemoteUrl from the first bytes wherever a hook reads them, and
# another's from a DNS answer over TCP, read as received), attaches its Wine
# server requests hook while a process named as Wine's server runs (tp_btf),
# and stops cleanly on SIGTERM. Then it must refuse to start
# without BTF. Prints the outcome on the serial console between markers that
# tests/kernels/run.sh parses:
#   RMMHUNT-KTEST-BEGIN
#   RMMHUNT-KTEST-RESULT PASS|FAIL <details>
#   RMMHUNT-KTEST-END
# then powers off. Any step that fails reports FAIL with the reason.
export PATH=/bin

TARGET=/bin/rmm-smoke-target
ARGS="alpha beta gamma"
ERR=/tmp/rmmhunt.err
RUN="rmmhunt run --emit events --stats-interval 0 \
--device-id 0123456789abcdef0123456789abcdef --device-name qemu"

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir /sys/fs/cgroup/rmm-ktest
# quiet: the kernel's own messages would interleave with the report
echo 1 >/proc/sys/kernel/printk
# loopback, for the network smoke test
ip link set lo up

uptime_s() {
	cut -d ' ' -f 1 /proc/uptime
}

done_with() {
	echo "RMMHUNT-KTEST-RESULT $1 $2"
	echo "RMMHUNT-KTEST-END"
	sync
	poweroff -f
	sleep 10 # poweroff -f does not return; if it does, the host's timeout ends qemu
}

# Prints the first line of $OUT that has every fixed string given.
line_with() {
	grep -F -e "$1" "$OUT" | {
		shift
		while read -r l; do
			ok=1
			for s in "$@"; do
				case "$l" in *"$s"*) ;; *) ok=0 ;; esac
			done
			[ $ok = 1 ] && echo "$l" && break
		done
	}
}

# Waits up to $2 seconds for a line with "State":"$1" in $OUT.
wait_state() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		[ -n "$(line_with '"RecordType":"Status"' "\"State\":\"$1\"")" ] && return 0
		kill -0 "$pid" 2>/dev/null || [ "$1" = stopping ] || return 1
		usleep 100000
		i=$((i + 1))
	done
	return 1
}

# Waits up to 10 seconds for a TCP socket listening on port $1 (/proc/net/tcp{,6}:
# local address ...:PORT in hex, state 0A).
wait_listen() {
	port=$(printf ':%04X' "$1")
	i=0
	while [ $i -lt 100 ]; do
		awk -v p="$port" 'substr($2, length($2) - 4) == p && $4 == "0A" { f = 1 }
			END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null && return 0
		usleep 100000
		i=$((i + 1))
	done
	return 1
}

# Shows what rmmhunt said and, after a load failure, the verifier log of a
# verbose retry with the same arguments ($@).
dump_logs() {
	echo "--- rmmhunt stderr"
	tail -n 40 "$ERR"
	echo "--- rmmhunt stdout"
	tail -n 5 "$OUT" | cut -c 1-400
	if [ "$1" = verbose ]; then
		shift
		echo "--- rmmhunt -v (last 200 lines)"
		$RUN -v "$@" >/dev/null 2>/tmp/verbose.err &
		vpid=$!
		i=0
		while [ $i -lt 60 ] && kill -0 $vpid 2>/dev/null; do
			sleep 1
			i=$((i + 1))
		done
		kill -TERM $vpid 2>/dev/null
		wait $vpid
		tail -n 200 /tmp/verbose.err
	fi
	echo "---"
}

# smoke MODE [ARGS...]: runs rmmhunt with ARGS, expecting attach MODE.
smoke() {
	mode=$1
	shift
	OUT=/tmp/rmmhunt-$mode.jsonl
	$RUN "$@" >"$OUT" 2>"$ERR" &
	pid=$!
	# BPF verification is slow under emulation: allow a minute
	if ! wait_state ready 60; then
		dump_logs verbose "$@"
		done_with FAIL "$mode: no ready record"
	fi
	ready=$(line_with '"State":"ready"')
	echo "[$(uptime_s)] $mode ready: $ready"
	case "$ready" in
	*"\"AttachMode\":\"$mode\""*) ;;
	*) done_with FAIL "$mode: ready record has another AttachMode" ;;
	esac
	# the network programs load on this kernel too (a failure would only warn)
	case "$ready" in
	*'"NetworkCapture":"on"'*) ;;
	*)
		dump_logs
		done_with FAIL "$mode: network capture is not on"
		;;
	esac
	# and net_dns with bpf_skb_output: TCP DNS answers read as received
	case "$ready" in
	*'"NetworkTcpDns":"receive"'*) ;;
	*)
		dump_logs
		done_with FAIL "$mode: TCP DNS answers not read on the receive side"
		;;
	esac

	# Wine's server requests: the hook loads with tp_btf only, and attaches
	# while a process whose file is named as Wine's server's runs (busybox,
	# run as sleep through a link: the file's own name is what counts)
	case "$mode:$ready" in
	tp_btf:*'"NetworkWineRequests":"idle"'* | raw_tp:*'"NetworkWineRequests":"off: '*) ;;
	*) done_with FAIL "$mode: Wine server requests hook not as expected" ;;
	esac
	mkdir -p /tmp/ws
	cp /bin/busybox /tmp/ws/wineserver-ktest
	ln -sf wineserver-ktest /tmp/ws/sleep
	/tmp/ws/sleep 600 &
	wspid=$!

	# The target runs in a shell of its own, whose pid the event must name,
	# from a cgroup and a directory on another mount: the BPF side walks
	# kernel structures for both, and those differ between versions.
	sh -c "echo \$\$ >/sys/fs/cgroup/rmm-ktest/cgroup.procs; echo \$\$ >/tmp/shell.pid;
		cd /tmp && $TARGET $ARGS; true" >/dev/null 2>&1
	shell=$(cat /tmp/shell.pid)

	# The event arrives asynchronously: wait up to 10 s for it.
	i=0
	while [ $i -lt 100 ]; do
		event=$(line_with "\"FolderPath\":\"$TARGET\"" '"RecordType":"DeviceProcessEvents"')
		[ -n "$event" ] && break
		usleep 100000
		i=$((i + 1))
	done
	if [ -z "$event" ]; then
		dump_logs
		done_with FAIL "$mode: no event for $TARGET"
	fi
	echo "[$(uptime_s)] $mode event: $event"
	for want in "\"ProcessCommandLine\":\"$TARGET $ARGS\"" \
		"\"InitiatingProcessId\":$shell," '"ProcessCurrentDirectory":"/tmp"' \
		'"CgroupPath":"/rmm-ktest"'; do
		case "$event" in
		*"$want"*) ;;
		*) done_with FAIL "$mode: event lacks $want" ;;
		esac
	done

	# a connect refused (ConnectionFailed) and a datagram (ConnectionRequest)
	nc 127.0.0.1 9 </dev/null >/dev/null 2>&1
	timeout 5 nslookup rmm-ktest.example 127.0.0.1 >/dev/null 2>&1
	# a connection's first bytes, an HTTP Host header (RemoteUrl) where a hook reads them
	nc -l -p 8081 >/dev/null 2>&1 &
	lpid=$!
	wait_listen 8081 || done_with FAIL "$mode: nc -l -p 8081 is not listening"
	printf 'GET / HTTP/1.1\r\nHost: rmm-ktest.example\r\n\r\n' |
		timeout 5 nc 127.0.0.1 8081 >/dev/null 2>&1
	kill $lpid 2>/dev/null
	wait $lpid 2>/dev/null
	# a DNS answer over TCP (canned: rmm-tcp.example A 127.0.0.9, from port 53),
	# then a connection to that address with no name of its own: named by the answer
	printf '\000\061\172\172\201\200\000\001\000\001\000\000\000\000\007rmm-tcp\007example\000\000\001\000\001\300\014\000\001\000\001\000\000\002\130\000\004\177\000\000\011' |
		nc -l -p 53 >/dev/null 2>&1 &
	lpid=$!
	nc -l -p 8082 >/dev/null 2>&1 &
	cpid=$!
	wait_listen 53 && wait_listen 8082 ||
		done_with FAIL "$mode: nc -l on ports 53 and 8082 is not listening"
	sleep 1 | timeout 5 nc 127.0.0.1 53 >/dev/null 2>&1
	printf 'PING\n' | timeout 5 nc 127.0.0.9 8082 >/dev/null 2>&1
	kill $lpid $cpid 2>/dev/null
	wait $lpid $cpid 2>/dev/null

	kill -TERM $pid
	wait $pid
	rc=$?
	if ! wait_state stopping 1; then
		dump_logs
		done_with FAIL "$mode: event ok, no stopping record (exit $rc)"
	fi
	stopping=$(line_with '"State":"stopping"')
	echo "[$(uptime_s)] $mode stopping: $stopping"
	kill $wspid 2>/dev/null
	wait $wspid 2>/dev/null
	if [ $rc -ne 0 ]; then
		dump_logs
		done_with FAIL "$mode: event ok, exit code $rc"
	fi
	case "$mode:$stopping" in
	tp_btf:*'"NetworkWineRequests":"attached"'* | raw_tp:*) ;;
	*) done_with FAIL "$mode: Wine server requests hook not attached while a server ran" ;;
	esac
	net=$(echo "$stopping" | sed -n 's/.*"NetworkEventsSeen":\([0-9]*\).*/\1/p')
	case "$stopping" in
	*'"NetworkLost":0,'*) ;;
	*) done_with FAIL "$mode: network records lost" ;;
	esac
	if [ "${net:-0}" -lt 2 ]; then
		dump_logs
		done_with FAIL "$mode: ${net:-no} network records for a connect and a datagram"
	fi
	# the datagram left in nslookup's own task: the record names it
	udp=$(line_with '"ActionType":"ConnectionRequest"' '"RemotePort":53,')
	case "$udp" in
	*'"InitiatingProcessFileName":"busybox"'*) ;;
	*)
		dump_logs
		done_with FAIL "$mode: no datagram record naming nslookup: ${udp:-none}"
		;;
	esac
	if [ -z "$(line_with '"ActionType":"ConnectionSuccess"' '"RemoteIP":"127.0.0.9"' \
		'"RemoteUrl":"rmm-tcp.example"')" ]; then
		dump_logs
		done_with FAIL "$mode: no RemoteUrl from a DNS answer over TCP"
	fi
	FIRST_BYTES=$(echo "$ready" | sed -n 's/.*"NetworkFirstBytes":"\([^"]*\)".*/\1/p')
	case "$FIRST_BYTES" in
	"" | off*) ;;
	*)
		if [ -z "$(line_with '"ActionType":"ConnectionSuccess"' \
			'"RemoteUrl":"rmm-ktest.example"')" ]; then
			dump_logs
			done_with FAIL "$mode: first bytes by $FIRST_BYTES, no RemoteUrl from them"
		fi
		;;
	esac
}

echo "RMMHUNT-KTEST-BEGIN"
echo "kernel $(uname -r)"
echo "[$(uptime_s)] start"
[ -r /sys/kernel/btf/vmlinux ] || done_with FAIL "no BTF at /sys/kernel/btf/vmlinux"

smoke tp_btf
# The same BTF with the tracepoint's typedef renamed (same length, so the
# file stays valid): rmmhunt then falls back to raw_tp, as on kernels whose
# tracepoints have no BTF.
# (strings and dd: sed over 5 MB takes half a minute under emulation)
cp /sys/kernel/btf/vmlinux /tmp/vmlinux-notp.btf
off=$(strings -t d /tmp/vmlinux-notp.btf |
	awk '$2 == "btf_trace_sched_process_exec" { print $1; exit }')
[ -n "$off" ] || done_with FAIL "tp_btf ok, but BTF has no btf_trace_sched_process_exec"
printf x | dd of=/tmp/vmlinux-notp.btf bs=1 seek="$off" conv=notrunc 2>/dev/null
smoke raw_tp --btf /tmp/vmlinux-notp.btf

# Without BTF, rmmhunt must stop at once and say why.
mount -t tmpfs tmpfs /sys/kernel/btf
# shellcheck disable=SC2086 # $RUN is a command line
timeout 30 $RUN >/dev/null 2>"$ERR"
rc=$?
echo "[$(uptime_s)] no-BTF run: exit $rc: $(cat "$ERR")"
if [ $rc -eq 0 ] || ! grep -q "has no BTF" "$ERR"; then
	OUT=/dev/null
	dump_logs
	done_with FAIL "tp_btf and raw_tp ok, no-BTF run: exit $rc"
fi
done_with PASS "tp_btf and raw_tp: exec event and network records ok (first bytes: \
${FIRST_BYTES:-none}; TCP DNS answers: receive; Wine requests hook attached), clean exit; \
no BTF: refused"
