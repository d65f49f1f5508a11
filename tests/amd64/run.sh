#!/usr/bin/env bash
# Debian's own amd64 programs, the host's, run under vm with the host as the sysroot (-L /),
# each compared with the same program run natively on the same input (x86-64 hosts):
#   coreutils  sort, uniq, wc, cut, tr, od, md5sum, sha1sum, sha256sum, base64 both ways, tac,
#              fold, nl and split over 1 MiB of generated text and a binary (sqlite3 itself)
#   gzip, xz   compression (output equal to the native run's) and decompression, each way
#   sqlite3    tests/real/sqlite.sql on a file database
#   python     Debian's python3.11 running modules of its own regression suite (the package
#              libpython3.11-testsuite, fetched once into the build directory and completed
#              with the host's test package, on PYTHONPATH);
#              the native run of the same module must succeed too
# tests/amd64/pending lists checks ("PATTERN: reason" a line, PATTERN a shell pattern over the
# check names) that wait for something vm lacks: they run too, and are counted as pending
# while they fail; one that passes is a failure until it leaves the list.
#
# Usage: tests/amd64/run.sh [BUILD_DIR]   (default: build/amd64)
# Environment: VM (default "build/vm run"), TIMEOUT seconds per run (default 300), TAG
#              (appended to each check's name, e.g. "[vm-jit]"), MODULES (Python modules
#              instead of the list).
# Output: "PASS amd64/NAME" or "FAIL amd64/NAME: reason", then "amd64: N passed, N failed,
# N pending". Exit 1 on any failure.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
build="${1:-build/amd64}"
vm="${VM:-$root/build/vm run}"
timeout_s="${TIMEOUT:-300}"
tag="${TAG:-}"
suite=amd64
. tests/lib.sh
. scripts/apt-fetch.sh
read -r -a vm_cmd <<<"$vm"
# The modules make test runs: the cheaper of those that pass (test_math, test_int, test_long,
# test_bytes, test_unicode, test_hashlib, test_pickle and test_os pass too, in minutes more).
modules="${MODULES:-test_float test_struct test_dict test_json test_zlib test_time test_select
    test_mmap test_random test_fcntl}"
pending=0
mkdir -p "$build" || exit 1
build="$(cd "$build" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/native" "$work/vm"

# verdict NAME [REASON [DETAIL_FILE]]: passes without a reason, else fails, unless
# tests/amd64/pending lists the check; a listed check that passes fails.
verdict() {
    local name=$1 why=${2:-} pattern reason=
    while IFS= read -r line; do
        [[ "$line" == \#* || -z "$line" ]] && continue
        pattern=${line%%: *}
        # shellcheck disable=SC2053
        [[ "$name" == $pattern ]] && { reason=${line#*: }; break; }
    done <tests/amd64/pending
    if [ -n "$reason" ] && [ -n "$why" ]; then
        echo "PENDING $suite/$name$tag: $why ($reason)"
        pending=$((pending + 1))
    elif [ -n "$reason" ]; then
        fail "$name" "passes, but tests/amd64/pending lists it ($reason)"
    elif [ -n "$why" ]; then
        fail "$name" "$why" "${3:-}"
    else
        pass "$name"
    fi
}

# both NAME STDIN PROGRAM ARGS...: runs the program natively and under vm in work/native and
# work/vm with the same input, stdout to NAME.out there; the verdict is on equal outputs and
# exit statuses.
both() {
    local name=$1 in=$2 prog rc_native rc_vm
    prog=$(command -v "$3")   # vm takes a path, not a name to look up in PATH
    shift 3
    set -- "$prog" "$@"
    (cd "$work/native" && timeout -k 5 "$timeout_s" "$@" <"$in" >"$name.out" 2>"$name.err")
    rc_native=$?
    { (cd "$work/vm" && timeout -k 5 "$timeout_s" "${vm_cmd[@]}" -L / "$@" <"$in" \
        >"$name.out" 2>"$name.err"); } 2>/dev/null
    rc_vm=$?
    if [ "$rc_vm" -ne "$rc_native" ]; then
        verdict "$name" "exit status $rc_vm, natively $rc_native" "$work/vm/$name.err"
    elif ! cmp -s "$work/native/$name.out" "$work/vm/$name.out"; then
        cmp "$work/native/$name.out" "$work/vm/$name.out" >"$work/vm/$name.diff" 2>&1
        verdict "$name" "output differs from the native run's" "$work/vm/$name.diff"
    else
        verdict "$name"
    fi
}

# The data: 1 MiB of text from a fixed seed (awk's rand is deterministic), and a binary.
awk 'BEGIN { srand(42); for (n = 0; n < 1048576; ) { l = ""; k = 3 + int(rand() * 12);
     for (i = 0; i < k; i++) l = l sprintf("w%d ", int(rand() * 3000)); print l; n += length(l) + 1 } }' \
    >"$work/text"
cp /usr/bin/sqlite3 "$work/bin"
text=$work/text bin=$work/bin none=/dev/null

both sort "$text" sort
both sort-n "$text" sort -k2,2n -k1,1r -s
sort "$text" | cut -d' ' -f1 | sort >"$work/words"
both uniq-c "$work/words" uniq -c
both wc "$text" wc
both wc-bin "$bin" wc -lwc
both cut "$text" cut -d' ' -f2,4-
both tr "$text" tr 'a-z0-9' 'N-ZA-M5-90-4'
both tr-squeeze "$text" tr -s ' 0-9'
both od "$bin" od -A x -t x1z -v
both od-words "$bin" od -t d4 -t f8
for sum in md5sum sha1sum sha256sum sha512sum; do
    both "$sum" "$text" "$sum"
    both "$sum-bin" "$bin" "$sum"
done
both base64 "$bin" base64
base64 <"$bin" >"$work/bin.b64"
both base64-d "$work/bin.b64" base64 -d
both tac "$text" tac
both fold "$text" fold -w 37
both nl "$text" nl -ba
both split "$text" split -n l/5 --verbose - part.
if ! cmp -s <(cat "$work"/native/part.* 2>/dev/null) <(cat "$work"/vm/part.* 2>/dev/null); then
    verdict split-files "the pieces differ from the native run's"
else
    verdict split-files
fi

# gzip and xz: compression equal to the native run's, decompression of the native output.
both gzip "$text" gzip -9c
both gzip-d "$work/native/gzip.out" gzip -dc
both gzip-bin "$bin" gzip -6c
both xz "$text" xz -6 -T1 -c
both xz-d "$work/native/xz.out" xz -dc
both xz-bin "$bin" xz -6e -T1 -c
both xz-t "$work/native/xz-bin.out" xz -t -v

# sqlite3 on a file database in each run's own directory.
both sqlite "$root/tests/real/sqlite.sql" sqlite3 test.db

# Python: Debian's regression suite for the host's python3.11.
tests_dir="$build/python"
if [ ! -f "$tests_dir/usr/lib/python3.11/test/test_math.py" ]; then
    mkdir -p "$build/debs"
    version=$(dpkg-query -W -f='${Version}' python3.11 2>/dev/null)
    if ! ls "$build"/debs/libpython3.11-testsuite_*.deb >/dev/null 2>&1 &&
        ! (cd "$build/debs" && { apt-get download -q "libpython3.11-testsuite=$version" >/dev/null 2>&1 ||
                                 apt_fetch download libpython3.11-testsuite; }); then
        fail python "cannot fetch libpython3.11-testsuite"
    else
        # The package holds the test modules; the test package itself, its support library
        # and the runner are the host's (libpython3.11-stdlib's).
        rm -rf "$tests_dir" && dpkg-deb -x "$(ls "$build"/debs/libpython3.11-testsuite_*.deb | head -n 1)" \
            "$tests_dir" && cp -rn /usr/lib/python3.11/test/. "$tests_dir/usr/lib/python3.11/test/"
    fi
fi
if [ -f "$tests_dir/usr/lib/python3.11/test/test_math.py" ]; then
    pypath="$tests_dir/usr/lib/python3.11"
    for m in $modules; do
        out="$work/vm/$m.log"
        if ! (cd "$work/native" && PYTHONPATH=$pypath timeout -k 5 "$timeout_s" \
                /usr/bin/python3.11 -m test "$m" >"$work/native/$m.log" 2>&1 </dev/null); then
            fail "python/$m" "fails natively too (the test suite's version differs from python3.11's?)" \
                "$work/native/$m.log"
            continue
        fi
        { (cd "$work/vm" && timeout -k 5 "$timeout_s" "${vm_cmd[@]}" -L / -E "PYTHONPATH=$pypath" \
            /usr/bin/python3.11 -m test "$m" >"$out" 2>&1 </dev/null); } 2>/dev/null
        rc=$?
        if [ "$rc" -eq 0 ] && grep -q '^Tests result: SUCCESS' "$out"; then
            verdict "python/$m"
        else
            grep -E 'Error|FAIL|failed|vm:' "$out" >"$out.why"
            [ -s "$out.why" ] || tail -n 5 "$out" >"$out.why"
            verdict "python/$m" "exit status $rc" "$out.why"
        fi
    done
fi

echo "$suite$tag: $passed passed, $failed failed, $pending pending"
[ "$failed" -eq 0 ] && [ $((passed + pending)) -gt 0 ]
