#!/usr/bin/env bash
# CPU per request of the gateway by component, at c=32 on the bench's pass-through path (OpenAI in, OpenAI-kind
# fake upstream, non-stream). Starts the fake upstream and the gateway (the bench's configuration) with perf
# maps on, warms up for 30 s, records 10 s with `perf record -g` while wrk keeps c=32, and prints each
# component's share and µs per request (components.py says how samples are assigned). Needs linux-perf, wrk,
# python3 and the Release builds bench/run.sh makes. See bench/README.md, "Profiling".
#   bench/profile/profile.sh [path/to/Gateway.Server.dll]   (default: this checkout's Release build)
#   bench/profile/profile.sh --relay                         the floor (bench/Gateway.Relay) the same way, for comparison
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
relay=0
if [ "${1:-}" = "--relay" ]; then
  relay=1
  shift
fi
if [ $relay = 1 ]; then
  dll="$repo/bench/Gateway.Relay/bin/Release/net10.0/Gateway.Relay.dll"
else
  dll="${1:-$repo/src/Server/bin/Release/net10.0/Gateway.Server.dll}"
fi
upstream_dll="$repo/tests/Gateway.FakeUpstream/bin/Release/net10.0/Gateway.FakeUpstream.dll"
for file in "$dll" "$upstream_dll"; do
  [ -f "$file" ] || { echo "missing $file: run bench/run.sh (or build Release) first" >&2; exit 2; }
done
for tool in perf wrk python3; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done

work="$(mktemp -d /tmp/gateway-profile-XXXXXX)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up_port=$(port); gw_port=$(port)
cat > "$work/gateway.json" <<JSON
{"Gateway":{"Auth":{"Mode":"None"},"Providers":{"demo":{"Kind":"OpenAI","BaseUrl":"http://127.0.0.1:$up_port/v1","Models":["echo"],"MaxConcurrency":4096}},
 "Models":[{"Id":"demo-model","Targets":[{"Provider":"demo","Model":"echo"}]}],"Limits":{"RequestsPerSecond":0}}}
JSON
dotnet "$upstream_dll" --urls "http://127.0.0.1:$up_port" --chunk-delay-ms 20 --chunks 64 > "$work/upstream.log" 2>&1 &
pids+=($!)
model=demo-model
probe="http://127.0.0.1:$gw_port/health"
if [ $relay = 1 ]; then
  # The relay forwards every path as it is: the upstream's own model name, its /v1/models as the readiness probe.
  model=echo
  probe="http://127.0.0.1:$gw_port/v1/models"
  DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 \
    dotnet "$dll" --urls "http://127.0.0.1:$gw_port" --upstream "http://127.0.0.1:$up_port" > "$work/gateway.log" 2>&1 &
else
  GATEWAY_CONFIG="$work/gateway.json" DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 \
    dotnet "$dll" --urls "http://127.0.0.1:$gw_port" > "$work/gateway.log" 2>&1 &
fi
gateway=$!
pids+=($gateway)
for _ in $(seq 1 300); do
  curl -fs -o /dev/null "$probe" 2>/dev/null && break
  sleep 0.1
done

url="http://127.0.0.1:$gw_port/v1/chat/completions"
echo "warming up for 30 s at c=32" >&2
BENCH_MODEL=$model wrk -t2 -c32 -d30s -s "$repo/bench/post.lua" "$url" > /dev/null
BENCH_MODEL=$model wrk -t2 -c32 -d12s -s "$repo/bench/post.lua" "$url" > "$work/wrk.txt" &
load=$!
sleep 1
ticks() { awk '{print $14 + $15}' "/proc/$gateway/stat"; }
before=$(ticks)
perf record -F 1999 -g -p "$gateway" -o "$work/perf.data" -- sleep 10 > /dev/null 2>&1
after=$(ticks)
wait "$load"
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
# 10 ms clock ticks over the 10 s window, divided by the requests of that window.
micro=$(python3 -c "print(round(($after - $before) * 10000 / (10 * $rps), 1))")
perf script -i "$work/perf.data" 2> /dev/null > "$work/perf.txt"
echo "$dll: $rps req/s at c=32 over the recording" >&2
python3 "$repo/bench/profile/components.py" "$work/perf.txt" "$micro"
rm -rf "$work"
