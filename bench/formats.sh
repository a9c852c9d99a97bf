#!/usr/bin/env bash
# What the other inbound formats and the chat-site tool stage add, at c=1 over streams: Responses in
# (translated to an OpenAI-kind upstream) beside Chat Completions in (bytes through), and a chat site with a
# function tool declared beside the same plain-text answer without tools. Builds Release, then runs
# Gateway.Bench --formats. Report: bench/results/formats-latest.md. See bench/README.md.
#   BENCH_FORMAT_ROUNDS    interleaved rounds; medians are taken across them [7]
#   BENCH_FORMAT_REQUESTS  streams per path per round [200]
#   BENCH_WAIT_QUIET       seconds to wait for other processes to leave the CPU first [0]
#   BENCH_SKIP_BUILD       1 = use the existing Release builds [0]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
if [ "${BENCH_SKIP_BUILD:-0}" != "1" ]; then
  for project in src/Server/Gateway.Server.csproj tests/Gateway.FakeUpstream/Gateway.FakeUpstream.csproj bench/Gateway.Bench/Gateway.Bench.csproj; do
    echo "building $project (Release)" >&2
    dotnet build -c Release --nologo -v quiet "$project" >&2
  done
fi
exec dotnet bench/Gateway.Bench/bin/Release/net10.0/Gateway.Bench.dll --formats --repo "$repo"
