#!/bin/sh
# One number per message in mpm/: a KVnnnnn number stands for one text, and a text that
# several MPMs log has one number (issue 14; "could not set up the accept loop" had three).
# Adjacent string literals are joined first, as the compiler joins them.
dir="${srcdir:-.}/mpm"
find "$dir" -name '*.[ch]' | sort | xargs perl -0777 -ne '
    s/"\s*\n\s*"//g;                       # "...text " NEWLINE "more..." -> one literal
    while (/"(KV[0-9]{5}): ((?:[^"\\]|\\.)*)"/g) { print "$1\t$2\n"; }
' | sort -u > "${TMPDIR:-/tmp}/kv-mpm-messages.$$"
status=0
if [ ! -s "${TMPDIR:-/tmp}/kv-mpm-messages.$$" ]; then
    echo "no numbered messages found under $dir"
    status=1
fi
for n in $(cut -f1 "${TMPDIR:-/tmp}/kv-mpm-messages.$$" | uniq -d); do
    echo "$n stands for more than one text:"
    grep "^$n	" "${TMPDIR:-/tmp}/kv-mpm-messages.$$"
    status=1
done
cut -f2- "${TMPDIR:-/tmp}/kv-mpm-messages.$$" | sort | uniq -d | while IFS= read -r text; do
    echo "one text, several numbers:"
    grep -F "	$text" "${TMPDIR:-/tmp}/kv-mpm-messages.$$" | awk -F'\t' -v t="$text" '$2 == t'
done | grep . && status=1
rm -f "${TMPDIR:-/tmp}/kv-mpm-messages.$$"
exit $status
