# Runs under busybox sh inside one guest process: loops, arithmetic, functions, parameter
# expansion and the builtins (echo, printf, test), nothing that forks.
i=0; total=0
while [ $i -lt 50 ]; do total=$((total + i * i)); i=$((i + 1)); done
echo "sum of squares: $total"
for w in alpha beta gamma; do printf '%s has %d letters\n' "$w" "${#w}"; done
f() { case "$1" in a*) echo "starts with a: $1";; *) echo "other: $1";; esac; }
f apple; f banana
s="path/to/file.tar.gz"; echo "${s##*/} ${s%%.*} ${s#*/}"
test 3 -gt 2 && echo "test ok"
[ -z "" ] && [ -n x ] && echo "string tests ok"
echo done
