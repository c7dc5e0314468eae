#!/bin/sh
# The HTTP integration suite through a transport layer: every connection of the server goes
# through tests/modules/mod_test_trickle (KVT_TRANSPORT=trickle), which hands every read back
# one byte at a time and writes in random pieces of 1..64 bytes, under prefork, worker and
# event. It proves that the HTTP code reads and writes only through the transport stack.
#
# Most programs start prefork whatever KVT_MPM says (their servers name it): they run once,
# under prefork. The programs that follow KVT_MPM (MPM_PROGRAMS) run under all three. The
# programs of one MPM (test_event, test_worker, test_fork, test_single, test_thread) run once,
# under their own. Each one, config reports and command-line runs too, also talks HTTP to a
# server it starts; one is left out: test_default_conf, which serves with the installed
# default configuration in place of the harness's (the one the trickle module is loaded
# into), as that test's point is that configuration. test_http's test_head_and_file_in_one_segment skips
# its TCP segment count under trickle (a layer that sees the bytes has no sendfile, hence no
# MSG_MORE: its pieces are segments by design); the rest of that test runs.
#
# A bypassed layer must fail the run, not pass unseen: each connection appends to
# KVT_TRICKLE_COUNTS the bytes the layer read and wrote, the connection's own counts
# (c->bytes_in, c->bytes_out, aborted) and whether the socket refused some of the layer's last
# write; every program must have connections through it, none of whose request bytes came
# around it (read < bytes_in) and none of whose response bytes (written != bytes_out, unless
# the client went away or stopped reading: then bytes may stay unsent).
PRE_PROGRAMS="test_alias test_auth test_autoindex test_canonical test_cgi test_config_cli
    test_config_report test_env test_errordoc test_escape test_expires
    test_framing test_headers test_host test_htaccess test_if test_log_config test_ranges
    test_remoteip test_sections test_server_pages test_setenvif test_static_config
    test_status test_userdir test_vhost"
MPM_PROGRAMS="test_deflate test_directives test_http test_info test_keepalive test_lifecycle
    test_listeners test_logio test_mime test_negotiation test_prefork test_reload
    test_reqtimeout test_static_methods test_version"
OWN_MPM_PROGRAMS="test_event test_worker test_fork test_single test_thread"

status=0
counts=$(mktemp /tmp/kvt-trickle-XXXXXX) || exit 1
trap 'rm -f "$counts"' EXIT

# run MPM PROGRAM: run it through the layer, then check that the layer carried its bytes.
run() {
    : > "$counts"
    chmod 666 "$counts" # children that switched to User daemon append too
    if ! KVT_TRANSPORT=trickle KVT_TRICKLE_COUNTS="$counts" KVT_MPM=$1 ./tests/integration/$2
    then
        echo "FAIL: $2 under $1 through the trickle layer"
        status=1
        return
    fi
    if ! awk -v what="$2 under $1" '
        { n++; rd += $1; wr += $2 }
        $1 < $3 { print what ": a connection read " $3 " request bytes, the layer only " $1; bad = 1 }
        $5 == 0 && $6 == 0 && $2 != $4 { print what ": a connection sent " $4 " bytes, the layer " $2; bad = 1 }
        END {
            if (n == 0 || rd == 0 || wr == 0) {
                print what ": no bytes went through the trickle layer (" n " connections)"
                bad = 1
            }
            exit bad
        }' "$counts"
    then
        status=1
    fi
}

for t in $PRE_PROGRAMS; do
    run prefork $t
done
for mpm in prefork worker event; do
    for t in $MPM_PROGRAMS; do
        run $mpm $t
    done
done
for t in $OWN_MPM_PROGRAMS; do
    run prefork $t
done
exit $status
