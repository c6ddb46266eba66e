#!/bin/sh
# SPDX-License-Identifier: MIT
# CI job for the sanitizer build (build/asan: ASan + UBSan, see SANITIZE in the
# Makefile): every unit test, then every end-to-end test on the ASan binary.
#
#   scripts/ci-sanitize.sh              all of it
#   E2E=test_capture.py scripts/...     only the e2e files named (tests/e2e/)
#
# Unit tests fail by exit code on any report. The e2e tests do not all check
# the monitor's exit code or stderr, so there every sanitizer report goes to a
# file (log_path) and any file left there fails the job.
set -eu
cd "$(dirname "$0")/.."
# every e2e file but test_valgrind.py (valgrind cannot run an ASan binary)
E2E=${E2E:-$(cd tests/e2e && ls test_*.py | grep -v '^test_valgrind\.py$')}
PYTHON=${PYTHON:-/usr/bin/python3}
JOBS=${JOBS:-2}

scripts/install-deps.sh build 'test*'

start=$(date +%s)
# halt_on_error: UBSan is already fatal (-fno-sanitize-recover), say so for ASan too.
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
make --no-print-directory -j"$JOBS" SANITIZE=1 unit

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
make --no-print-directory -j"$JOBS" SANITIZE=1 build/asan/rmmhunt
status=0
ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$reports/asan UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$reports/ubsan \
	RMMHUNT=$(pwd)/build/asan/rmmhunt \
	"$PYTHON" -m pytest -q $(for f in $E2E; do echo "tests/e2e/$f"; done) || status=1
for f in "$reports"/*; do
	[ -e "$f" ] || continue
	echo "== sanitizer report $(basename "$f")" >&2
	cat "$f" >&2
	status=1
done
echo "ci-sanitize: $(($(date +%s) - start)) s, $([ $status = 0 ] && echo passed || echo FAILED)"
exit $status
