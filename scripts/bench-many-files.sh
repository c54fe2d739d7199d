#!/usr/bin/env bash
# Many small files, stock FastDFS and fdfs side by side (issue 12): one tracker + one storage each, the same C
# client (fdfs_load, ../shared/bench), trunk files on and off. Uploads N files of SIZE bytes in windows of WIN
# files and prints uploads/s per window (a directory or allocation cliff shows as falling windows), then the
# inodes and disk space the store path uses per file, then random reads over the whole set.
#   bash scripts/bench-many-files.sh [PROJECT_DIR]
#   env: N=1000000 WIN=100000 SIZE=4096 THREADS=16 READS=200000 SYSTEMS="stock fdfs" TRUNK="on off"
# Needs what ../shared/bench/side-by-side.sh needs (stock binaries in PATH, fdfs_load, a built project).
# Runs in its own network namespace (stock storages refuse a loopback tracker); traffic stays on this machine.
if [ -z "${MF_IN_NS:-}" ]; then
  ns=mf$$; ip netns add $ns; ip -n $ns link set lo up
  for i in 1 2; do ip -n $ns addr add 10.77.93.$i/32 dev lo; ip -n $ns addr add 10.77.94.$i/32 dev lo; done
  MF_IN_NS=1 ip netns exec $ns bash "$0" "$@"; rc=$?; ip netns del $ns; exit $rc
fi
set -u
PROJ=$(readlink -f "${1:-.}")
N=${N:-1000000}; WIN=${WIN:-100000}; SIZE=${SIZE:-4096}; THREADS=${THREADS:-16}; READS=${READS:-200000}
SYSTEMS=${SYSTEMS:-stock fdfs}; TRUNK=${TRUNK:-on off}
W=$(mktemp -d /var/tmp/mf.XXXXXX); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; sleep 1; for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$W"; }
trap cleanup EXIT
wait_port() { local i; for i in $(seq 1 150); do (exec 3<>/dev/tcp/$1/$2) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
pidfile() { local i; for i in $(seq 1 100); do [ -s "$1" ] && { head -1 "$1" | tr -dc 0-9; return; }; sleep 0.1; done; }
tree() { local p; for p in "$@"; do echo "$p"; tree $(pgrep -P "$p"); done; }
# CPU seconds ×100 of the server processes and their children (fdfs storage workers).
cpu_ticks() { local s=0 p; for p in $(tree "$@"); do [ -r /proc/$p/stat ] && s=$((s + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo "$s"; }

serve() { # sys role conf base_path host port: start one server, add its pid to spids and PIDS, wait for its port
  local sys=$1 role=$2 conf=$3 base=$4 pid
  if [ "$sys" = stock ]; then
    "fdfs_${role}d" "$conf" >/dev/null 2>&1; pid=$(pidfile "$base/data/fdfs_${role}d.pid")
  else
    FDFS_LOG_LEVEL=warn node "$PROJ/bin/run.js" serve --role "$role" --config "$conf" > "$base.log" 2>&1 & pid=$!
  fi
  spids+=("$pid"); PIDS+=("$pid")
  wait_port "$5" "$6" || { echo "$role $sys did not start"; return 1; }
}

run() { # sys trunk
  local sys=$1 trunk=$2 net d i
  [ "$sys" = stock ] && net=10.77.93 || net=10.77.94
  d=$W/$sys-$trunk; mkdir -p "$d/t" "$d/s"
  cat > "$d/tracker.conf" <<C
bind_addr = $net.1
port = 22122
base_path = $d/t
reserved_storage_space = 1%
store_lookup = 0
work_threads = 4
use_trunk_file = $([ "$trunk" = on ] && echo true || echo false)
slot_min_size = 256
slot_max_size = 1MB
trunk_file_size = 64MB
http.server_port = 0
C
  cat > "$d/storage.conf" <<C
group_name = group1
bind_addr = $net.2
port = 23000
base_path = $d/s
store_path0 = $d/s
subdir_count_per_path = 256
heart_beat_interval = 2
stat_report_interval = 2
thread_stack_size = 512KB
sync_binlog_buff_interval = 1
work_threads = 4
disk_reader_threads = 2
disk_writer_threads = 1
buff_size = 256KB
tracker_server = $net.1:22122
http.server_port = 0
C
  local spids=()
  serve "$sys" tracker "$d/tracker.conf" "$d/t" "$net.1" 22122 || return 1
  serve "$sys" storage "$d/storage.conf" "$d/s" "$net.2" 23000 || return 1
  printf 'base_path = %s\nconnect_timeout = 5\nnetwork_timeout = 60\ntracker_server = %s:22122\nuse_connection_pool = true\n' "$d" "$net.1" > "$d/client.conf"
  # Ready when an upload succeeds, and with trunk on when it lands in a trunk file (a 60-character name:
  # the group's trunk server is chosen and has space).
  head -c "$SIZE" /dev/urandom > "$d/probe"
  local id="" want=0; [ "$trunk" = on ] && want=60
  for i in $(seq 1 240); do
    id=$(fdfs_upload_file "$d/client.conf" "$d/probe" 2>/dev/null)
    if [ -n "$id" ]; then local name=${id#*/}; { [ "$want" = 0 ] || [ ${#name} -eq 60 ]; } && break; fi
    sleep 0.5
  done
  local inodes0 bytes0; inodes0=$(df --output=iused "$d/s" | tail -1); bytes0=$(du -sk "$d/s/data" | cut -f1)
  local done_n=0 w=0 c0 c1 line t0 t1
  : > "$d/ids"
  c0=$(cpu_ticks "${spids[@]}"); t0=$(date +%s.%N)
  while [ $done_n -lt "$N" ]; do
    local n=$WIN; [ $((done_n + n)) -gt "$N" ] && n=$((N - done_n))
    line=$(fdfs_load "$d/client.conf" upload "$THREADS" $((n / THREADS)) "$SIZE" "$d/ids.w" 2>&1 | tail -1)
    cat "$d/ids.w" >> "$d/ids"
    w=$((w + 1)); done_n=$((done_n + n / THREADS * THREADS))
    echo "$sys trunk=$trunk window $w files=$done_n :: $line" | tee -a "$W/results"
    echo "$line" | grep -q 'errors=0' || { echo "errors in window $w; stopping this run"; break; }
  done
  t1=$(date +%s.%N); c1=$(cpu_ticks "${spids[@]}")
  sync
  local files inodes bytes trunkids
  files=$(wc -l < "$d/ids"); trunkids=$(awk -F/ '{n=$0; sub(/^[^\/]*\//, "", n); if (length(n) == 60) c++} END {print c+0}' "$d/ids")
  inodes=$(( $(df --output=iused "$d/s" | tail -1) - inodes0 )); bytes=$(( ($(du -sk "$d/s/data" | cut -f1) - bytes0) * 1024 ))
  shuf "$d/ids" > "$d/ids.rand"
  local rline; rline=$(fdfs_load "$d/client.conf" download "$THREADS" $((READS / THREADS)) "$SIZE" "$d/ids.rand" 2>&1 | tail -1)
  echo "$sys trunk=$trunk summary files=$files trunk_ids=$trunkids inodes_per_file=$(awk -v a=$inodes -v b=$files 'BEGIN{printf "%.3f", a/b}') bytes_per_file=$(awk -v a=$bytes -v b=$files 'BEGIN{printf "%.0f", a/b}') upload_ops_per_s=$(awk -v a=$files -v t0=$t0 -v t1=$t1 'BEGIN{printf "%.0f", a/(t1-t0)}') server_cpu_ms_per_upload=$(awk -v a=$c0 -v b=$c1 -v n=$files 'BEGIN{printf "%.3f", (b-a)*10/n}') :: reads $rline" | tee -a "$W/results"
  for p in "${spids[@]}"; do kill "$p" 2>/dev/null; done; sleep 2; for p in "${spids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$d"
}

for trunk in $TRUNK; do for sys in $SYSTEMS; do run "$sys" "$trunk"; done; done
echo "--- uploads/s per window of $WIN files ($SIZE bytes, $THREADS threads); last/first window ---"
for trunk in $TRUNK; do for sys in $SYSTEMS; do
  grep "^$sys trunk=$trunk window" "$W/results" | grep -o 'ops_per_s=[0-9.]*' | cut -d= -f2 \
    | awk -v s="$sys" -v t="$trunk" '{v[NR]=$1; row=row sprintf(" %6.0f", $1)} END{if (NR) printf "%-5s trunk %-3s %s   last/first %.2f\n", s, t, row, v[NR]/v[1]}'
done; done
echo "--- per file: inodes, disk bytes; upload ops/s over the whole run, server CPU ms per upload; random reads ---"
grep ' summary ' "$W/results" | sed 's/ :: reads / reads: /'
