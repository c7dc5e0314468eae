#!/bin/sh
# Tests of test_event that fail because of known bugs of the event MPM; listed in
# XFAIL_TESTS. Once fixed, this script passes and automake reports XPASS (a failure): then
# register the test with kvt_add_test in test_event.c and remove it from here.
# - test_status_counts_idle_keepalive: connections kept alive in the listener's pollset hold
#   no worker's scoreboard slot, so mod_status counts 0 keep-alive connections.
if [ ! -r modules/.libs/mod_mpm_event.so ]; then
    echo "event_known_bugs.sh: skipped: modules/.libs/mod_mpm_event.so is not built" >&2
    exit 77
fi
KVT_TEST=test_status_counts_idle_keepalive exec ./tests/integration/test_event
