#!/bin/sh
# The MPM-independent integration tests, run again under the worker MPM.
status=0
for t in test_http test_keepalive; do
    KVT_MPM=worker ./tests/integration/$t || status=1
done
exit $status
