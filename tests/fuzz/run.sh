#!/usr/bin/env bash
# Run libFuzzer targets one after the other (make fuzz-run, make fuzz-long) from the top of
# the build tree, and print one line per target: result, executions, exec/s, edges covered,
# corpus size. New inputs go to tests/fuzz/work/<name>/corpus (the first corpus directory,
# the one libFuzzer writes to), never to the seeds in tests/fuzz/corpus/<name>; a crash, a
# leak, a sanitizer report, a timeout or a broken promise leaves its input in
# tests/fuzz/work/<name>/crashes/ and fails the run. Each target's result (PASS or FAIL) is
# written to tests/fuzz/work/<name>/result, which tests/totals.sh counts as one check.
#
# Usage: run.sh --seconds N [--runs N] [--nice] [--srcdir DIR] fuzz_x ...
set -u

seconds=10
runs=""
nice=""
srcdir=.
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --nice) nice="nice -n 10"; shift ;;
    --srcdir) srcdir=$2; shift 2 ;;
    *) break ;;
    esac
done

# The value after "key:" in the last line of $2 that has it.
last_field() {
    grep -o "$1: *[0-9]*" "$2" | tail -n 1 | grep -o '[0-9]*$'
}

failed=0
for target in "$@"; do
    name=${target#fuzz_}
    work=tests/fuzz/work/$name
    log=$work/fuzz.log
    mkdir -p "$work/corpus" "$work/crashes"
    rm -f "$work/result"
    opts=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
          -artifact_prefix="$work/crashes/"
          # The code under test may log to stderr (the walker warns of a missing
          # DocumentRoot); libFuzzer's own output and the sanitizers' reports stay.
          -close_fd_mask=2)
    [ -n "$runs" ] && opts+=(-runs="$runs")
    dict=$srcdir/tests/fuzz/dict/$name.dict
    [ -f "$dict" ] && opts+=(-dict="$dict")
    start=$(date +%s)
    # shellcheck disable=SC2086
    $nice "tests/fuzz/$target" "${opts[@]}" "$work/corpus" "$srcdir/tests/fuzz/corpus/$name" \
        >"$log" 2>&1
    status=$?
    elapsed=$(($(date +%s) - start))
    execs=$(last_field 'stat::number_of_executed_units' "$log")
    rate=$(last_field 'stat::average_exec_per_sec' "$log")
    cov=$(last_field 'cov' "$log")
    corp=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
    summary="${execs:-?} runs in ${elapsed} s, ${rate:-?} exec/s, cov: ${cov:-?}, corpus: ${corp:-?}"
    if [ "$status" -eq 0 ]; then
        echo PASS >"$work/result"
        printf '%-18s PASS  %s\n' "$target" "$summary"
        continue
    fi
    failed=$((failed + 1))
    echo FAIL >"$work/result"
    printf '%-18s FAIL  %s (exit %s)\n' "$target" "$summary" "$status"
    grep -E '^(==[0-9]+==)?ERROR: |^SUMMARY: |kiva-fuzz: promise broken|runtime error:' "$log" |
        head -n 5 | sed 's/^/    /'
    input=$(grep -o 'Test unit written to .*' "$log" | tail -n 1 | sed 's/^Test unit written to //')
    echo "    input: ${input:-(none written)}; replay: tests/fuzz/$target ${input:-INPUT}"
    echo "    log: $log"
done
[ "$failed" -eq 0 ]
