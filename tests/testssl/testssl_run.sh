#!/bin/bash
# Issue 15, point 4: testssl.sh (Debian's package) against the HTTPS virtual host the README
# documents (SSLProtocol -all +TLSv1.2 +TLSv1.3, an RSA 2048 and an ECDSA P-256 certificate,
# everything else mod_ssl's defaults), on a free 127.0.0.1 port under the event MPM, with
# certificates made here by a throw-away CA. Offline: testssl is given the address
# (--nodns none: no DNS lookup), does not phone out (no --phone-out: no CRL or OCSP fetch),
# and trusts the test CA (--add-ca), so that the chain of trust is rated as a real CA's would
# be. Its output and its JSON findings are saved; the run fails if any finding is rated HIGH
# or CRITICAL, or if testssl could not scan.
#
# Usage: tests/testssl/testssl_run.sh  (from the build directory, or with KIVA=path/to/kiva
#        KIVA_MODULES=path/to/modules/.libs; `make testssl` sets both and saves the report
#        as testssl-report.txt and testssl-report.json there, TESTSSL_OUT says where else).
# Exit status: 0 no HIGH or CRITICAL finding, 1 some (each printed) or no scan, 77 (skip)
# when testssl is not installed (./buildconf --deps installs it). Not part of `make check`:
# a full scan takes minutes.
set -u
# No job control: $! is then the server's pid.
set +m

KIVA=${KIVA:-$PWD/kiva}
KIVA_MODULES=${KIVA_MODULES:-$PWD/modules/.libs}
OUT=${TESTSSL_OUT:-$PWD/testssl-report}
TESTSSL=${TESTSSL:-testssl}
# Bounds: the server's start, and the whole scan.
START_TRIES=100
SCAN_TIMEOUT=1800

if ! command -v "$TESTSSL" >/dev/null 2>&1; then
    echo "SKIP: $TESTSSL is not installed; ./buildconf --deps installs it (Debian's testssl.sh)"
    exit 77
fi
for tool in openssl "$KIVA"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: $tool not found" >&2; exit 1; }
done

root=$(mktemp -d "${TMPDIR:-/tmp}/kv-testssl.XXXXXX")
chmod 755 "$root"
pid=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    local _
    if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
    fi
    rm -rf "$root"
}
trap cleanup EXIT

# A loopback port nothing listens on (bounded tries).
free_port() {
    local _ port
    for _ in $(seq 50); do
        port=$((20000 + RANDOM % 12000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "no free port" >&2
    return 1
}

# The certificates: a CA, and RSA and ECDSA leaves for localhost and 127.0.0.1, made as a
# public CA makes them (a year's validity, an OCSP responder named: testssl rates a
# certificate that expires within 30 days or names no CRL nor OCSP responder HIGH). Nothing
# answers at that responder, and testssl does not ask it.
certs() {
    local c=$root/certs stem newkey
    mkdir -p "$c"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$c/ca.key" -out "$c/ca.pem" \
        -days 3650 -subj "/CN=kiva testssl CA" 2>/dev/null || return 1
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n%s\n%s\n%s\n' \
        'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
        'authorityInfoAccess=OCSP;URI:http://127.0.0.1:9/' >"$c/leaf.ext"
    for stem in rsa ecdsa; do
        if [ "$stem" = rsa ]; then newkey=(-newkey rsa:2048); else
            newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); fi
        openssl req -new "${newkey[@]}" -nodes -keyout "$c/$stem.key" -out "$c/$stem.csr" \
            -subj /CN=localhost 2>/dev/null &&
            openssl x509 -req -in "$c/$stem.csr" -CA "$c/ca.pem" -CAkey "$c/ca.key" \
                -CAcreateserial -days 365 -sha256 -extfile "$c/leaf.ext" \
                -out "$c/$stem.pem" 2>/dev/null || return 1
    done
}

certs || { echo "FAIL: openssl could not make the test certificates" >&2; exit 1; }
port=$(free_port) || exit 1
mkdir -p "$root/logs" "$root/htdocs"
echo "hello over tls" >"$root/htdocs/index.html"
{
    echo "ServerRoot \"$root\""
    echo "LoadModule mpm_event_module $KIVA_MODULES/mod_mpm_event.so"
    echo "LoadModule ssl_module $KIVA_MODULES/mod_ssl.so"
    echo "PidFile logs/kiva.pid"
    echo "ErrorLog logs/error_log"
    echo "DocumentRoot \"$root/htdocs\""
    if [ "$(id -u)" = 0 ]; then
        echo "User daemon"
        echo "Group daemon"
    fi
    # The README's virtual host, its port and file names aside.
    echo "Listen 127.0.0.1:$port https"
    echo "<VirtualHost *:$port>"
    echo "    ServerName localhost"
    echo "    SSLEngine on"
    echo "    SSLProtocol -all +TLSv1.2 +TLSv1.3"
    echo "    SSLCertificateFile $root/certs/rsa.pem"
    echo "    SSLCertificateKeyFile $root/certs/rsa.key"
    echo "    SSLCertificateFile $root/certs/ecdsa.pem"
    echo "    SSLCertificateKeyFile $root/certs/ecdsa.key"
    echo "</VirtualHost>"
} >"$root/kiva.conf"

"$KIVA" -f "$root/kiva.conf" -DFOREGROUND >"$root/logs/stderr" 2>&1 &
pid=$!
for _ in $(seq "$START_TRIES"); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "FAIL: kiva does not listen on 127.0.0.1:$port" >&2
    cat "$root/logs/stderr" "$root/logs/error_log" >&2 2>/dev/null
    exit 1
fi

echo "testssl: $("$TESTSSL" --version 2>/dev/null | grep -o 'testssl  *[0-9][^ ]*' | head -1)" \
    "against kiva on 127.0.0.1:$port (README's HTTPS virtual host)"
rm -f "$OUT.json"
timeout "$SCAN_TIMEOUT" "$TESTSSL" --quiet --color 0 --warnings off --nodns none \
    --connect-timeout 10 --openssl-timeout 10 --add-ca "$root/certs/ca.pem" \
    --jsonfile "$OUT.json" "127.0.0.1:$port" >"$OUT.txt" 2>&1
status=$?
echo "testssl exit status $status; report in $OUT.txt and $OUT.json"

if [ ! -s "$OUT.json" ] || ! grep -q '"severity"' "$OUT.json"; then
    echo "FAIL: testssl wrote no findings" >&2
    tail -20 "$OUT.txt" >&2
    exit 1
fi
# One finding an object, with "severity": "..."; a scan problem is FATAL.
bad=$(grep -E '"severity" *: *"(HIGH|CRITICAL|FATAL)"' "$OUT.json")
echo "findings by severity:"
grep -oE '"severity" *: *"[A-Z]+"' "$OUT.json" | sed 's/.*"\([A-Z]*\)"$/\1/' | sort | uniq -c
if [ -n "$bad" ]; then
    echo "FAIL: findings rated HIGH or CRITICAL (or a scan problem):"
    grep -B4 -A2 -E '"severity" *: *"(HIGH|CRITICAL|FATAL)"' "$OUT.json" |
        grep -E '"(id|severity|finding)"'
    exit 1
fi
echo "PASS: no finding rated HIGH or CRITICAL"
exit 0
