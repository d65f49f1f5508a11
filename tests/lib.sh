# Sourced by the test scripts: one "PASS suite/NAME" or "FAIL suite/NAME: reason" line per
# check, and their counts. The script sets suite (the prefix of every name) and may set tag
# (appended to every name, e.g. "[vm-jit]").
passed=0
failed=0
tag="${tag:-}"
pass() {
    echo "PASS $suite/$1$tag"
    passed=$((passed + 1))
}
fail() {   # fail NAME REASON [DETAIL_FILE]: with the first 20 lines of the detail file
    echo "FAIL $suite/$1$tag: $2"
    if [ "$#" -ge 3 ] && [ -s "$3" ]; then
        head -n 20 "$3" | sed 's/^/    /'
    fi
    failed=$((failed + 1))
}
