#!/usr/bin/env bash
# One test process of `make test`: `swift test --skip-build` with the given filters. A process that crashed (a signal,
# which a failed expectation never gives) is run once more, loudly, to tell a rare crash from a failing test; issue 18
# removes this rerun once the crashes it hides are found.
set -u
swift=${SWIFT:-swift}
log=$(mktemp)
"$swift" test --skip-build "$@" 2>&1 | tee "$log"; status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ] && grep -q 'exited with unexpected signal code' "$log"; then
	echo "make test: the test process CRASHED (backtrace above), which a failed expectation never does; running the"
	echo "make test: suites once more to tell a rare crash from a failing test"
	"$swift" test --skip-build "$@"; status=$?
fi
rm -f "$log"
exit "$status"
