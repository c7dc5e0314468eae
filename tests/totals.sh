#!/usr/bin/env bash
# Add up the Check results of every test program that `make check` ran, from the logs
# the automake test driver keeps, and print "N passed, N failed". A program that ended
# without Check's summary line (it crashed or did not start) counts as one failure.
# Exits non-zero when anything failed or nothing ran.
cd "$(dirname "$0")/.."
passed=0
failed=0
for trs in $(find tests -name '*.trs' | sort); do
    log="${trs%.trs}.log"
    line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" 2>/dev/null | tail -n 1)
    if [ -z "$line" ]; then
        failed=$((failed + 1))
        continue
    fi
    checks=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
    fails=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
    errors=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
    passed=$((passed + checks - fails - errors))
    failed=$((failed + fails + errors))
done
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
