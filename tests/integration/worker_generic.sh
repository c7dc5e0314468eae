#!/bin/sh
# The MPM-independent integration tests, run again under the worker MPM: serving, keep-alive,
# listeners at stops and restarts (test_listeners), restarts seen by clients (test_lifecycle) and
# the process model's MPM-neutral part (test_prefork skips what only prefork has, and says so).
# test_reqtimeout, test_logio: RequestReadTimeout and %I/%O hold under this MPM too.
status=0
for t in test_http test_keepalive test_listeners test_reqtimeout test_logio test_lifecycle test_prefork; do
    KVT_MPM=worker ./tests/integration/$t || status=1
done
exit $status
