#!/usr/bin/env bash
# ProductCatalog benchmark harness (issue #6). Starts its own PostgreSQL, migrates, generates a
# catalog, runs the API (Release, Production) and the raw baseline (bench/Baseline) side by
# side on loopback, drives both with wrk and writes a Markdown + JSON report.
# The API runs as deployed (read cache on) and, for the reads, also with the cache forced off
# ("uncached"); a second cache-on replica serves reads while the first takes writes, to measure
# the invalidation lag under write load (bench/lag.py), and a hot set of products read at
# random gives the cache hit ratio.
# The write scenarios (POST create, batch import) run on the API as deployed (change events on,
# published by the relay to a local RabbitMQ node) and on the same build with
# Catalog__Events__Enabled=false, alternating rounds; the outbox lag (age of the oldest event the
# broker has not confirmed) is sampled while the events-on API takes the writes.
#
#   bench/run.sh                     100 000 products, 20 s per scenario (3 s warm-up), 2 rounds
#   bench/run.sh --quick             100 000 products, 6 s per scenario (2 s warm-up): ~2.5 minutes
#   bench/run.sh --products 1000000  the scale run: 100 000 and 1 000 000, one after the other
#   bench/run.sh --products 10000000 --duration 8 --update
#                                    the 10 M run: 100 k, 1 M and 10 M side by side (committed as
#                                    bench/results/full-10m.md; about 45 minutes)
#   bench/run.sh --quick --update    the same, replacing the committed report in bench/results/
#
# Reports go to bench/results/latest/<quick|full>-<size>.md and .json (not committed), so a run
# never overwrites the committed reports in bench/results/ unless --update (or --out DIR) says so.
# Options: --products N, --duration S, --warmup S, --connections C (reads), --search-connections C
#          (the search and facet shapes past the first, 16 as the targets say), --write-connections C,
#          --batch-connections C, --depth-page P, --rounds R, --out DIR, --update, --keep (leave the
#          temp dir), --only "get-by-id search ..." (a subset of the scenarios, for comparisons;
#          "relay" is the relay's CPU per event, 200 000 copied events published with no requests).
# Sizes: --products N measures every size of 100 000, 1 000 000 and 10 000 000 below N and then N,
#          each from a fresh database (generated, indexes built after the load), and reports them
#          side by side; --single measures N alone.
# Environment: BENCH_TOKEN (a bearer token to use instead of minting one), BENCH_API_ENV (extra
#          "KEY=VALUE ..." for the API, e.g. "DOTNET_gcServer=0" to compare settings), BENCH_PG_ARGS
#          (extra server options, e.g. "-c shared_preload_libraries=pg_stat_statements" to see where
#          PostgreSQL's time goes; the database is kept with --keep), BENCH_RELAY_GROUPS (how many
#          1 000-event groups the relay scenario publishes, 200 unless set).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bench="$root/bench"

products=100000
duration=20
warmup=3
rounds=2
connections=32
search_connections=16
write_connections=16
batch_connections=2
batch_size=1000
depth_page=10000
out="$bench/results/latest"
mode=full
keep=0
only=""
single=0
build=1
args="$*"
# The arguments a size's own run gets again (the driver below), less those it sets itself.
passthrough=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick; duration=6; warmup=2; passthrough+=("$1") ;;
    --products) products="$2"; shift ;;
    --single) single=1 ;;
    --no-build) build=0 ;;
    --duration) duration="$2"; passthrough+=("$1" "$2"); shift ;;
    --warmup) warmup="$2"; passthrough+=("$1" "$2"); shift ;;
    --rounds) rounds="$2"; passthrough+=("$1" "$2"); shift ;;
    --connections) connections="$2"; passthrough+=("$1" "$2"); shift ;;
    --write-connections) write_connections="$2"; passthrough+=("$1" "$2"); shift ;;
    --search-connections) search_connections="$2"; passthrough+=("$1" "$2"); shift ;;
    --batch-connections) batch_connections="$2"; passthrough+=("$1" "$2"); shift ;;
    --depth-page) depth_page="$2"; passthrough+=("$1" "$2"); shift ;;
    --out) out="$2"; shift ;;
    --update) out="$bench/results" ;;
    --only) only="$2"; passthrough+=("$1" "$2"); shift ;;
    --keep) keep=1; passthrough+=("$1") ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1 (see bench/run.sh --help)" >&2; exit 2 ;;
  esac
  shift
done

started=$(date +%s)
log() { printf '[bench %3ss] %s\n' "$(($(date +%s) - started))" "$*" >&2; }

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pg_bin/initdb" ] || { echo "bench: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench: wrk not found (apt-get install wrk)" >&2; exit 1; }
# Without RabbitMQ the events-on API still records every event, but nothing publishes them: the
# write comparison then leaves the relay out and the outbox lag is not measured.
rmq_server=/usr/lib/rabbitmq/bin/rabbitmq-server

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
size_label() { [ $(($1 % 1000000)) = 0 ] && echo "$(($1 / 1000000))m" || echo "$(($1 / 1000))k"; }
build_all() {
  log "building the API, the migration worker and the baseline (Release)"
  local build_log
  build_log=$(mktemp)
  for project in ProductCatalog.Api ProductCatalog.MigrationService bench/Baseline; do
    dotnet build "$project" -c Release -nologo -v q -clp:ErrorsOnly >"$build_log" 2>&1 || { cat "$build_log" >&2; exit 1; }
  done
  rm -f "$build_log"
}

# Several sizes: one run of this script per size, each on a fresh database and fresh processes (so a
# size's cache, plans and statistics are its own), then one report with the sizes side by side.
sizes=()
for size in 100000 1000000 10000000; do [ "$size" -lt "$products" ] && sizes+=("$size"); done
sizes+=("$products")
if [ "$single" = 0 ] && [ "${#sizes[@]}" -gt 1 ]; then
  build_all
  parts=$(mktemp -d /tmp/productcatalog-bench-sizes.XXXXXX)
  for size in "${sizes[@]}"; do
    log "size $size: bench/run.sh --single --products $size ${passthrough[*]}"
    "$0" "${passthrough[@]}" --single --no-build --products "$size" --out "$parts"
  done
  mkdir -p "$out"
  label="$mode-$(size_label "$products")"
  python3 "$bench/report.py" compare --out "$out" --mode "$label" --command "bench/run.sh${args:+ $args}" \
    --elapsed "$(($(date +%s) - started))" $(for size in "${sizes[@]}"; do echo "$parts/$mode-$(size_label "$size").json"; done)
  log "report: $out/$label.md and $out/$label.json ($(($(date +%s) - started)) s in all; the sizes' own reports are in $parts)"
  exit 0
fi

tmp=$(mktemp -d /tmp/productcatalog-bench.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${epmd_port:-}" ]; then epmd -port "$epmd_port" -kill >/dev/null 2>&1 || true; fi
  if [ -f "$tmp/pgdata/postmaster.pid" ]; then as_pg "$pg_bin/pg_ctl" -D "$tmp/pgdata" -m immediate stop >/dev/null 2>&1 || true; fi
  if [ "$keep" = 1 ]; then echo "bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
  exit "$status"
}
trap cleanup EXIT INT TERM

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# setpriv, not runuser: it keeps the environment and replaces itself, so a kill reaches the server.
as_rabbitmq=()
if [ "$(id -u)" = 0 ]; then as_rabbitmq=(setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups --); fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { # url, seconds
  for _ in $(seq 1 $(($2 * 10))); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" = 200 ]; then return 0; fi
    sleep 0.1
  done
  echo "bench: $1 did not answer 200 within $2 s" >&2; return 1
}

# 1. Build (Release) ---------------------------------------------------------------------------
if [ "$build" = 1 ]; then build_all; fi

# 2. PostgreSQL ---------------------------------------------------------------------------------
pg_port=$(free_port)
log "starting PostgreSQL ($pg_bin) on 127.0.0.1:$pg_port"
if [ "$(id -u)" = 0 ]; then chown postgres "$tmp"; fi
as_pg "$pg_bin/initdb" -D "$tmp/pgdata" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }
as_pg "$pg_bin/pg_ctl" -D "$tmp/pgdata" -l "$tmp/postgres.log" -w -t 60 start -o \
  "-c listen_addresses=127.0.0.1 -p $pg_port -k $tmp -c max_connections=200 -c shared_buffers=512MB -c work_mem=16MB -c maintenance_work_mem=256MB -c max_wal_size=4GB -c checkpoint_timeout=30min ${BENCH_PG_ARGS:-}" >/dev/null
# The server's own psql binary: Debian's psql on PATH is a Perl wrapper that costs ~25 ms of CPU a call.
psql_() { "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }
psql_ -d postgres -c "CREATE DATABASE catalogdb"
conn="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=catalogdb"

# 2b. RabbitMQ: the relay's broker, a plain process with its own node name, ports and folders (as
# the AppHost's local node), the default guest user (loopback only), no plugins.
messaging=""
amqp_port=""
if [ -x "$rmq_server" ]; then
  amqp_port=$(free_port)
  epmd_port=$(free_port)
  rmq="$tmp/rabbitmq"
  mkdir -p "$rmq/home" "$rmq/mnesia" "$rmq/log"
  echo '[].' >"$rmq/enabled_plugins"
  : >"$rmq/rabbitmq.conf"
  if [ "$(id -u)" = 0 ]; then chown -R rabbitmq "$rmq"; fi
  log "starting RabbitMQ on 127.0.0.1:$amqp_port"
  (
    exec env HOME="$rmq/home" RABBITMQ_NODENAME="bench-$$@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
      RABBITMQ_NODE_PORT="$amqp_port" RABBITMQ_DIST_PORT="$(free_port)" ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$epmd_port" \
      RABBITMQ_MNESIA_BASE="$rmq/mnesia" RABBITMQ_LOG_BASE="$rmq/log" RABBITMQ_LOGS=- \
      RABBITMQ_ENABLED_PLUGINS_FILE="$rmq/enabled_plugins" RABBITMQ_CONFIG_FILE="$rmq/rabbitmq.conf" \
      RABBITMQ_ADVANCED_CONFIG_FILE="$rmq/advanced.config" RABBITMQ_CONF_ENV_FILE="$rmq/rabbitmq-env.conf" \
      "${as_rabbitmq[@]}" "$rmq_server"
  ) >"$tmp/rabbitmq.log" 2>&1 &
  pids+=("$!")
  messaging="amqp://guest:guest@127.0.0.1:$amqp_port"
else
  log "RabbitMQ not found (apt-get install rabbitmq-server): events are recorded but not published, the outbox lag is not measured"
fi

# 3. Schema and data ----------------------------------------------------------------------------
log "migrating (ProductCatalog.MigrationService)"
(cd ProductCatalog.MigrationService/bin/Release/net10.0 && ConnectionStrings__catalogdb="$conn" Catalog__SeedSampleData=false \
  DOTNET_ENVIRONMENT=Production dotnet ProductCatalog.MigrationService.dll >"$tmp/migrate.log" 2>&1) || { cat "$tmp/migrate.log" >&2; exit 1; }
log "generating $products products in 50 categories"
seed_start=$(date +%s.%N)
psql_ -d catalogdb -v products="$products" -f "$bench/seed.sql" >"$tmp/seed.out"
seed_seconds=$(python3 -c "print(round($(date +%s.%N) - $seed_start, 1))")
read -r _ load_seconds index_seconds < <(grep '^seed-timing ' "$tmp/seed.out")
log "generated in $seed_seconds s: rows $load_seconds s, indexes built after the load $index_seconds s, the rest VACUUM ANALYZE"
# What the data takes on disk, index by index.
psql_ -d catalogdb -At -c "SELECT json_build_object(
    'database_bytes', pg_database_size(current_database()),
    'products_heap_bytes', pg_relation_size('products'), 'products_total_bytes', pg_total_relation_size('products'),
    'indexes', (SELECT json_object_agg(indexrelname, pg_relation_size(indexrelid)) FROM pg_stat_user_indexes WHERE relname = 'products'))" >"$tmp/size.json"
# The search scenarios' query shapes: a common word of the generated names and descriptions, a rare
# one (the series word of one product), two words, a prefix typed so far, a typo (no word matches it).
rare_word=$(psql_ -d catalogdb -At -c "SELECT substring(description FROM 'series ([a-z]+)') FROM products WHERE sku = 'BENCH-' || lpad('$((products / 2))', 8, '0')")
declare -A search_q=([search]=meadow [search-rare]="$rare_word" [search-two]="meadow cobalt" [search-prefix]="meadow cob" [search-typo]=cobtal)
# How many products each shape matches by plain full text (the typo: none, so the API falls back).
python3 - "${search_q[search]}" "${search_q[search-rare]}" "${search_q[search-two]}" "${search_q[search-prefix]}" "${search_q[search-typo]}" <<'PY2' >"$tmp/shapes.sql"
import json, sys
names = ["search", "search-rare", "search-two", "search-prefix", "search-typo"]
parts = []
for name, q in zip(names, sys.argv[1:]):
    words = q.split()
    # The prefix shape as the API reads it: every word but the last exactly, the last as a prefix.
    tsq = (f"websearch_to_tsquery('english', '{' '.join(words[:-1])}') && to_tsquery('english', '{words[-1]}:*')"
           if name == "search-prefix" else f"websearch_to_tsquery('english', '{q}')")
    parts.append(f"'{name}', json_build_object('q', '{q}', 'matches', (SELECT count(*) FROM products WHERE search_vector @@ ({tsq})))")
print("SELECT json_build_object(" + ", ".join(parts) + ");")
PY2
psql_ -d catalogdb -At -f "$tmp/shapes.sql" >"$tmp/shapes.json"
log "search shapes: $(cat "$tmp/shapes.json")"
# The hot set: tens of thousands of products, read at random (the read cache's working set).
hot_set=$(( products < 50000 ? products : 50000 ))
psql_ -d catalogdb -At -c "SELECT id FROM products ORDER BY random() LIMIT $hot_set" >"$tmp/ids.txt"
psql_ -d catalogdb -At -c "SELECT lower(sku) FROM products ORDER BY random() LIMIT 20000" >"$tmp/skus.txt"

# 4. The API and the baseline ---------------------------------------------------------------------
api_port=$(free_port)
base_port=$(free_port)
signing_key=$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(36)).decode())')
log "starting the API on 127.0.0.1:$api_port and the baseline on 127.0.0.1:$base_port"
# Every API process: Release, Production, the bench database and broker, limits out of the way;
# glibc's malloc arenas capped as the container image caps them (ProductCatalog.Api.csproj).
start_api() { # port log extra-env...
  local port=$1 logfile=$2
  shift 2
  (
    cd ProductCatalog.Api/bin/Release/net10.0
    # shellcheck disable=SC2086
    exec env ASPNETCORE_URLS="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production \
      ConnectionStrings__catalogdb="$conn" Catalog__Auth__SigningKey="$signing_key" \
      Catalog__RateLimit__Burst=100000000 Catalog__RateLimit__PerSecond=100000000 \
      Catalog__CursorSigningKey="bench-cursor-key-shared" Logging__LogLevel__Default=Warning \
      MALLOC_ARENA_MAX=2 ConnectionStrings__messaging="$messaging" ${BENCH_API_ENV:-} "$@" dotnet ProductCatalog.Api.dll >"$logfile" 2>&1
  ) &
}
start_api "$api_port" "$tmp/api.log"
api_pid=$!
pids+=("$api_pid")
# Up before the others, so its relay takes the publisher lock: the relay's CPU then counts in the
# api target's CPU µs/req (checked below).
wait_http "http://127.0.0.1:$api_port/health" 60 || { cat "$tmp/api.log" >&2; exit 1; }
# The same API with the read cache forced off (the uncached path), and a second cache-on
# replica (reads there while the first takes writes: the invalidation lag).
uncached_port=$(free_port)
start_api "$uncached_port" "$tmp/api-uncached.log" Catalog__ReadCache__Enabled=false
uncached_pid=$!
pids+=("$uncached_pid")
replica_port=$(free_port)
start_api "$replica_port" "$tmp/api-replica.log"
replica_pid=$!
pids+=("$replica_pid")
# The same API with change events off: the write scenarios' comparison.
eventsoff_port=$(free_port)
start_api "$eventsoff_port" "$tmp/api-eventsoff.log" Catalog__Events__Enabled=false
eventsoff_pid=$!
pids+=("$eventsoff_pid")
(
  cd bench/Baseline/bin/Release/net10.0
  exec env ASPNETCORE_URLS="http://127.0.0.1:$base_port" ASPNETCORE_ENVIRONMENT=Production \
    ConnectionStrings__catalogdb="$conn;Maximum Pool Size=32" \
    dotnet Baseline.dll >"$tmp/baseline.log" 2>&1
) &
base_pid=$!
pids+=("$base_pid")
wait_http "http://127.0.0.1:$api_port/health" 60 || { cat "$tmp/api.log" >&2; exit 1; }
wait_http "http://127.0.0.1:$base_port/api/v1/products" 60 || { cat "$tmp/baseline.log" >&2; exit 1; }
wait_http "http://127.0.0.1:$uncached_port/health" 60 || { cat "$tmp/api-uncached.log" >&2; exit 1; }
wait_http "http://127.0.0.1:$replica_port/health" 60 || { cat "$tmp/api-replica.log" >&2; exit 1; }
wait_http "http://127.0.0.1:$eventsoff_port/health" 60 || { cat "$tmp/api-eventsoff.log" >&2; exit 1; }
if [ -n "$amqp_port" ]; then
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$amqp_port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  (exec 3<>"/dev/tcp/127.0.0.1/$amqp_port") 2>/dev/null || { cat "$tmp/rabbitmq.log" >&2; echo "bench: RabbitMQ did not listen within 60 s" >&2; exit 1; }
  # The Erlang VM that is the broker (its CPU is the broker's share of a write scenario).
  mq_pid=$(pgrep -f "beam.smp.*$tmp/rabbitmq" | head -1 || true)
fi
# Which process publishes: the holder of the relay's advisory lock, by its connection's client port.
relay_port=$(psql_ -d catalogdb -At -c "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted LIMIT 1")
relay_pid=$(ss -Htnp "sport = :${relay_port:-0}" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
if [ -z "$messaging" ]; then relay_note="nowhere (no RabbitMQ on this machine)"
elif [ "${relay_pid:-}" = "$api_pid" ]; then relay_note="the api target (its CPU counts in the api's CPU µs/req)"; else relay_note="another API process (pid ${relay_pid:-unknown}; the api target's CPU µs/req leaves the relay out)"; fi
log "the relay publishes from $relay_note"

# Peak memory: the kernel's high-water mark of the API's resident set, plus samples under load.
rss_log="$tmp/rss.log"
# Each sample is "seconds-since-start kB anon-kB file-kB shmem-kB", the same clock as the log lines,
# to tell which phase peaked and what the peak was made of (anonymous: the GC heap and the runtime's
# own; file: the mapped assemblies; shared: the runtime's executable memory, JIT code and stubs,
# which write-xor-execute keeps in a shared mapping: counted once, it is anonymous with W^X off).
( while kill -0 "$api_pid" 2>/dev/null; do awk -v t="$SECONDS" '/^VmRSS/ {r = $2} /^RssAnon/ {a = $2} /^RssFile/ {f = $2} /^RssShmem/ {m = $2} END {print t, r, a, f, m}' "/proc/$api_pid/status" 2>/dev/null >>"$rss_log" || true; sleep 0.25; done ) &
pids+=("$!")

# 5. A write token ------------------------------------------------------------------------------
token="${BENCH_TOKEN:-}"
auth_note="token from BENCH_TOKEN"
if [ -z "$token" ]; then
  auth_note="none needed (the API accepted an unauthenticated write)"
  probe_body='{"sku":"BENCH-PROBE-0","name":"probe","price":1}'
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$probe_body" "http://127.0.0.1:$api_port/api/v1/products")
  if [ "$code" = 401 ] || [ "$code" = 403 ]; then
    for encoding in base64 utf8; do
      candidate=$(python3 "$bench/mint_token.py" "$signing_key" "$encoding")
      code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H "Authorization: Bearer $candidate" \
        -d "${probe_body/PROBE-0/PROBE-$encoding}" "http://127.0.0.1:$api_port/api/v1/products")
      if [ "$code" = 201 ]; then token=$candidate; auth_note="HS256 JWT minted by bench/mint_token.py (key read as $encoding)"; break; fi
    done
    [ -n "$token" ] || { echo "bench: writes answer $code even with a minted token" >&2; exit 1; }
  elif [ "$code" != 201 ]; then
    echo "bench: the probe write answered $code" >&2; exit 1
  fi
fi
log "writes: $auth_note"

# 6. The cursor for the deep page, by walking the API's own cursors --------------------------
max_page=$((products / 20 - 1))
[ "$depth_page" -le "$max_page" ] || depth_page=$max_page
log "walking to page $depth_page (rows $(( (depth_page - 1) * 20 + 1 ))..) through the API's cursors"
python3 "$bench/walk_cursor.py" "http://127.0.0.1:$api_port" "$(( (depth_page - 1) * 20 ))" >"$tmp/depth.json"
depth_cursor=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cursor"])' "$tmp/depth.json")
depth_after=$(python3 -c 'import json,sys,urllib.parse as u; d=json.load(open(sys.argv[1])); print("afterName="+u.quote(d["lastName"])+"&afterId="+d["lastId"])' "$tmp/depth.json")
search_term=meadow

# The API as deployed has served its hot set for hours: read every product of it once, so the
# GET scenarios and the hit ratio measure a warm cache. wrk stops sending after one pass but runs
# out its duration.
# (Skipped when --only leaves out every scenario that reads by id.)
if [ -z "$only" ] || [[ " $only " == *" get-by-id "* ]] || [[ " $only " == *" get-by-sku "* ]] || [[ " $only " == *" cache "* ]]; then
  log "reading each of the $hot_set hot-set products once (warms the read cache)"
  env SCENARIO=get-id-once KEYS_FILE="$tmp/ids.txt" RUN_ID=warm wrk -t1 -c"$connections" -d"$((duration * 3))s" --timeout 10s \
    -s "$bench/wrk/scenario.lua" "http://127.0.0.1:$api_port" >/dev/null
fi

# 7. Scenarios ----------------------------------------------------------------------------------
results="$tmp/results.jsonl"
: >"$results"
run_id="$(date +%H%M%S)$RANDOM"
: >"$tmp/rounds.jsonl"
round_seconds=$(( (duration + rounds - 1) / rounds ))
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# PostgreSQL's CPU: the postmaster, its live backends, and the backends it has reaped (cutime/cstime).
# A backend that exited but is not reaped yet (a zombie) reports no CPU, and its CPU is not in
# cutime either: that made the figure negative now and then, so wait (briefly) until it is reaped.
# A backend reaped while its siblings are read is in neither list (it was read after the postmaster's
# cutime and had gone when its own turn came): a whole busy connection's CPU went missing, and a
# scenario's figure came out negative (-68 778 us per batch). So the reading is taken again (up to 20
# times) until the postmaster's cutime did not move across it and every listed backend could be read.
# Checked by reading it in a loop while pgbench -C ended a busy connection every 0.2 s: 12 of 124
# readings of the old way went down, none of 68 of this one.
pg_ticks() {
  local pm reaped again own live
  pm=$(head -1 "$tmp/pgdata/postmaster.pid")
  for _ in $(seq 1 20); do
    for _ in $(seq 1 50); do
      if ! pgrep -P "$pm" -r Z >/dev/null; then break; fi
      sleep 0.02
    done
    reaped=$(awk '{print $16 + $17}' "/proc/$pm/stat")
    live=$(for child in $(pgrep -P "$pm"); do t=$(sed 's/.*) //' "/proc/$child/stat" 2>/dev/null | awk '{print $12 + $13}' || true); echo "${t:-gone}"; done)
    read -r own again < <(awk '{print $14 + $15, $16 + $17}' "/proc/$pm/stat")
    if [ "$reaped" = "$again" ] && ! grep -qx gone <<<"$live"; then break; fi
  done
  printf '%s\n%s\n%s\n' "$own" "$again" "$live" | awk '$1 != "gone" {s += $1} END {print s + 0}'
}
mq_ticks() { if [ -n "${mq_pid:-}" ] && [ -r "/proc/$mq_pid/stat" ]; then cpu_ticks "$mq_pid"; else echo 0; fi; }
# Waiting for a CPU, to tell a latency tail that is queueing on the 2 cores from one inside a process:
# the kernel's CPU pressure (PSI: µs during which at least one runnable task waited; 0 without
# /proc/pressure) and the run-queue wait (ns) of PostgreSQL's live processes (their schedstat; a
# backend that exits takes its own with it, so that figure can only fall short).
cpu_some_us() { awk '/^some/ {split($5, a, "="); print a[2]; found = 1} END {if (!found) print 0}' /proc/pressure/cpu 2>/dev/null || echo 0; }
pg_wait_ns() {
  local pm
  pm=$(head -1 "$tmp/pgdata/postmaster.pid")
  # A backend gone between the listing and its reading is skipped (cat goes on past a missing file).
  { echo "$pm"; pgrep -P "$pm" || true; } | sed 's|.*|/proc/&/schedstat|' | { xargs cat 2>/dev/null || true; } | awk '{s += $2} END {printf "%.0f\n", s}'
}
# The outbox lag as the relay's gauge defines it: seconds since the oldest event the broker has not
# confirmed was written (0 when drained), and how many there are; every 0.5 s until killed.
# (The outbox keeps a row per write: a group partly published counts only its unpublished events.)
outbox_lag_sql="SELECT round(coalesce(extract(epoch FROM clock_timestamp() - min(time)), 0)::numeric, 3),
    coalesce(sum(CASE WHEN last_position IS NULL OR first_position > f.published_through THEN count ELSE last_position - f.published_through END), 0)
  FROM catalog_event_groups, (SELECT published_through FROM catalog_event_feed WHERE id = 1) AS f
  WHERE last_position IS NULL OR last_position > f.published_through"
# One psql session for the whole round (a process per sample cost the events-on round CPU the
# events-off round did not pay); it ends when the stop file appears and its input closes.
sample_outbox_lag() { # file stop-file
  while [ ! -e "$2" ]; do echo "$outbox_lag_sql;"; sleep 0.5; done | psql_ -d catalogdb -At -F ' ' >>"$1" 2>/dev/null || true
}
# CPU ticks of a .NET process's tiered-compilation threads (the JIT compiling hot methods again).
jit_ticks() { # pid
  local t sum=0
  for t in /proc/"$1"/task/*; do
    if grep -q '^\.NET Tiered' "$t/comm" 2>/dev/null; then
      sum=$((sum + $(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)))
    fi
  done
  echo "$sum"
}
# After the warm-ups, until no target's JIT used more than 20 ms in a second (at most 30 s): tier-1
# compilation goes on in the background after the load stops, and would otherwise land in the
# first measured round (1.4 s of JIT in the events-on API's first batch-import round, none in its second).
wait_jit_quiet() { # pid...
  local before after busy waited=0
  while [ "$waited" -lt 30 ]; do
    before=$(for p in "$@"; do jit_ticks "$p"; done | awk '{s += $1} END {print s + 0}')
    sleep 1
    waited=$((waited + 1))
    after=$(for p in "$@"; do jit_ticks "$p"; done | awk '{s += $1} END {print s + 0}')
    busy=$((after - before))
    if [ "$busy" -ge 0 ] && [ "$busy" -le 2 ]; then break; fi
  done
  echo "$waited"
}
# Statements a previous run left behind: wrk closes its connections at the end of a run, but a
# statement already sent keeps running (the baseline never cancels; at 10 M a common word's took
# 12 s), and would be counted as this run's PostgreSQL CPU and slow its requests. Each run waits
# for them (up to 60 s), then cancels what is left; statements under half a second (the relay's
# polls) do not count.
wait_db_quiet() {
  local waited=0 busy first=0
  while :; do
    busy=$(psql_ -d catalogdb -At -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'catalogdb' AND backend_type = 'client backend'
      AND state = 'active' AND pid <> pg_backend_pid() AND clock_timestamp() - query_start > interval '0.5 s'")
    [ "$busy" = 0 ] && break
    [ "$first" != 0 ] || first=$busy
    if [ "$waited" -ge 300 ]; then
      psql_ -d catalogdb -At -c "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE datname = 'catalogdb' AND backend_type = 'client backend'
        AND state = 'active' AND pid <> pg_backend_pid() AND clock_timestamp() - query_start > interval '0.5 s'" >/dev/null
      log "cancelled $busy statements still running after 60 s"
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  [ "$waited" = 0 ] || log "waited $((waited / 5)).$((waited % 5 * 2)) s for $first earlier statements to end"
}
# One wrk run against a target (api, uncached, eventsoff or baseline), with the CPU time the
# target's process spent; a scenario runs a warm-up, then $rounds rounds that alternate the targets'
# order round by round, so drifting load from other work on the machine hits all of them alike.
declare -A target_port=([api]=$api_port [uncached]=$uncached_port [eventsoff]=$eventsoff_port [baseline]=$base_port)
declare -A target_pid=([api]=$api_pid [uncached]=$uncached_pid [eventsoff]=$eventsoff_pid [baseline]=$base_pid)
wrk_once() { # target connections seconds kind keys path tag result
  local target=$1 c=$2 seconds=$3 kind=$4 keys=$5 path=$6 tag=$7 result=$8
  local threads=1 pid=${target_pid[$1]} port=${target_port[$1]}
  if [ "$c" -ge 64 ]; then threads=2; fi
  local before after line sampler="" stop="$tmp/stop-lag-sampler"
  if [ "$target" = api ] && [ -n "$messaging" ] && [ "$result" != /dev/null ] && { [ "$kind" = create ] || [ "$kind" = batch ]; }; then
    rm -f "$stop"
    sample_outbox_lag "$tmp/outbox-lag-$kind.txt" "$stop" &
    sampler=$!
  fi
  wait_db_quiet
  before=$(cpu_ticks "$pid")
  local pg_before mq_before some_before wait_before window_start
  pg_before=$(pg_ticks)
  mq_before=$(mq_ticks)
  window_start=${EPOCHREALTIME//[.,]/}
  some_before=$(cpu_some_us)
  wait_before=$(pg_wait_ns)
  line=$(env SCENARIO="$kind" KEYS_FILE="$keys" REQ_PATH="$path" RUN_ID="$run_id$tag" BEARER="$token" BATCH_SIZE="$batch_size" RESULT= \
    wrk -t"$threads" -c"$c" -d"${seconds}s" --timeout 10s -s "$bench/wrk/scenario.lua" "http://127.0.0.1:$port" | grep '^{')
  after=$(cpu_ticks "$pid")
  # The pressure is a share of the time between its two readings (wrk's own duration is shorter).
  local some_used=$(($(cpu_some_us) - some_before)) window_us=$((${EPOCHREALTIME//[.,]/} - window_start)) wait_used=$(($(pg_wait_ns) - wait_before))
  local pg_used=$(($(pg_ticks) - pg_before)) mq_used=$(($(mq_ticks) - mq_before))
  if [ -n "$sampler" ]; then touch "$stop"; wait "$sampler" 2>/dev/null || true; fi
  [ "$result" = /dev/null ] || echo "{\"cpu_ticks\":$((after - before)),\"pg_ticks\":$pg_used,\"mq_ticks\":$mq_used,\"cpu_some_us\":$some_used,\"cpu_window_us\":$window_us,\"pg_wait_ns\":$wait_used,${line#\{}" >>"$result"
}
scenario() { # name connections kind keys api-path baseline-path (baseline-path empty: API only)
  local name=$1 c=$2 kind=$3 keys=${4:-} path=${5:-} base_path=${6:-}
  if [ -n "$only" ] && [[ " $only " != *" $name "* ]]; then return 0; fi
  local targets=(api)
  if [ -n "$base_path" ] || { [ "$kind" != path ] && [ "$kind" != create ] && [ "$kind" != stock ] && [ "$kind" != batch ]; }; then targets=(api uncached baseline); fi
  if [ "$kind" = create ] || [ "$kind" = batch ]; then targets=(api eventsoff); fi
  # The first scenario also warms the JIT (tiered compilation, dynamic PGO): a longer warm-up. So
  # do the write scenarios: with events on, the relay, the CloudEvents SDK and the RabbitMQ client
  # are compiled then too (a profile of a 3 s warm-up showed a third of the API's CPU in the JIT).
  local warm=$warmup
  if [ "$name" = get-by-id ] || [ "$kind" = create ] || [ "$kind" = batch ]; then warm=$((warmup * 3)); fi
  local target_path=()
  for target in "${targets[@]}"; do
    if [ "$target" = baseline ]; then target_path+=("$base_path"); else target_path+=("$path"); fi
  done
  for i in "${!targets[@]}"; do
    wrk_once "${targets[$i]}" "$c" "$warm" "$kind" "$keys" "${target_path[$i]}" "${name//[^a-z]/}w${targets[$i]}" /dev/null
  done
  local quiet_pids=()
  for target in "${targets[@]}"; do quiet_pids+=("${target_pid[$target]}"); done
  log "$name: warmed up; JIT quiet after $(wait_jit_quiet "${quiet_pids[@]}") s"
  for round in $(seq 1 "$rounds"); do
    # Even rounds run the targets in reverse order.
    local order=("${!targets[@]}")
    if [ $((round % 2)) = 0 ]; then order=($(printf '%s\n' "${!targets[@]}" | tac)); fi
    for i in "${order[@]}"; do
      local target=${targets[$i]}
      wrk_once "$target" "$c" "$round_seconds" "$kind" "$keys" "${target_path[$i]}" "${name//[^a-z]/}r$round$target" "$tmp/rounds.jsonl"
      sed -i '$ s/^{/{"scenario":"'"$name"'","target":"'"$target"'","connections":'"$c"',"round":'"$round"',/' "$tmp/rounds.jsonl"
    done
  done
  for target in "${targets[@]}"; do
    python3 "$bench/report.py" merge "$tmp/rounds.jsonl" "$name" "$target" >>"$results"
    log "$(printf '%-13s %-8s c=%-3s ' "$name" "$target" "$c")$(python3 "$bench/report.py" line "$(tail -1 "$results")")"
  done
}

scenario get-by-id "$connections" get-id "$tmp/ids.txt"
scenario get-by-sku "$connections" get-sku "$tmp/skus.txt"
scenario list-first "$connections" path "" "/api/v1/products" "/api/v1/products"
scenario list-depth "$connections" path "" "/api/v1/products?cursor=$depth_cursor" "/api/v1/products?$depth_after"
scenario search "$search_connections" path "" "/api/v1/products?q=$search_term" "/api/v1/products?q=$search_term"
urlq() { python3 -c 'import sys, urllib.parse as u; print(u.quote(sys.argv[1]))' "$1"; }
for shape in search-rare search-two search-prefix search-typo; do
  scenario "$shape" "$search_connections" path "" "/api/v1/products?q=$(urlq "${search_q[$shape]}")"
done
scenario search-relevance "$search_connections" path "" "/api/v1/products?q=$search_term&sort=relevance"
scenario facets "$search_connections" path "" "/api/v1/products/facets"
scenario facets-search "$search_connections" path "" "/api/v1/products/facets?q=$search_term"
facet_category=$(psql_ -d catalogdb -At -c "SELECT min(id) + 7 FROM categories")
scenario facets-category "$search_connections" path "" "/api/v1/products/facets?categoryId=$facet_category"
scenario create "$write_connections" create
scenario stock-adjust "$write_connections" stock "$tmp/ids.txt"
scenario batch-import "$batch_connections" batch

# 7b. Change events: how long the relay takes to drain the outbox after the last write, and the
# events-on API recorded one catalog.product.created per product it created, the events-off one none.
events_json="$tmp/events.json"
# Events the broker has not confirmed yet, and a wait (seconds) until there are none.
outbox_pending() { psql_ -d catalogdb -At -F ' ' -c "$outbox_lag_sql" | awk '{print $2}'; }
wait_drained() { # seconds -> 0 when drained in time
  local i
  for i in $(seq 1 $(($1 * 10))); do [ "$(outbox_pending)" = 0 ] && return 0; sleep 0.1; done
  return 1
}
if [ -z "$only" ] || [[ " $only " == *" create "* ]] || [[ " $only " == *" batch-import "* ]]; then
  drain_start=$(date +%s.%N)
  drain_seconds=null
  if [ -n "$messaging" ] && wait_drained 60; then drain_seconds=$(python3 -c "print(round($(date +%s.%N) - $drain_start, 1))"); fi
  # The write scenarios' SKUs carry the target's name (scenario.lua's RUN_ID): ...API-... or ...EVENTSOFF-...
  psql_ -d catalogdb -At -F ' ' -c "
    WITH created AS (SELECT unnest(subjects) AS subject FROM catalog_event_groups WHERE type = 'catalog.product.created')
    SELECT (SELECT count(*) FROM products WHERE sku LIKE '%API-%'),
           (SELECT count(*) FROM products p JOIN created e ON e.subject = p.id::text WHERE p.sku LIKE '%API-%'),
           (SELECT count(*) FROM products WHERE sku LIKE '%EVENTSOFF-%'),
           (SELECT count(*) FROM products p JOIN created e ON e.subject = p.id::text WHERE p.sku LIKE '%EVENTSOFF-%')" >"$tmp/event-counts.txt"
  python3 - "$tmp" "$drain_seconds" "$relay_note" >"$events_json" <<'PY'
import json, os, sys
tmp, drain, relay = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
def lag(kind):
    path = os.path.join(tmp, f"outbox-lag-{kind}.txt")
    samples = [tuple(map(float, l.split())) for l in open(path) if l.strip()] if os.path.exists(path) else []
    if not samples:
        return None
    ages = sorted(a for a, _ in samples)
    pct = lambda q: ages[min(len(ages) - 1, int(q * len(ages)))]
    return {"samples": len(ages), "p50_s": pct(0.5), "p95_s": pct(0.95), "max_s": ages[-1], "max_pending": int(max(c for _, c in samples))}
on_products, on_events, off_products, off_events = map(int, open(os.path.join(tmp, "event-counts.txt")).read().split())
print(json.dumps({"relay": relay, "lag_create": lag("create"), "lag_batch": lag("batch"), "drain_s": drain,
                  "on_products": on_products, "on_events": on_events, "off_products": off_products, "off_events": off_events}))
PY
  log "events: $(cat "$events_json")"
else
  echo '{}' >"$events_json"
fi

# 7c. The relay's own CPU per published event: copies of the batch imports' 1 000-event groups go into
# the outbox by SQL while no request is served, and the events-on API (the relay's process) is timed
# until the broker has confirmed them all, less its idle CPU over as long. Writes' CPU per product
# mixes the relay with the request, the recording and whatever else shares the cores; this does not.
if [ -n "$messaging" ] && { [ -z "$only" ] || [[ " $only " == *" relay "* ]]; }; then
  relay_groups=${BENCH_RELAY_GROUPS:-200}
  if [ "$(psql_ -d catalogdb -At -c "SELECT count(*) FROM catalog_event_groups WHERE count = $batch_size")" = 0 ]; then
    # Without the batch-import scenario in this run: a warm-up of it makes the groups (and compiles the relay).
    wrk_once api "$batch_connections" $((warmup * 3)) batch "" "" relayw /dev/null
  fi
  wait_drained 120 || log "relay: the outbox did not drain within 120 s before the measurement"
  wait_jit_quiet "$api_pid" >/dev/null
  idle_seconds=3
  idle_before=$(cpu_ticks "$api_pid"); sleep "$idle_seconds"; idle_ticks=$(($(cpu_ticks "$api_pid") - idle_before))
  relay_events=$(psql_ -d catalogdb -At -c "
    INSERT INTO catalog_event_groups (count, type, source, time, traceparent, ids, subjects, data)
    SELECT count, type, source, clock_timestamp(), traceparent, ids, subjects, data
    FROM (SELECT * FROM catalog_event_groups WHERE count = $batch_size ORDER BY seq LIMIT $relay_groups) AS g
    CROSS JOIN generate_series(1, $relay_groups) LIMIT $relay_groups RETURNING count" | awk '{s += $1} END {print s + 0}')
  relay_start=$(date +%s.%N); api_before=$(cpu_ticks "$api_pid"); pg_before=$(pg_ticks); mq_before=$(mq_ticks)
  log "relay: publishing $relay_events copied events"
  if wait_drained 300; then
    relay_seconds=$(python3 -c "print(round($(date +%s.%N) - $relay_start, 2))")
    api_used=$(($(cpu_ticks "$api_pid") - api_before)); pg_used=$(($(pg_ticks) - pg_before)); mq_used=$(($(mq_ticks) - mq_before))
    python3 - "$events_json" "$relay_events" "$relay_seconds" "$api_used" "$idle_ticks" "$idle_seconds" "$pg_used" "$mq_used" "$(getconf CLK_TCK)" <<'PY'
import json, sys
path, events, seconds, api, idle, idle_s, pg, mq, hz = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), *map(int, sys.argv[4:6]), float(sys.argv[6]), *map(int, sys.argv[7:10])
us = lambda ticks: round(ticks * 1e6 / hz / events, 2)
d = json.load(open(path))
d["relay_drain"] = {"events": events, "seconds": seconds, "events_per_s": round(events / seconds),
                    "api_us_per_event": us(api - idle / idle_s * seconds), "api_idle_us_per_event": us(idle / idle_s * seconds),
                    "pg_us_per_event": us(pg), "mq_us_per_event": us(mq)}
json.dump(d, open(path, "w"))
PY
    log "relay: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["relay_drain"])' "$events_json")"
  else
    log "relay: $relay_events copied events not drained within 300 s; the relay's CPU is not reported"
  fi
fi

# 8. The read cache: hit ratio over the hot set, invalidation lag under write load -------------
cache_json="$tmp/cache.json"
if [ -z "$only" ] || [[ " $only " == *" cache "* ]]; then
  # Every cache miss is one primary-key lookup in PostgreSQL: misses = index scans of the key.
  pk_scans() { psql_ -d catalogdb -At -c "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'PK_products'"; }
  sleep 11 # other backends publish their statistics when idle, at least every 10 s
  scans_before=$(pk_scans)
  wrk_once api "$connections" "$duration" get-id "$tmp/ids.txt" "" hotset "$tmp/hotset.jsonl"
  sleep 11
  scans_after=$(pk_scans)
  log "hot set ($hot_set products at random, $duration s, after one read of each and the scenarios): $(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); print(r["requests"], "reads")' "$tmp/hotset.jsonl"), $((scans_after - scans_before)) primary-key lookups"
  # Lag: writes on the first replica (wrk, stock adjustments) and reads on the second (wrk,
  # the hot set) while bench/lag.py writes one product on the first and polls the second.
  lag_seconds=$(( duration * 2 ))
  env SCENARIO=stock KEYS_FILE="$tmp/ids.txt" BEARER="$token" RUN_ID=lagw \
    wrk -t1 -c4 -d"${lag_seconds}s" -s "$bench/wrk/scenario.lua" "http://127.0.0.1:$api_port" >"$tmp/lag-writes.txt" 2>&1 &
  lag_writes=$!
  env SCENARIO=get-id KEYS_FILE="$tmp/ids.txt" RUN_ID=lagr \
    wrk -t1 -c16 -d"${lag_seconds}s" -s "$bench/wrk/scenario.lua" "http://127.0.0.1:$replica_port" >"$tmp/lag-reads.txt" 2>&1 &
  lag_reads=$!
  python3 "$bench/lag.py" "http://127.0.0.1:$api_port" "http://127.0.0.1:$replica_port" "$token" 200 "$lag_seconds" >"$tmp/lag.json"
  wait "$lag_writes" "$lag_reads" || true
  python3 - "$tmp/hotset.jsonl" "$scans_before" "$scans_after" "$hot_set" "$tmp/lag.json" "$tmp/lag-writes.txt" >"$cache_json" <<'PY'
import json, re, sys
run = json.loads(open(sys.argv[1]).readline())
misses = int(sys.argv[3]) - int(sys.argv[2])
lag = json.load(open(sys.argv[5]))
writes = re.search(r"Requests/sec:\s*([\d.]+)", open(sys.argv[6]).read())
print(json.dumps({"hot_set": int(sys.argv[4]), "hot_set_reads": run["requests"], "hot_set_misses": misses,
                  "hit_ratio": round(1 - misses / max(run["requests"], 1), 4),
                  "write_load_rps": float(writes.group(1)) if writes else None, "lag": lag}))
PY
  log "cache: $(cat "$cache_json")"
else
  echo '{}' >"$cache_json"
fi

# 9. Report -------------------------------------------------------------------------------------
peak_hwm=$(awk '/VmHWM/ {print $2}' "/proc/$api_pid/status" 2>/dev/null || echo 0)
peak_sampled=$(awk '$2 > m {m = $2} END {print m + 0}' "$rss_log")
# The sample at the peak: when (seconds into the run) and its anonymous and file-backed parts.
peak_sample=$(awk '$2 > m {m = $2; line = $1 " " $3 " " $4 " " $5} END {print line}' "$rss_log")
final_count=$(psql_ -d catalogdb -At -c "SELECT count(*) FROM products")
mkdir -p "$out"
label="$mode-$(size_label "$products")"
python3 "$bench/report.py" --results "$results" --out "$out" --mode "$label" \
  --products "$products" --duration "$duration" --depth-page "$depth_page" --search "$search_term" \
  --batch-size "$batch_size" --peak-hwm-kb "${peak_hwm:-0}" --peak-sampled-kb "${peak_sampled:-0}" --peak-sample "${peak_sample:-}" \
  --seed-seconds "$seed_seconds" --load-seconds "$load_seconds" --index-seconds "$index_seconds" \
  --sizes "$tmp/size.json" --shapes "$tmp/shapes.json" --final-count "$final_count" --auth "$auth_note" --cache "$cache_json" --events "$events_json" \
  --elapsed "$(($(date +%s) - started))" --command "bench/run.sh${args:+ $args}"
log "report: $out/$label.md and $out/$label.json ($(($(date +%s) - started)) s in all)"
