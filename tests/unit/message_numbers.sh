#!/bin/sh
# Every KVnnnnn message number in the sources is below server/log-message-next-number, the
# number the next new message takes (include/kv_log.h): a number taken without moving it on
# would be given out twice.
top="${srcdir:-.}"
next=$(cat "$top/server/log-message-next-number") || exit 1
highest=$(grep -rhoE 'KV[0-9]{5}:' "$top/server" "$top/modules" "$top/mpm" \
    --include='*.c' --include='*.h' | tr -dc '0-9\n' | sed 's/^0*//' | sort -n | tail -n 1)
if [ -z "$highest" ]; then
    echo "no KVnnnnn message numbers found under $top"
    exit 1
fi
if [ "$highest" -ge "$next" ]; then
    echo "KV0$highest is in use, but server/log-message-next-number says $next: make it $((highest + 1))"
    exit 1
fi
