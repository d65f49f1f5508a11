# Runs under busybox sh: loops, arithmetic, functions, parameter expansion and the builtins,
# then pipelines and command substitution through the applets (each a forked child).
i=0; total=0
while [ $i -lt 50 ]; do total=$((total + i * i)); i=$((i + 1)); done
echo "sum of squares: $total"
for w in alpha beta gamma; do printf '%s has %d letters\n' "$w" "${#w}"; done
f() { case "$1" in a*) echo "starts with a: $1";; *) echo "other: $1";; esac; }
f apple; f banana
s="path/to/file.tar.gz"; echo "${s##*/} ${s%%.*} ${s#*/}"
test 3 -gt 2 && echo "test ok"
[ -z "" ] && [ -n x ] && echo "string tests ok"
input=tests/guest-aarch64/busybox/input.txt
sort "$input" | uniq -c | sort -rn | head -3
cut -d ' ' -f3 "$input" | sort -u | tr '\n' ',' ; echo
awk '{ s += $2 } END { print "total", s }' "$input"
sed -n 's/^\(b[a-z]*\) \([0-9]*\).*/\2:\1/p' "$input" | sort -t: -k1,1n
lines=$(wc -l < "$input"); echo "lines: $lines"
echo "product: $(expr 6 \* 7) squares: $(seq 1 5 | awk '{ printf "%d ", $1 * $1 }')"
for n in $(seq 10 -3 1); do printf '%d ' $((n % 4)); done; echo
echo "done"
