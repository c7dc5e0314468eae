#!/bin/bash
# The proof of issue 13, point 5: kiva takes Debian's stock Apache tree (/etc/apache2) and
# common configuration snippets, and answers as Debian's apache2 does.
#
#   1. Debian's tree: copied twice to a temporary root. In kiva's copy ONLY the module paths
#      of mods-available/*.load change (to kiva's modules directory), and one file is added,
#      mods-enabled/000-kiva-builtin.load, with LoadModule lines for the modules Debian
#      compiles into its apache2 (`apache2 -l`) that kiva builds as modules. In both copies
#      envvars' /var/run, /var/lock and /var/log paths point into the temporary root, and the
#      port changes: ports.conf's `Listen 80` becomes `Listen 127.0.0.1:PORT` and the
#      vhosts' `*:80` become `*:PORT` (a free loopback port each). Nothing else is edited.
#      kiva -t must say Syntax OK; then both servers run and every URL below must get the
#      same status, Content-Type, Content-Length (static files) or framing, Content-Encoding,
#      Vary, ETag shape and Location (the port aside).
#   2. Each mods-available/*.conf whose module kiva provides, in a minimal configuration
#      that loads the module, what its .load says it depends on (and authz_host if it says
#      Require local, ip or host), and mime, dir and authz_core: kiva -t, then the same
#      comparison on a small document tree.
#   3. Each tests/configs/*.conf snippet: its "# Modules:" line names what it loads, each
#      "# URL: static|dynamic /path [curl options]" line adds a URL to compare; @PORT@,
#      @DOCROOT@ and @ROOT@ are filled in. The same checks.
#
# Usage: tests/compat/debian_tree.sh [-k] [-v]     (from the build directory, or with
#        KIVA=path/to/kiva KIVA_MODULES=path/to/modules/.libs; `make check-debian` sets
#        both). -k keeps the temporary root; -v prints every compared field.
# Exit status: 0 all matched, 1 something differed (each difference printed), 77 (skip)
# when Debian's apache2 is not installed (./buildconf --deps installs it).
set -u
# No job control: a background server is then not a process group leader, so setsid (below)
# runs it in a new session itself, and $! is the server's pid.
set +m

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${KV_SRCDIR:-$(cd "$here/../.." && pwd)}
KIVA=${KIVA:-$PWD/kiva}
KIVA_MODULES=${KIVA_MODULES:-$PWD/modules/.libs}
KIVACTL=${KIVACTL:-$(dirname "$KIVA")/kivactl}
APACHE2=${APACHE2:-/usr/sbin/apache2}
DEBIAN_ETC=${DEBIAN_ETC:-/etc/apache2}
DEBIAN_MODULES=${DEBIAN_MODULES:-/usr/lib/apache2/modules}
keep=0
verbose=0
while getopts kv opt; do
    case $opt in
    k) keep=1 ;;
    v) verbose=1 ;;
    *) echo "usage: $0 [-k] [-v]" >&2; exit 2 ;;
    esac
done

if [ ! -x "$APACHE2" ] || [ ! -f "$DEBIAN_ETC/apache2.conf" ]; then
    echo "SKIP: Debian's apache2 is not installed ($APACHE2, $DEBIAN_ETC); ./buildconf --deps installs it"
    exit 77
fi
for tool in curl "$KIVA"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: $tool not found" >&2; exit 1; }
done

root=$(mktemp -d "${TMPDIR:-/tmp}/kv-debian.XXXXXX")
chmod 755 "$root"
pids=()
failures=0
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        stop_pid "$pid"
    done
    if [ "$keep" = 1 ]; then
        echo "kept $root"
    else
        rm -rf "$root"
    fi
}
trap cleanup EXIT

fail() {
    echo "  DIFF $*"
    failures=$((failures + 1))
}

# Stop a server we started, by its pid, waiting at most 10 s for it to go.
stop_pid() {
    local pid=$1 _
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
}

# A loopback port nothing listens on and not handed out before in this run: two servers
# started one after the other must not get the same one (bounded tries). The port is
# recorded in the file $root/ports, as this runs in a subshell. It is below the kernel's
# ephemeral range, where the other tests' servers (bound to port 0) and every client
# connection take theirs: one of those holding the port would keep a server from binding.
ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
[ "$ephemeral_low" -gt 21024 ] 2>/dev/null || ephemeral_low=32768
free_port() {
    local _ port
    for _ in $(seq 50); do
        port=$((20000 + RANDOM % (ephemeral_low - 20000)))
        if ! grep -qx "$port" "$root/ports" 2>/dev/null &&
            ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port" >>"$root/ports"
            echo "$port"
            return 0
        fi
    done
    echo "no free port" >&2
    return 1
}

# Wait (at most 15 s) until something answers on the port, or the process died.
wait_listening() {
    local pid=$1 port=$2 _
    for _ in $(seq 150); do
        kill -0 "$pid" 2>/dev/null || return 1
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# The fields compared, one per line "Name: value", from a response head on stdin: the
# status; Content-Type; the length when $1 is "static" and the status 2xx, else only the
# framing (an error page's text is the server's own); Content-
# Encoding; Vary; the ETag's shape (hex runs as H); Location with the port as PORT.
compared_fields() {
    local kind=$1
    tr -d '\r' | awk -v kind="$kind" '
        NR == 1 { split($0, s, " "); status = s[2]; print "Status: " status; next }
        {
            i = index($0, ":"); if (!i) next
            name = tolower(substr($0, 1, i - 1)); value = substr($0, i + 2)
            if (name == "content-type") ct = value
            else if (name == "content-length") cl = value
            else if (name == "transfer-encoding") te = value
            else if (name == "content-encoding") ce = value
            else if (name == "vary") vary = (vary == "" ? value : vary ", " value)
            else if (name == "etag") { gsub(/[0-9a-f]+/, "H", value); etag = value }
            else if (name == "location") { gsub(/:[0-9]+\//, ":PORT/", value); loc = value }
        }
        END {
            print "Content-Type: " ct
            if (te != "") print "Framing: " te
            else if (kind == "static" && status ~ /^2/) print "Content-Length: " cl
            else print "Framing: " (cl == "" ? "close" : "length")
            print "Content-Encoding: " ce
            print "Vary: " vary
            print "ETag: " etag
            print "Location: " loc
        }'
}

# Request the URLs (each "kind path [curl options]") from both ports and compare.
compare_urls() {
    local label=$1 kport=$2 aport=$3 line kind path opts a k
    shift 3
    for line in "$@"; do
        read -r kind path opts <<<"$line"
        # shellcheck disable=SC2086
        a=$(curl -s -o /dev/null -D - --max-time 10 $opts "http://127.0.0.1:$aport$path" |
            compared_fields "$kind")
        # shellcheck disable=SC2086
        k=$(curl -s -o /dev/null -D - --max-time 10 $opts "http://127.0.0.1:$kport$path" |
            compared_fields "$kind")
        if [ "$a" = "$k" ]; then
            echo "  same $path${opts:+ $opts}"
            [ "$verbose" = 1 ] && sed 's/^/       /' <<<"$a"
        else
            fail "$label: $path${opts:+ $opts} (apache2 <, kiva >):"
            diff <(echo "$a") <(echo "$k") | grep '^[<>]' | sed 's/^/       /'
        fi
    done
}

# Start a server in the foreground in the background; its pid in $started.
start_server() {
    local log=$1 port=$2
    shift 2
    # In a session of its own: a server may signal its process group when it stops.
    setsid "$@" -DFOREGROUND >"$log" 2>&1 &
    started=$!
    pids+=("$started")
    if ! wait_listening "$started" "$port"; then
        echo "  $(basename "$1") did not start on port $port:"
        sed 's/^/    /' "$log" | head -20
        return 1
    fi
}

# kiva -t on a configuration; prints what kiva said, indented; status 0 if Syntax OK.
kiva_check() {
    local out status
    out=$("$@" 2>&1)
    status=$?
    sed 's/^/    /' <<<"$out"
    [ "$status" = 0 ] && grep -q "Syntax OK" <<<"$out"
}

# What kiva -t refused, summarised: each directive it does not know, once, with the files.
summarise_refusals() {
    grep -o "Invalid command '[^']*'[^;]*" | sort | uniq -c | sort -rn | sed 's/^/    /'
}

# Debian's tree with envvars pointing into $1 and the port changed to $2.
copy_tree() {
    local dest=$1 port=$2
    mkdir -p "$dest"/{run,lock,log}
    cp -a "$DEBIAN_ETC" "$dest/etc"
    sed -i -e "s|/var/run/apache2|$dest/run|g" -e "s|/var/lock/apache2|$dest/lock|g" \
        -e "s|/var/log/apache2|$dest/log|g" "$dest/etc/envvars"
    sed -i "s|^Listen 80\$|Listen 127.0.0.1:$port|" "$dest/etc/ports.conf"
    sed -i "s|<VirtualHost \\*:80>|<VirtualHost *:$port>|" "$dest"/etc/sites-available/*.conf
}

# The compiled-in modules of Debian's apache2 as kiva provides them: "name file" for each
# that kiva builds as a module; the others are named on stderr.
builtin_modules() {
    local m name
    for m in $("$APACHE2" -l | sed -n 's/^ *mod_\(.*\)\.c$/\1/p'); do
        case $m in
        so | unixd) ;; # LoadModule and User/Group are kiva's core
        *)
            if [ -f "$KIVA_MODULES/mod_$m.so" ]; then
                echo "$m mod_$m.so"
            else
                echo "    compiled into apache2, not built by kiva: mod_$m" >&2
            fi
            ;;
        esac
    done
}

# A command prefix that runs a server command with the environment of a tree's envvars, as
# apache2ctl does: with_envvars ETC COMMAND ARGS...
# shellcheck disable=SC2016 # expanded by that bash
with_envvars=(bash -c 'export APACHE_CONFDIR=$1; . "$1/envvars"; shift; exec "$@"' with_envvars)

URLS_TREE=(
    "static /"
    "static / -HAccept-Encoding:gzip"
    "static /index.html"
    "static /index.html -HAccept-Encoding:gzip"
    "dynamic /icons/"
    "static /icons/README"
    "static /icons/back.gif"
    "dynamic /no-such-file.html"
    "dynamic /server-status"
    "dynamic /server-status?auto"
)

echo "== 1. Debian's tree ($DEBIAN_ETC)"
kport=$(free_port) && aport=$(free_port) || exit 1
copy_tree "$root/kiva" "$kport"
copy_tree "$root/apache2" "$aport"
sed -i "s|$DEBIAN_MODULES/|$KIVA_MODULES/|" "$root"/kiva/etc/mods-available/*.load
builtin_modules | while read -r name file; do
    echo "LoadModule ${name}_module $KIVA_MODULES/$file"
done >"$root/kiva/etc/mods-enabled/000-kiva-builtin.load"
changed=$(diff -rq --no-dereference "$DEBIAN_ETC" "$root/kiva/etc" |
    sed -e "s|^Files $DEBIAN_ETC/\([^ ]*\) and .*|\1|" -e "s|^Only in $root/kiva/etc/\(.*\): |\1/|")
echo "  kiva's copy differs from Debian's in: $(grep -c '^mods-available/.*\.load$' <<<"$changed")" \
    "mods-available/*.load (module paths only);" \
    "$(grep -v '^mods-available/.*\.load$' <<<"$changed" | tr '\n' ' ')"
# kiva runs the tree as a user would: kivactl with APACHE_CONFDIR reads the tree's envvars
# and passes -d and -f, as Debian's apache2ctl does.
kivactl_tree=(env APACHE_CONFDIR="$root/kiva/etc" KIVA="$KIVA" "$KIVACTL")
echo "  kivactl configtest:"
if kiva_check "${kivactl_tree[@]}" configtest; then
    if start_server "$root/kiva.out" "$kport" "${kivactl_tree[@]}" &&
        start_server "$root/apache2.out" "$aport" "${with_envvars[@]}" "$root/apache2/etc" "$APACHE2" \
            -d "$root/apache2/etc" -f "$root/apache2/etc/apache2.conf"; then
        compare_urls "Debian tree" "$kport" "$aport" "${URLS_TREE[@]}"
        echo "  /server-status from an address that is not local: not tried (tests use"
        echo "  127.0.0.1 and ::1 only, and Require local takes all of 127.0.0.0/8)"
    else
        fail "Debian tree: a server did not start"
    fi
    for pid in "${pids[@]}"; do stop_pid "$pid"; done
    pids=()
else
    fail "Debian tree: kiva -t refused it; what it does not know:"
    "${kivactl_tree[@]}" configtest 2>&1 | summarise_refusals
fi

# A small document tree the module configurations serve.
docroot=$root/htdocs
mkdir -p "$docroot/sub" "$docroot/.git"
echo "[core]" >"$docroot/.git/config"
echo "<html><body>kiva and apache2</body></html>" >"$docroot/index.html"
echo "plain text" >"$docroot/a.txt"
echo "in sub" >"$docroot/sub/b.txt"
# Old enough that apache2 does not make its ETags weak (it does within a second of a change).
find "$docroot" -exec touch -d "2024-01-02 03:04:05" {} +
chmod -R a+rX "$docroot"
URLS_SMALL=(
    "static /"
    "static /a.txt"
    "static /a.txt -HAccept-Encoding:gzip"
    "dynamic /sub/"
    "dynamic /sub"
    "static /icons/back.gif"
    "dynamic /missing"
    "dynamic /server-status"
)

# A minimal configuration in $1 (kiva when $2 is "kiva") on port $3 loading modules $4...
# (and mpm_event unless one of them is an MPM), then what is on stdin, which is also read
# for a TypesConfig of its own (else /etc/mime.types).
minimal_conf() {
    local dir=$1 server=$2 port=$3 m moddir mpm=mpm_event body
    shift 3
    body=$(cat)
    case " $* " in *" mpm_"*) mpm= ;; esac
    mkdir -p "$dir/logs"
    moddir=$DEBIAN_MODULES
    [ "$server" = kiva ] && moddir=$KIVA_MODULES
    {
        echo "ServerRoot $dir"
        echo "ServerName localhost"
        echo "Listen 127.0.0.1:$port"
        echo "PidFile $dir/logs/pid"
        echo "ErrorLog $dir/logs/error.log"
        echo "User daemon"
        echo "Group daemon"
        for m in $mpm authz_core mime dir "$@"; do
            case " $builtin_names " in
            *" $m "*) [ "$server" = kiva ] || continue ;;
            esac
            echo "LoadModule ${m}_module $moddir/mod_$m.so"
        done
        # shellcheck disable=SC2046 # the included files, one word each
        grep -qs "^[[:space:]]*TypesConfig" - $(sed -n 's/^Include //p' <<<"$body") <<<"$body" ||
            echo "TypesConfig /etc/mime.types"
        echo "DocumentRoot $docroot"
        echo "<Directory $docroot>"
        echo "    Options Indexes"
        echo "    Require all granted"
        echo "</Directory>"
        echo "$body"
    } | awk '!seen[$0]++ || !/^LoadModule/' >"$dir/$server.conf"
}

builtin_names=$("$APACHE2" -l | sed -n 's/^ *mod_\(.*\)\.c$/\1/p' | tr '\n' ' ')

# kiva -t, then both servers and the URL comparison (URLS_SMALL and the URLs given after
# the ports), for the configuration $2/{kiva,apache2}/{kiva,apache2}.conf on ports $3 (kiva)
# and $4.
check_pair() {
    local label=$1 dir=$2 kport=$3 aport=$4
    shift 4
    echo "  kiva -t:"
    if ! kiva_check "$KIVA" -t -f "$dir/kiva/kiva.conf"; then
        fail "$label: kiva -t refused it"
        return
    fi
    if ! "$APACHE2" -t -f "$dir/apache2/apache2.conf" >/dev/null 2>&1; then
        echo "  apache2 -t refused it too; no comparison"
        return
    fi
    if start_server "$dir/kiva.out" "$kport" "$KIVA" -f "$dir/kiva/kiva.conf" &&
        start_server "$dir/apache2.out" "$aport" "$APACHE2" -f "$dir/apache2/apache2.conf"; then
        compare_urls "$label" "$kport" "$aport" "${URLS_SMALL[@]}" "$@"
    else
        fail "$label: a server did not start"
    fi
    for pid in "${pids[@]}"; do stop_pid "$pid"; done
    pids=()
}

# Modules kiva has in part, while their issue is open: what of Debian's mods-available/MOD.conf
# kiva -t still refuses (the README's list of what is not there yet): directives refused as
# not implemented yet, and modules it loads that kiva does not build. Any other refusal, or
# one of these accepted, is a difference, so the lists follow the module as it grows.
declare -A known_gaps=(
)
declare -A known_missing_modules=(
)

# kiva -t on $2 must refuse what known_gaps and known_missing_modules of module $1 say, and
# nothing else.
check_known_gaps() {
    local mod=$1 conf=$2 out d m line
    local gaps=${known_gaps[$mod]:-} missing=${known_missing_modules[$mod]:-}
    out=$("$KIVA" -t -f "$conf" 2>&1)
    for d in $gaps; do
        grep -q "Invalid command '$d': .*does not implement it yet" <<<"$out" ||
            fail "$mod.conf: $d is no longer refused as not implemented: update known_gaps"
    done
    for m in $missing; do
        grep -q "Cannot load .*/mod_$m\.so: no such file" <<<"$out" ||
            fail "$mod.conf: mod_$m now loads: update known_missing_modules"
    done
    while read -r line; do
        for d in $gaps; do
            [[ "$line" == *"Invalid command '$d': "*"does not implement it yet"* ]] && continue 2
        done
        for m in $missing; do
            [[ "$line" == *"Cannot load "*"/mod_$m.so: no such file"* ]] && continue 2
        done
        fail "$mod.conf: kiva -t refused more than its known gaps: $line"
    done < <(grep "Syntax error on line" <<<"$out")
    echo "  known gaps, refused as not there yet: $gaps${missing:+ (modules: $missing)}"
}

echo
echo "== 2. mods-available/*.conf of the modules kiva provides"
for conf in "$DEBIAN_ETC"/mods-available/*.conf; do
    mod=$(basename "$conf" .conf)
    load=$DEBIAN_ETC/mods-available/$mod.load
    if [ ! -f "$KIVA_MODULES/mod_$mod.so" ] || [ ! -f "$load" ]; then
        continue
    fi
    deps=$(sed -n 's/^# Depends: *//p' "$load")
    # Debian's tree always loads mod_authz_host; here only a file that needs it does.
    if grep -Eq "^[[:space:]]*Require +(local|ip|host|forward-dns)" "$conf"; then
        deps="${deps:+$deps }authz_host"
    fi
    echo "-- $mod.conf (loads $mod${deps:+ $deps})"
    d=$root/mods/$mod
    kport=$(free_port) && aport=$(free_port) || exit 1
    # shellcheck disable=SC2086
    minimal_conf "$d/kiva" kiva "$kport" $deps "$mod" <<<"Include $conf"
    if [ -n "${known_gaps[$mod]:-}" ]; then
        check_known_gaps "$mod" "$d/kiva/kiva.conf" "${known_gaps[$mod]}"
        continue
    fi
    # shellcheck disable=SC2086
    minimal_conf "$d/apache2" apache2 "$aport" $deps "$mod" <<<"Include $conf"
    check_pair "$mod.conf" "$d" "$kport" "$aport"
done

echo
echo "== 3. tests/configs/*.conf"
for snippet in "$srcdir"/tests/configs/*.conf; do
    name=$(basename "$snippet" .conf)
    mods=$(sed -n 's/^# Modules: *//p' "$snippet")
    echo "-- $name (loads $mods)"
    d=$root/configs/$name
    kport=$(free_port) && aport=$(free_port) || exit 1
    for server in kiva apache2; do
        port=$kport
        [ "$server" = apache2 ] && port=$aport
        # shellcheck disable=SC2086
        sed -e "s|@PORT@|$port|g" -e "s|@DOCROOT@|$docroot|g" -e "s|@ROOT@|$d/$server|g" \
            "$snippet" | minimal_conf "$d/$server" "$server" "$port" $mods
    done
    mapfile -t extra < <(sed -n 's/^# URL: *//p' "$snippet")
    check_pair "$name" "$d" "$kport" "$aport" "${extra[@]}"
done

echo
if [ "$failures" = 0 ]; then
    echo "PASS: kiva matched Debian's apache2 everywhere"
    exit 0
fi
echo "FAIL: $failures difference(s) between kiva and Debian's apache2 (listed above)"
exit 1
