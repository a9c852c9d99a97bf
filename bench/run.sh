#!/usr/bin/env bash
# One full gateway bench run: installs wrk if missing, builds the gateway, the fake upstream, the relay
# (the floor) and the bench app in Release, then runs the bench. Results: bench/results/<UTC timestamp>.md/.json and
# bench/results/latest.md/.json. See bench/README.md. Quick check of the harness (numbers mean nothing):
#   BENCH_DURATION=1 BENCH_RUNS=1 BENCH_WARMUP=1 BENCH_STREAMS=2 BENCH_SLOW_STREAMS=0 BENCH_STARTS=1 BENCH_QUIET_VARIANT=0 bench/run.sh
#
# Settings (environment variables, defaults in brackets):
#   BENCH_DURATION       seconds per wrk run (and per c=1 bench-timer run) [4]
#   BENCH_RUNS           measured runs; medians are taken across them [5]
#   BENCH_WARMUP         seconds of c=32 warm-up per path [5]
#   BENCH_STREAMS        streams timed per path per run [6]
#   BENCH_SLOW_STREAMS   concurrent slow streams for the memory reading [1000]
#   BENCH_PASS_STREAMS   streams passed through the gateway before that reading (steady state) [5000]
#   BENCH_TTFB_STREAMS   short streams timed per path per run for time-to-first-content p50/p99 [100]
#   BENCH_RELAY          1 = also measure the floor, a bare YARP byte relay (bench/Gateway.Relay), as
#                        the path "relay"; the report's "Against the floor" judges the gateway against it [1]
#   BENCH_RESOURCES_ONLY 1 = only the start-up and memory phase, printed; nothing written [0]
#   BENCH_STARTS         gateway start-ups timed [5]
#   BENCH_QUIET_VARIANT  1 = also measure the gateway with per-request logging off [1]
#   BENCH_BASELINE_DLL   another build's Gateway.Server.dll, or a Native AOT Gateway.Server executable
#                        (scripts/publish-aot.sh): also start it (same generated config) and
#                        measure it as the path "baseline" in the same runs, interleaved with the others;
#                        the report's "Against the baseline build" gives per metric each build's added
#                        value (vs direct) and the per-run difference current - baseline (median,
#                        min ... max): a min ... max that contains 0 is no change beyond the run-to-run
#                        spread. Not built here. [unset]
#   BENCH_ANTHROPIC      1 (default) = also measure "gateway-anthropic": the same gateway, Anthropic Messages in
#                        (POST /v1/messages), translated to the OpenAI-kind upstream; the report's
#                        "Anthropic Messages in" section gives its added values and the translation cost
#                        gateway-anthropic - gateway (c=1 p50/p99 bench timer, stream time to first
#                        content). Stops at the check step while the gateway lacks /v1/messages. [0]
#   BENCH_WAIT_QUIET     seconds to wait for other processes to leave the CPU before measuring [0]
#   BENCH_KEEP_LOGS      1 = keep the child processes' console output in the temp folder [0]
#   BENCH_SKIP_BUILD     1 = use the existing Release builds [0]
#
# bench/run.sh --telemetry-cost: only the cost of metrics and traces (telemetry on vs Telemetry:Enabled=false,
# wrk c=32, BENCH_RUNS interleaved runs); results in bench/results/telemetry-*.md.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk not found; installing it" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  $sudo apt-get update
  $sudo apt-get install -y wrk
fi

if [ "${BENCH_SKIP_BUILD:-0}" != "1" ]; then
  for project in src/Server/Gateway.Server.csproj \
                 tests/Gateway.FakeUpstream/Gateway.FakeUpstream.csproj \
                 bench/Gateway.Relay/Gateway.Relay.csproj \
                 bench/Gateway.Bench/Gateway.Bench.csproj; do
    echo "building $project (Release)" >&2
    dotnet build -c Release --nologo -v quiet "$project" >&2
  done
fi

exec dotnet bench/Gateway.Bench/bin/Release/net10.0/Gateway.Bench.dll --repo "$repo" "$@"
