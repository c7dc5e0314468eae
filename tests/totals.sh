#!/usr/bin/env bash
# Add up the Check results of every test program that `make check` ran, from the logs
# the automake test driver keeps, and print "N passed, N failed". A program that ended
# without Check's summary line counts as one check, passed only if the driver says PASS (a
# Check program that crashed or did not start fails; a script test passes or fails). Each
# fuzz target that `make fuzz-run` ran counts as one check, passed or failed as the result
# file tests/fuzz/run.sh wrote for it says.
# Arguments: build trees to add up (default: this one). Exits non-zero when anything
# failed or nothing ran.
passed=0
failed=0
trees=("$@")
[ ${#trees[@]} -gt 0 ] || trees=("$(dirname "$0")/..")
for tree in "${trees[@]}"; do
    for trs in $(find "$tree/tests" -name '*.trs' | sort); do
        log="${trs%.trs}.log"
        lines=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" 2>/dev/null)
        if [ -z "$lines" ]; then
            # Not a Check program (tests/compat/debian_tree.sh): one check, as its driver
            # result says; a skip (no apache2) counts neither way.
            case "$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)" in
            PASS) passed=$((passed + 1)) ;;
            SKIP) ;;
            *) failed=$((failed + 1)) ;;
            esac
            continue
        fi
        # A wrapper script may run several Check programs: every summary line counts.
        while read -r line; do
            checks=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
            fails=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
            errors=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
            passed=$((passed + checks - fails - errors))
            failed=$((failed + fails + errors))
        done <<< "$lines"
    done
    for result in $(find "$tree/tests/fuzz/work" -name result 2>/dev/null | sort); do
        if [ "$(cat "$result")" = PASS ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
        fi
    done
done
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
