# Sourced by the scripts that fetch Debian packages for the tests and the benchmark
# (apt-get source, apt-get download). A mirror may list a version whose files it does not
# serve (the security archive's sources answer 404), so a fetch that fails falls back to the
# newest version apt knows of that can be fetched, and says which one it used; when none can,
# it shows apt's own last lines instead of guessing at the cause.

# apt_versions source|download PKG: every version apt knows of, newest first.
apt_versions() {
    local kind=$1 pkg=$2 v sorted=() i
    local list
    if [ "$kind" = source ]; then
        list=$(apt-cache showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p')
    else
        list=$(apt-cache madison "${pkg%%:*}" 2>/dev/null |
            awk -F'|' '$3 ~ / Packages *$/ { gsub(/ /, "", $2); print $2 }')
    fi
    for v in $(sort -u <<<"$list"); do
        i=${#sorted[@]}
        sorted+=("$v")
        while [ "$i" -gt 0 ] && dpkg --compare-versions "${sorted[i-1]}" lt "$v"; do
            sorted[i]=${sorted[i-1]}
            i=$((i - 1))
        done
        sorted[i]=$v
    done
    printf '%s\n' "${sorted[@]}"
}

# apt_fetch source|download PKG [APT-GET OPTION...]: fetches into the current directory.
# Prints the version used to stderr; returns 1 (with apt's last lines) if nothing could be had.
apt_fetch() {
    local kind=$1 pkg=$2 log v tried=""
    shift 2
    log=$(mktemp) || return 1
    if apt-get "$kind" -q "$@" "$pkg" >"$log" 2>&1; then
        echo "apt-fetch: $kind $pkg: the candidate version" >&2
        rm -f "$log"
        return 0
    fi
    apt-get update -qq >/dev/null 2>&1 || true
    for v in $(apt_versions "$kind" "$pkg"); do
        if apt-get "$kind" -q "$@" "$pkg=$v" >"$log" 2>&1; then
            echo "apt-fetch: $kind $pkg: using version $v${tried:+ (could not fetch$tried)}" >&2
            rm -f "$log"
            return 0
        fi
        tried+=" $v"
    done
    echo "apt-fetch: apt-get $kind $pkg failed for every version apt lists (${tried# }); apt said:" >&2
    tail -n 4 "$log" | sed 's/^/    /' >&2
    rm -f "$log"
    return 1
}
