#!/bin/sh
# The MPM-independent integration tests, run again under the thread MPM: serving, keep-alive,
# listeners at stops and restarts (test_listeners) and restarts seen by clients. Of
# test_lifecycle, what cannot apply by design is left out:
# - test_draining_children_leave_slots_to_new_generation and test_t_shows_clamped_limits
#   configure ServerLimit, which thread has not (one serving process; its clamp of
#   MaxRequestWorkers to ThreadLimit is in test_thread);
# - test_crashed_child_is_logged_and_replaced waits for two children; thread keeps one
#   (its crash and replacement are in test_thread).
# test_prefork is not run: it is about processes that serve one connection each.
# test_reqtimeout, test_logio: RequestReadTimeout and %I/%O hold under this MPM too.
status=0
for t in test_http test_keepalive test_listeners test_reqtimeout test_logio; do
    KVT_MPM=thread ./tests/integration/$t || status=1
done
for name in test_graceful_restarts_under_load_lose_nothing test_download_spans_graceful_restart \
    test_graceful_shutdown_timeout_bounds_restart_drain test_k_graceful_waits_and_reports_errors \
    test_k_graceful_syntax_error_file_line test_signal_storm_leaves_a_serving_server; do
    KVT_MPM=thread KVT_TEST=$name ./tests/integration/test_lifecycle || status=1
done
exit $status
