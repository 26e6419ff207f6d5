# Helpers the wrk-driven benchmarks share (sourced by bench/soap.sh,
# bench/soak.sh and bench/scale.sh, each of which defines die()).

# stop_pid PID: SIGTERM, up to 5 s for the emulator's drain, then SIGKILL.
stop_pid() {
    local pid=$1
    [[ -n "$pid" ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

port_in_use() {
    local port=$1
    if command -v ss >/dev/null; then
        [[ -n "$(ss -Htln "sport = :$port" 2>/dev/null)" ]]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
    fi
}

free_port() {
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % 40000))
        if ! port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    die "no free loopback port found"
}

# wait_ready PID URL: polls URL until it answers 200 (10 s at most).
wait_ready() {
    local pid=$1 url=$2
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 1
        if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)" == 200 ]]; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# ensure_wrk: installs wrk with apt-get if it is missing; needs curl too.
ensure_wrk() {
    if ! command -v wrk >/dev/null; then
        local sudo=""
        [[ $(id -u) -eq 0 ]] || sudo=sudo
        echo "installing wrk" >&2
        $sudo apt-get install -y wrk >&2 || { $sudo apt-get update >&2 && $sudo apt-get install -y wrk >&2; } ||
            die "could not install wrk"
    fi
    command -v curl >/dev/null || die "curl is required"
}

# field LABEL KEY: a "BENCH KEY VALUE" line from the wrk report $WORK/LABEL.txt.
field() {
    local v
    v=$(awk -v k="$2" '$1 == "BENCH" && $2 == k { print $3; exit }' "$WORK/$1.txt")
    [[ -n "$v" ]] || die "no $2 in $WORK/$1.txt"
    echo "$v"
}

# median V...: the median of the numbers given.
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
