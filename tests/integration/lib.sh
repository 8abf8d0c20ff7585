# SPDX-License-Identifier: Apache-2.0
# Shared helpers of the board tests and of `make demo` (source it; bash).
#
#   ota_setup                   temp dir $OTA_TMP (removed at exit with every server started)
#   ota_workspace               ota_setup, then WWW, B, T and the working directory (below)
#   ota_free_port               a free TCP port on 127.0.0.1
#   ota_start_python_server DIR start `python3 -m http.server` serving DIR; sets OTA_PORT, OTA_URL,
#                               OTA_SERVER_LOG (one line per request)
#   ota_start_nginx DIR [FMT]   the same with nginx (own config, pid, logs, temp paths);
#                               FMT: the access log's nginx log_format (default: combined)
#   ota_pack APP VERSION OUT    otaflow-image pack, quietly
#   ota_publish MANIFEST VERSION FILE [--erase]   add an entry served from $OTA_URL
#   ota_expect DIR [DESC EXPR WANT]...  take `otaflow-board status DIR --json` once and check
#                               each Python expression on it (the object is `s`) against WANT,
#                               e.g. ota_expect "$B" "boot state" 's["boot_state"]' confirmed
#   ota_json DIR EXPR           print one expression on the status of DIR
#   ota_check DESC ACTUAL WANT  print "ok: DESC" or fail the test
#   ota_fail MSG                print and exit 1
#
# Uses OTA_BIN (build/bin), as ctest sets it.

OTA_BIN=${OTA_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/bin}
OTA_PIDS=()

ota_cleanup() {
    local rc=$?
    local pid
    for pid in "${OTA_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n "${OTA_TMP:-}" && -z "${OTA_KEEP:-}" ]]; then
        rm -rf "$OTA_TMP"
    fi
    exit "$rc"
}

ota_setup() {
    OTA_TMP=$(mktemp -d "${TMPDIR:-/tmp}/otaflow-board.XXXXXX")
    chmod 755 "$OTA_TMP" # nginx workers may run as another user
    trap ota_cleanup EXIT
    trap 'exit 130' INT TERM
}

# ota_workspace: ota_setup, then WWW (served files), B (the board), T (otaflow-image) set, WWW
# made and the working directory OTA_TMP: what the board tests start with.
ota_workspace() {
    ota_setup
    WWW=$OTA_TMP/www B=$OTA_TMP/board T="$OTA_BIN/otaflow-image"
    mkdir -p "$WWW"
    cd "$OTA_TMP"
}

ota_fail() {
    echo "FAIL: $*" >&2
    exit 1
}

ota_check() {
    if [[ "$2" == "$3" ]]; then
        echo "ok: $1"
    else
        ota_fail "$1: got '$2', want '$3'"
    fi
}

# A port nobody listens on (the server start retries if another process takes it first).
ota_free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

# Wait until process $2 accepts connections on 127.0.0.1:$1 (at most 20 s; false if the
# process ended, e.g. because someone else took the port).
ota_wait_port() {
    local i
    for i in $(seq 1 400); do
        kill -0 "$2" 2>/dev/null || return 1
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

ota_start_python_server() {
    local dir=$1 try
    for try in 1 2 3; do
        OTA_PORT=$(ota_free_port)
        OTA_SERVER_LOG=$OTA_TMP/http-$OTA_PORT.log
        python3 -m http.server "$OTA_PORT" --bind 127.0.0.1 --directory "$dir" \
            >"$OTA_SERVER_LOG" 2>&1 &
        OTA_PIDS+=($!)
        if ota_wait_port "$OTA_PORT" $!; then
            OTA_URL=http://127.0.0.1:$OTA_PORT
            return 0
        fi
    done
    ota_fail "python3 http.server did not start"
}

ota_start_nginx() {
    local dir=$1 try prefix conf access
    command -v nginx >/dev/null || ota_fail "nginx is not installed (make deps)"
    for try in 1 2 3; do
        OTA_PORT=$(ota_free_port)
        prefix=$OTA_TMP/nginx-$OTA_PORT
        mkdir -p "$prefix/tmp"
        conf=$prefix/nginx.conf
        OTA_SERVER_LOG=$prefix/access.log
        access="access_log $OTA_SERVER_LOG;"
        if [[ -n ${2:-} ]]; then
            access="log_format ota '$2'; access_log $OTA_SERVER_LOG ota;"
        fi
        cat >"$conf" <<NGINX
daemon off;
worker_processes 1;
pid $prefix/nginx.pid;
error_log $prefix/error.log;
events { worker_connections 64; }
http {
    $access
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    types { application/json json; application/octet-stream ota; }
    server {
        listen 127.0.0.1:$OTA_PORT;
        root $dir;
    }
}
NGINX
        nginx -c "$conf" -p "$prefix" >"$prefix/stderr.log" 2>&1 &
        OTA_PIDS+=($!)
        if ota_wait_port "$OTA_PORT" $!; then
            OTA_URL=http://127.0.0.1:$OTA_PORT
            return 0
        fi
    done
    ota_fail "nginx did not start: $(cat "$prefix/stderr.log" "$prefix/error.log" 2>/dev/null)"
}

ota_pack() {
    "$OTA_BIN/otaflow-image" pack "$1" -o "$3" --version "$2" >/dev/null ||
        ota_fail "pack $1 as version $2"
}

ota_publish() {
    local manifest=$1 version=$2 file=$3
    shift 3
    "$OTA_BIN/otaflow-image" manifest add "$manifest" --version "$version" \
        --url "$OTA_URL/$(basename "$file")" --file "$file" "$@" >/dev/null ||
        ota_fail "manifest add version $version"
}

# One Python run per status: interpreter start-up is the slow part of these checks.
ota_expect() {
    "$OTA_BIN/otaflow-board" status "$1" --json >"$OTA_TMP/status.json" ||
        ota_fail "status $1"
    shift
    python3 - "$OTA_TMP/status.json" "$@" <<'PY' || exit 1
import json, sys
s = json.load(open(sys.argv[1]))
args, failed = sys.argv[2:], False
for desc, expr, want in zip(args[0::3], args[1::3], args[2::3]):
    got = str(eval(expr))
    if got == want:
        print("ok: " + desc)
    else:
        print("FAIL: %s: got '%s', want '%s'" % (desc, got, want), file=sys.stderr)
        failed = True
sys.exit(1 if failed else 0)
PY
}

ota_json() {
    "$OTA_BIN/otaflow-board" status "$1" --json |
        python3 -c 'import json, sys; s = json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"
}

# ota_run WANT LOG ARGS...: otaflow-board run ARGS, console into LOG; fails (showing the
# console) unless the exit status is WANT.
ota_run() {
    local want=$1 log=$2 rc=0
    shift 2
    "$OTA_BIN/otaflow-board" run "$@" >"$log" 2>&1 || rc=$?
    if [[ $rc -ne $want ]]; then
        cat "$log" >&2
        ota_fail "otaflow-board run $*: exit status $rc, want $want"
    fi
    echo "ok: run ${*#"$OTA_TMP/"} -> exit $rc"
}

# ota_count PATTERN FILE: lines of FILE containing PATTERN (fixed string).
ota_count() {
    grep -cF -- "$1" "$2" || true
}

# ota_new_board DIR VERSION-FILE [create options]: create a board on $OTA_URL/ota.json with a
# 1 s period and factory-program it.
ota_new_board() {
    local dir=$1 image=$2
    shift 2
    "$OTA_BIN/otaflow-board" create "$dir" --manifest-url "$OTA_URL/ota.json" --period 1 "$@" \
        >/dev/null || ota_fail "create $dir"
    "$OTA_BIN/otaflow-board" flash "$dir" "$image" >/dev/null || ota_fail "flash $image"
}
