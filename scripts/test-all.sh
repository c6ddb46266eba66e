#!/bin/sh
# SPDX-License-Identifier: MIT
# `make test`: every stage of the suite, each run even when an earlier one
# failed, then one closing line over all of them:
#
#   test: 1234 passed, 0 failed, 3 skipped
#
# and a non-zero exit if anything failed. Only a failed build stops it early:
# nothing after it could run. Each stage's output goes to the terminal and to
# build/test-logs/<stage>.log, from which its counts are read.
set -u
cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
PYTHON=${PYTHON:-/usr/bin/python3}
FUZZ_SMOKE_SECONDS=${FUZZ_SMOKE_SECONDS:-10}
LOGS=build/test-logs
mkdir -p "$LOGS"

passed=0 failed=0 skipped=0 summary=""

# run LOG CMD...: runs CMD with its output shown and kept in LOG; its exit status.
run() {
	log=$1
	shift
	rc_file=$(mktemp)
	{
		"$@"
		echo $? >"$rc_file"
	} 2>&1 | tee "$log"
	rc=$(cat "$rc_file")
	rm -f "$rc_file"
	return "$rc"
}

# count LOG: the cmocka and pytest counts in LOG, as "passed failed skipped".
count() {
	awk '
	/^\[  PASSED  \] [0-9]+ test/ { p += $4 }
	/^\[  FAILED  \] [0-9]+ test/ { f += $4 }
	/^\[  SKIPPED \] [0-9]+ test/ { s += $4 }
	/ in [0-9.]+s/ && / (passed|failed|error|skipped)/ {
		for (i = 1; i < NF; i++) {
			n = $i; w = $(i + 1); sub(/,$/, "", w)
			if (w == "passed") p += n
			else if (w == "failed" || w == "error" || w == "errors") f += n
			else if (w == "skipped") s += n
		}
	}
	/^(kernel|fuzz) .*: PASS/ { p++ }
	/^(kernel|fuzz) .*: FAIL/ { f++ }
	END { printf "%d %d %d\n", p, f, s }' "$1"
}

# stage NAME WHAT CMD...: one stage; a non-zero exit with no failure counted counts one.
stage() {
	name=$1 what=$2
	shift 2
	echo "== $name: $what"
	start=$(date +%s)
	run "$LOGS/$name.log" "$@"
	rc=$?
	set -- $(count "$LOGS/$name.log")
	p=$1 f=$2 s=$3
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	line="$name: $p passed, $f failed, $s skipped ($(($(date +%s) - start)) s)"
	summary="$summary$line
"
	echo "== $line"
}

# Fuzzing: each target for FUZZ_SMOKE_SECONDS from its seeds, then its regression
# inputs; one pass or failure per target.
fuzz_smoke() {
	targets=$(cd tests/fuzz && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
	n=$(echo "$targets" | wc -w) i=0 f=0
	rm -rf build/fuzz/smoke
	$MAKE --no-print-directory fuzz-build || return 1
	for t in $targets; do
		i=$((i + 1))
		echo "FUZZ $t for $FUZZ_SMOKE_SECONDS s ($i of $n)"
		if $MAKE --no-print-directory -s fuzz-run-"$t" FUZZ_TIME="$FUZZ_SMOKE_SECONDS" \
			FUZZ_CORPUS=build/fuzz/smoke &&
			{ [ -z "$(ls tests/fuzz/regressions/"$t" 2>/dev/null)" ] ||
				$MAKE --no-print-directory -s fuzz-replay-"$t"; }; then
			echo "fuzz $t: PASS"
		else
			echo "fuzz $t: FAIL (build/fuzz/fuzz_$t.log)"
			f=$((f + 1))
		fi
	done
	[ "$f" -eq 0 ]
}

units=$(ls tests/unit/test_*.c | wc -l)
e2es=$(cat tests/e2e/test_*.py | grep -c '^def test_\|^    def test_')

echo "== build"
$MAKE --no-print-directory all || { echo "test: 0 passed, 1 failed"; exit 1; }
stage unit "$units cmocka files (seconds)" $MAKE --no-print-directory unit
stage e2e "about $e2es end-to-end tests on the real kernel (2-4 minutes, a dot each)" \
	$MAKE --no-print-directory e2e
stage fuzz "every libFuzzer target for $FUZZ_SMOKE_SECONDS s, then its regressions" fuzz_smoke
stage sanitize "unit and e2e again on the ASan+UBSan build (4-8 minutes)" scripts/ci-sanitize.sh
stage kernels "the static binary on other kernels under QEMU (2-5 minutes)" \
	$MAKE --no-print-directory test-kernels

echo
printf '%s' "$summary"
echo "test: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
