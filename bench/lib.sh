# Shell helpers shared by bench/run and bench/tls (sourced, never run): messages, packages,
# free ports, starting and stopping servers by pid, CPU accounting, medians. The sourcing
# script sets `top` (the source tree) before, and `work` (its scratch directory) before it
# calls start_server; start_server appends to the arrays names, ports, pids, dirs, started.

die() { echo "bench: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }

is_root() { [ "$(id -u)" -eq 0 ]; }
can_apt() { is_root && command -v apt-get >/dev/null; }
apt_updated=0
apt_install() { # apt_install PACKAGE...: best effort
    can_apt || return 1
    if [ "$apt_updated" -eq 0 ]; then
        apt-get update -qq >/dev/null 2>&1
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

# Servers started as root switch to this user, kiva's and httpd's children alike.
RUN_USER=daemon RUN_GROUP=daemon

started=() # pids of every server the script started
names=() ports=() pids=() dirs=()

tree_pids() { # tree_pids PID: PID and its descendants
    local all pid
    all=$(ps -e -o pid=,ppid= 2>/dev/null)
    local todo=("$1") seen=()
    while [ ${#todo[@]} -gt 0 ] && [ ${#seen[@]} -lt 20000 ]; do
        pid=${todo[0]}; todo=("${todo[@]:1}")
        seen+=("$pid")
        todo+=($(awk -v p="$pid" '$2 == p { print $1 }' <<<"$all"))
    done
    echo "${seen[@]}"
}

stop_server() { # stop_server PID: TERM, wait up to 10 s, then KILL what is left of its tree
    local pid=$1 i left
    kill -0 "$pid" 2>/dev/null || return 0
    left=$(tree_pids "$pid")
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    for p in $left; do
        kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
    done
    wait "$pid" 2>/dev/null
    return 0
}

cleanup() {
    for pid in "${started[@]}"; do stop_server "$pid"; done
    rm -rf "${work:-}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0))
print(s.getsockname()[1])'
}

user_lines() { is_root && printf 'User %s\nGroup %s\n' "$RUN_USER" "$RUN_GROUP"; }

pin_setup() { # pin_setup 0|1: --pin, the servers' CPUs and the client's, as taskset prefixes
    server_pin=() client_pin=() pin_note="not pinned"
    if [ "$1" = 1 ]; then
        cpus=$(nproc)
        [ "$cpus" -ge 2 ] || die "--pin needs 2 CPUs or more (this machine has $cpus)"
        half=$((cpus / 2))
        server_pin=(taskset -c "0-$((half - 1))") client_pin=(taskset -c "$half-$((cpus - 1))")
        pin_note="servers on CPUs 0-$((half - 1)), wrk on CPUs $half-$((cpus - 1))"
    fi
}

wait_listening() { # wait_listening PID PORT: up to 15 s
    local i
    for ((i = 0; i < 150; i++)); do
        kill -0 "$1" 2>/dev/null || return 1
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$2),0.5)" \
            2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

start_server() { # start_server NAME DIR COMMAND...
    local name=$1 dir=$2 port=$3; shift 3
    # Its own session: httpd's prefork signals its whole process group when it stops.
    setsid "${server_pin[@]}" "$@" >"$dir/stdout" 2>"$dir/stderr" </dev/null &
    local pid=$!
    started+=("$pid")
    if ! wait_listening "$pid" "$port"; then
        say "$name did not start; skipped. stderr:"
        tail -n 5 "$dir/stderr" "$dir/logs/error_log" 2>/dev/null >&2
        stop_server "$pid"
        return 1
    fi
    names+=("$name") ports+=("$port") pids+=("$pid") dirs+=("$dir")
    say "$name: pid $pid on 127.0.0.1:$port"
}

find_kiva() { # find_kiva [PREFIX]: KIVA, KIVA_MODS, MIME_TYPES of an install, else of the tree
    # (built first if need be)
    if [ -n "$1" ]; then
        KIVA=$1/bin/kiva KIVA_MODS=$1/modules MIME_TYPES=$1/conf/mime.types
    else
        KIVA=$top/kiva KIVA_MODS=$top/modules/.libs MIME_TYPES=$top/conf/mime.types
        if [ ! -x "$KIVA" ]; then
            say "building kiva in $top"
            { [ -f "$top/Makefile" ] || { (cd "$top" && ./buildconf && ./configure); }; } \
                >/dev/null && make -C "$top" -j2 >/dev/null || die "kiva did not build"
        fi
    fi
    [ -x "$KIVA" ] || die "no kiva at $KIVA"
}

cpu_ticks() { # cpu_ticks PID: "TICKS HZ", the CPU time the server's process tree has used
    python3 "$top/bench/idle.py" --pid "$1" --cpu | sed -E 's/ticks=([0-9]+) hz=([0-9]+)/\1 \2/'
}

median() { tr ' ' '\n' | grep -v '^$' | grep -v '^-$' | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
          else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
