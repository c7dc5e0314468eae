#!/bin/sh
# The MPM-neutral integration tests, run again under each MPM but prefork (which `make check`
# runs them under): serving, keep-alive, listeners at stops and restarts (test_listeners),
# RequestReadTimeout and %I/%O (test_reqtimeout, test_logio), restarts seen by clients
# (test_lifecycle) and, under worker and event, the process model's MPM-neutral part
# (test_prefork skips what only prefork has, and says so). What every MPM owes beyond that is
# test_mpm, the conformance suite. This script replaces worker_generic.sh, event_generic.sh,
# fork_generic.sh, single_generic.sh and thread_generic.sh, and runs what each ran.
#
# Of test_lifecycle, what cannot apply by design is left out:
# - under fork, single and thread, test_crashed_child_is_logged_and_replaced: it waits for idle
#   children and for a crashed one to be replaced (fork has no idle children, and a child that
#   dies ends only its own connection; single and thread keep one child, and test_thread covers
#   their crash and replacement);
# - under single and thread, test_draining_children_leave_slots_to_new_generation and
#   test_t_shows_clamped_limits: they set ServerLimit, which neither has (thread's clamp of
#   MaxRequestWorkers to ThreadLimit is in test_thread).
# test_prefork runs under worker and event only: under any MPM but prefork it configures
# worker's ThreadsPerChild and spare threads, which fork, single and thread do not know.
# test_status is left out: it always starts prefork.
LIFECYCLE_SOME="test_graceful_restarts_under_load_lose_nothing test_download_spans_graceful_restart
    test_graceful_shutdown_timeout_bounds_restart_drain test_k_graceful_waits_and_reports_errors
    test_k_graceful_syntax_error_file_line test_signal_storm_leaves_a_serving_server"
LIFECYCLE_FORK="$LIFECYCLE_SOME test_draining_children_leave_slots_to_new_generation
    test_t_shows_clamped_limits"
status=0
for mpm in worker event fork single thread; do
    for t in test_http test_keepalive test_listeners test_reqtimeout test_logio; do
        KVT_MPM=$mpm ./tests/integration/$t || status=1
    done
    case $mpm in
    worker | event)
        KVT_MPM=$mpm ./tests/integration/test_lifecycle || status=1
        KVT_MPM=$mpm ./tests/integration/test_prefork || status=1
        ;;
    fork) names=$LIFECYCLE_FORK ;;
    *) names=$LIFECYCLE_SOME ;;
    esac
    case $mpm in
    worker | event) ;;
    *)
        for name in $names; do
            KVT_MPM=$mpm KVT_TEST=$name ./tests/integration/test_lifecycle || status=1
        done
        ;;
    esac
done
exit $status
