#!/bin/sh
# The MPM-independent integration tests, run again under the single MPM: serving (test_http),
# listeners at stops and restarts (test_listeners), keep-alive (test_keepalive: each of its tests
# uses one connection at a time, so none needs concurrency), and the restarts seen by clients
# (test_lifecycle) that hold for a model with one serving process. Left out by design:
# test_lifecycle's test_draining_children_leave_slots_to_new_generation and
# test_t_shows_clamped_limits (they set MaxRequestWorkers and ServerLimit, which single does not
# have) and test_crashed_child_is_logged_and_replaced (it waits for two children); and
# test_prefork, whose tests under any MPM but prefork configure worker's directives (test_single
# covers their part: kill -9, TERM, graceful-stop, -k, User).
# test_reqtimeout, test_logio: RequestReadTimeout and %I/%O hold under this MPM too.
status=0
for t in test_http test_keepalive test_listeners test_reqtimeout test_logio; do
    KVT_MPM=single ./tests/integration/$t || status=1
done
for name in test_graceful_restarts_under_load_lose_nothing test_download_spans_graceful_restart \
    test_graceful_shutdown_timeout_bounds_restart_drain test_k_graceful_waits_and_reports_errors \
    test_k_graceful_syntax_error_file_line test_signal_storm_leaves_a_serving_server; do
    KVT_MPM=single KVT_TEST=$name ./tests/integration/test_lifecycle || status=1
done
exit $status
