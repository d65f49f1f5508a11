# Sourced by the `vm boot` suites (tests/system, tests/kvm): one check runs a command with a
# given stdin and compares its status, stdout and stderr exactly. The script sets suite (the
# prefix of every name), out (its scratch directory) and VM_BIN.
check() {   # label, expected status/stdout/stderr, stdin, then the command
    local label=$1 want_status=$2 want_out=$3 want_err=$4 input=$5 status
    shift 5
    printf "$input" >"$out/stdin"
    timeout 20 "$@" <"$out/stdin" >"$out/stdout" 2>"$out/stderr"
    status=$?
    printf "$want_out" >"$out/want_stdout"
    printf "$want_err" >"$out/want_stderr"
    if [ "$status" = "$want_status" ] && cmp -s "$out/stdout" "$out/want_stdout" &&
       cmp -s "$out/stderr" "$out/want_stderr"; then
        echo "PASS $suite/$label"
    else
        echo "FAIL $suite/$label: status $status (want $want_status)"
        diff -u "$out/want_stdout" "$out/stdout" | tail -n +3
        diff -u "$out/want_stderr" "$out/stderr" | tail -n +3
    fi
}

refuse() {   # label, status, stderr, then vm boot's arguments: nothing runs
    local label=$1 status=$2 err=$3
    shift 3
    check "refuse-$label" "$status" "" "$err" "" "$VM_BIN" boot "$@"
}
