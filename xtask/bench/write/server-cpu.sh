#!/usr/bin/env bash
# The server CPU one pgbench client's transactions cost (docs/benchmarks.md, "The write path"):
# runs SCRIPT N times on one connection and reads its backend's utime + stime from
# /proc/PID/stat (so it must run on the database's machine, as a user who may read it), then
# prints milliseconds per transaction. Usage: server-cpu.sh DB SCRIPT N
# (service.sql on a provisioned database; plain.sql on the plain schema bench_write.rs creates).
# Connects as PGUSER (default postgres) to PGHOST (default 127.0.0.1).
set -euo pipefail
db=$1 script=$2 n=$3
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
agent=$(psql -X -d "$db" -Atc "SELECT id FROM users WHERE username = 'kyc-agent'" 2>/dev/null || true)
out=$(mktemp)
pgbench -n -M prepared -c 1 -t "$n" -D agent="${agent:-none}" -f "$script" "$db" >"$out" 2>&1 &
bench=$!
pid=""
for _ in $(seq 100); do
  pid=$(psql -X -d postgres -Atc "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgbench' AND datname = '$db' LIMIT 1")
  [[ -n "$pid" ]] && break
  sleep 0.02
done
ticks=0
while kill -0 "$bench" 2>/dev/null; do
  t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true)
  [[ -n "$t" ]] && ticks=$t
  sleep 0.05
done
wait "$bench" || { cat "$out"; exit 1; }
hz=$(getconf CLK_TCK)
echo "$(awk -v t="$ticks" -v hz="$hz" -v n="$n" 'BEGIN { printf "%.3f", t * 1000 / hz / n }') ms of server CPU per transaction; $(grep -o 'tps = [0-9.]*' "$out")"
rm -f "$out"
