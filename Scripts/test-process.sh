#!/usr/bin/env bash
# One test process of `make test`: `swift test --skip-build` with the given filters. A failed test and a crashed test
# process both fail `make test`, and nothing runs again: a crash is a bug to find, never a flake to retry. The last
# line names the process and says which of the two it was, so a failure in a long log is found by its filters.
set -u
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"${SWIFT:-swift}" test --skip-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
	if grep -qi 'exited with unexpected signal code' "$log"; then what="CRASHED (its backtrace is above)"; else what="failed"; fi
	echo "make test: the test process \`swift test --skip-build $*\` $what"
fi
exit "$status"
