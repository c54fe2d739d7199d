#!/usr/bin/env bash
# The side-by-side benchmark (../shared/bench/side-by-side.sh) with every server on a host of its own.
#   scripts/bench-hosts.sh [PROJECT_DIR]     env: ROUNDS=3 STORAGES=2 N4K=8000 N1M=400 T4K=16 T1M=8
#   WBASE=/mnt/tmpfs puts the work folder (both systems' data) there, to keep a noisy disk out of the figures.
# Why: the shared harness puts all addresses on one loopback, and stock refuses to sync to an address of its
# own host ("storage id: ... is myself, can't start sync thread!"), so its group of 2 never replicates there
# while fdfs's does. Here each tracker, storage and the client get a network namespace joined by one bridge
# (10.77.0.0/16; stock 10.77.91.x, fdfs 10.77.92.x, client 10.77.90.1): both groups replicate.
# Same client (fdfs_load), same confs, runs interleaved; prints the same table plus whether replicas landed.
set -u
if [ -z "${SBH_IN_NS:-}" ]; then
  tag=h$$; NSS=()
  ip netns add "$tag-br"; ip -n "$tag-br" link add br0 type bridge; ip -n "$tag-br" link set br0 up
  host() { # name ip
    local ns=$tag-$1; ip netns add "$ns"; NSS+=("$ns"); ip -n "$ns" link set lo up
    ip link add "v$1$$" type veth peer name eth0 netns "$ns"
    ip link set "v$1$$" netns "$tag-br"; ip -n "$tag-br" link set "v$1$$" master br0 up
    ip -n "$ns" addr add "$2/16" dev eth0; ip -n "$ns" link set eth0 up
  }
  host c 10.77.90.1
  for s in 1 2; do for i in 1 2 3 4; do host "$s$i" "10.77.9$s.$i"; done; done
  SBH_IN_NS=$tag ip netns exec "$tag-c" bash "$0" "$@"; rc=$?
  for ns in "${NSS[@]}"; do ip netns del "$ns"; done; ip netns del "$tag-br"; exit $rc
fi
PROJ=$(readlink -f "${1:-.}")
ROUNDS=${ROUNDS:-3}; STORAGES=${STORAGES:-2}
N4K=${N4K:-8000}; N1M=${N1M:-400}; T4K=${T4K:-16}; T1M=${T1M:-8}
W=$(mktemp -d "${WBASE:-/tmp}/sbh.XXXXXX"); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; sleep 0.5; for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$W"; }
trap cleanup EXIT
on() { local ns=$SBH_IN_NS-$1; shift; ip netns exec "$ns" "$@"; }   # run on host 11..24
wait_port() { local i; for i in $(seq 1 150); do (exec 3<>/dev/tcp/$1/$2) 2>/dev/null && return 0; sleep 0.1; done; return 1; }
cpu_s() { local s=0 p; for p in "$@"; do [[ $p =~ ^[0-9]+$ ]] && [ -r /proc/$p/stat ] && s=$((s + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo "$s"; }
# fdfs serves with worker processes: count the whole tree, as /proc's per-process figures leave children out.
tree() { local p; for p in "$@"; do echo "$p"; pgrep -P "$p"; done; }
pidfile() { local i; for i in $(seq 1 100); do [ -s "$1" ] && { head -1 "$1" | tr -dc 0-9; return; }; sleep 0.1; done; }

start_cluster() { # sys(stock|fdfs) n(1|2)
  local sys=$1 n=$2 net=10.77.9$2 d=$W/$1.$RANDOM i
  mkdir -p "$d/t"
  cat > "$d/tracker.conf" <<C
bind_addr = $net.1
port = 22122
base_path = $d/t
reserved_storage_space = 1%
store_lookup = 0
download_server = 0
work_threads = 4
http.server_port = 0
C
  SPIDS=()
  if [ "$sys" = stock ]; then on "${n}1" fdfs_trackerd "$d/tracker.conf" >/dev/null 2>&1; SPIDS+=("$(pidfile "$d/t/data/fdfs_trackerd.pid")")
  else FDFS_LOG_LEVEL=warn ip netns exec "$SBH_IN_NS-${n}1" node "$PROJ/bin/run.js" serve --role tracker --config "$d/tracker.conf" > "$d/t.log" 2>&1 & SPIDS+=($!); fi
  wait_port $net.1 22122 || { echo "tracker $sys did not start"; exit 1; }
  for i in $(seq 1 "$STORAGES"); do
    mkdir -p "$d/s$i"
    cat > "$d/s$i.conf" <<C
group_name = group1
bind_addr = $net.$((i+1))
port = 23000
base_path = $d/s$i
store_path0 = $d/s$i
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
    if [ "$sys" = stock ]; then on "$n$((i+1))" fdfs_storaged "$d/s$i.conf" >/dev/null 2>&1; SPIDS+=("$(pidfile "$d/s$i/data/fdfs_storaged.pid")")
    else FDFS_LOG_LEVEL=warn ip netns exec "$SBH_IN_NS-$n$((i+1))" node "$PROJ/bin/run.js" serve --role storage --config "$d/s$i.conf" > "$d/s$i.log" 2>&1 & SPIDS+=($!); fi
    wait_port $net.$((i+1)) 23000 || { echo "storage $sys $i did not start"; exit 1; }
  done
  PIDS+=("${SPIDS[@]}")
  printf 'base_path = %s\nconnect_timeout = 5\nnetwork_timeout = 60\ntracker_server = %s:22122\nuse_connection_pool = true\n' "$d" "$net.1" > "$d/client.conf"
  CC=$d/client.conf; D=$d
  echo x > "$d/probe"; for i in $(seq 1 80); do fdfs_upload_file "$CC" "$d/probe" >/dev/null 2>&1 && break; sleep 0.25; done
  for i in $(seq 1 80); do [ "$(fdfs_monitor "$CC" 2>/dev/null | grep -c 'ACTIVE')" -ge "$STORAGES" ] && break; sleep 0.25; done
}
stop_cluster() { local p; for p in "${SPIDS[@]}"; do kill "$p" 2>/dev/null; done; sleep 1; for p in "${SPIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; }

# Files of the 4 KiB set present on the last storage a few seconds after the runs: did the group replicate?
replicas() { local last=$D/s$STORAGES/data n=0 id; sleep "${SETTLE:-3}"
  while read -r id; do [ -e "$last/${id#*/M00/}" ] && n=$((n + 1)); done < "$D/ids.4k"; echo "$n/$(wc -l < "$D/ids.4k")"; }

measure() { # sys round
  local sys=$1 r=$2 n; [ "$sys" = stock ] && n=1 || n=2
  start_cluster "$sys" "$n"
  local c0 c1 line
  for spec in "upload $T4K $((N4K / T4K)) 4096 4k" "download $T4K $((N4K / T4K)) 4096 4k" "upload $T1M $((N1M / T1M)) 1048576 1m" "download $T1M $((N1M / T1M)) 1048576 1m"; do
    set -- $spec
    c0=$(cpu_s $(tree "${SPIDS[@]}"))
    line=$(fdfs_load "$CC" "$1" "$2" "$3" "$4" "$D/ids.$5" 2>&1 | tail -1)
    c1=$(cpu_s $(tree "${SPIDS[@]}"))
    echo "$sys r$r $1 $5 :: $line :: server_cpu_s=$(awk -v a=$c0 -v b=$c1 'BEGIN{printf "%.2f",(b-a)/100}')" | tee -a "$W/results"
  done
  [ "$STORAGES" -gt 1 ] && echo "$sys r$r 4 KiB files on storage $STORAGES: $(replicas)"
  stop_cluster
  # Each round's files go: on tmpfs, six rounds' (about 5 GB) filled memory and slowed the later rounds' writes.
  rm -rf "$D"
}
for r in $(seq 1 "$ROUNDS"); do measure stock "$r"; measure fdfs "$r"; done
echo "--- medians over $ROUNDS rounds, $STORAGES storage(s), one host each: ops/s, server CPU ms per op (tracker + storages, worker processes included) ---"
med() { grep "^$1 .* $2 ::" "$W/results" | grep -o "$3=[0-9.]*" | cut -d= -f2 | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
for op in "upload 4k" "download 4k" "upload 1m" "download 1m"; do
  s=$(med stock "$op" ops_per_s); f=$(med fdfs "$op" ops_per_s)
  n=$(grep "^stock .* $op ::" "$W/results" | head -1 | grep -o 'ops=[0-9]*' | cut -d= -f2)
  sc=$(med stock "$op" server_cpu_s); fc=$(med fdfs "$op" server_cpu_s)
  awk -v o="$op" -v s="$s" -v f="$f" -v n="$n" -v sc="$sc" -v fc="$fc" 'BEGIN{printf "%-12s stock %8.0f  fdfs %8.0f  ratio %.2f   cpu ms/op stock %.3f fdfs %.3f (x%.1f)\n", o, s, f, (s>0?f/s:0), sc*1000/n, fc*1000/n, (sc>0?fc/sc:0)}'
done
