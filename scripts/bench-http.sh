#!/usr/bin/env bash
# HTTP download benchmark: fdfs's storage gateway vs Debian's nginx serving the same files from disk, measured
# with wrk (4 KiB and 1 MiB GETs, keep-alive). Bounded: DURATION seconds per run, 4 runs; everything on 127.66.x.
#   scripts/bench-http.sh            # DURATION=5 CONNECTIONS=32 THREADS=1 NGINX_WORKERS=1
# Needs: a build (npm run build), wrk and nginx (apt-get install wrk nginx-light; run as root for apt).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
NGINX_WORKERS=${NGINX_WORKERS:-1}
NET=${BENCH_NET:-127.66.$((RANDOM % 200 + 1))}
TRACKER=$NET.1 STORAGE=$NET.2 NGINX=$NET.3
HTTP_PORT=8888

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "bench-http: $tool is missing (apt-get install wrk nginx-light curl)" >&2; exit 2; }
done
[ -f dist/commands/index.js ] || npm run build >/dev/null

WORK=$(mktemp -d /tmp/fdfs-bench-http.XXXXXX)
chmod 755 "$WORK" # nginx workers run as an unprivileged user
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir -p "$WORK/tracker" "$WORK/storage" "$WORK/nginx/logs"
cat >"$WORK/tracker.conf" <<EOF
bind_addr = $TRACKER
base_path = $WORK/tracker
reserved_storage_space = 1%
EOF
cat >"$WORK/storage.conf" <<EOF
group_name = group1
bind_addr = $STORAGE
base_path = $WORK/storage
store_path0 = $WORK/storage
subdir_count_per_path = 4
heart_beat_interval = 1
stat_report_interval = 1
tracker_server = $TRACKER:22122
http.server_port = $HTTP_PORT
EOF

wait_ready() { # file, seconds
  for _ in $(seq 1 $(($2 * 10))); do grep -q '^ready' "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "bench-http: server not ready:" >&2; tail -20 "$1" >&2; exit 1
}
export FDFS_LOG_LEVEL=warn
node bin/run.js serve --role tracker --config "$WORK/tracker.conf" >"$WORK/tracker.out" 2>&1 & PIDS+=($!)
wait_ready "$WORK/tracker.out" 20
node bin/run.js serve --role storage --config "$WORK/storage.conf" >"$WORK/storage.out" 2>&1 & PIDS+=($!)
wait_ready "$WORK/storage.out" 20

head -c 4096 /dev/urandom >"$WORK/f4k.bin"
head -c 1048576 /dev/urandom >"$WORK/f1m.bin"
upload() { # retries while the storage is still joining
  for _ in $(seq 1 50); do
    id=$(node bin/run.js upload "$1" --tracker "$TRACKER:22122" 2>/dev/null) && { echo "$id"; return 0; }
    sleep 0.2
  done
  echo "bench-http: upload failed" >&2; exit 1
}
ID4K=$(upload "$WORK/f4k.bin")
ID1M=$(upload "$WORK/f1m.bin")

# nginx serving the same store path: /group1/M00/HH/HH/name → <store_path0>/data/HH/HH/name
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  server {
    listen $NGINX:$HTTP_PORT;
    location /group1/M00/ { alias $WORK/storage/data/; }
  }
}
EOF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' & PIDS+=($!)
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://$NGINX:$HTTP_PORT/$ID4K" && break; sleep 0.1; done

for id in "$ID4K" "$ID1M"; do
  for host in "$STORAGE" "$NGINX"; do
    cmp -s <(curl -sf "http://$host:$HTTP_PORT/$id") "$WORK/$( [ "$id" = "$ID4K" ] && echo f4k || echo f1m).bin" \
      || { echo "bench-http: $host served wrong bytes for $id" >&2; exit 1; }
  done
done

run() { # host id → "req/s MB/s p99"
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://$1:$HTTP_PORT/$2")
  local rps mbs p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  mbs=$(awk '/^Transfer\/sec:/ {v=$2; u=substr(v, length(v)-1); n=v+0; if (u=="GB") n*=1024; else if (u=="KB") n/=1024; printf "%.1f", n}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  echo "$rps $mbs $p99"
}

echo "fdfs HTTP vs nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (workers=$NGINX_WORKERS), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $(nproc) cores"
printf '%-6s %-6s %12s %10s %10s\n' size server 'req/s' 'MB/s' 'p99'
for pair in "4KiB:$ID4K" "1MiB:$ID1M"; do
  size=${pair%%:*} id=${pair#*:}
  read -r frps fmbs fp99 <<<"$(run "$STORAGE" "$id")"
  read -r nrps nmbs np99 <<<"$(run "$NGINX" "$id")"
  printf '%-6s %-6s %12s %10s %10s\n' "$size" fdfs "$frps" "$fmbs" "$fp99" "$size" nginx "$nrps" "$nmbs" "$np99"
  awk -v f="$frps" -v n="$nrps" -v s="$size" 'BEGIN { printf "%-6s fdfs/nginx = %.2f\n", s, f / n }'
done
