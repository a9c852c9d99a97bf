#!/usr/bin/env bash
# Starts the gateway against a local fake upstream, so it can be tried without any API key:
#   fake upstream  http://127.0.0.1:9100/v1   (answers "echo: <your last message>")
#   gateway        http://localhost:7071       (config: samples/demo.json, model "demo-model")
# Stop with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")"

dotnet build src/Server -c Release -nologo -v quiet -clp:NoSummary
dotnet build tests/Gateway.FakeUpstream -c Release -nologo -v quiet -clp:NoSummary

dotnet tests/Gateway.FakeUpstream/bin/Release/net10.0/Gateway.FakeUpstream.dll --urls http://127.0.0.1:9100 --chunk-delay-ms 50 &
upstream=$!

cat <<'TXT'

Try it from another terminal:
  curl -s http://localhost:7071/v1/models
  curl -s http://localhost:7071/v1/chat/completions -H 'Content-Type: application/json' \
       -d '{"model":"demo-model","messages":[{"role":"user","content":"hello gateway"}]}'
  curl -sN http://localhost:7071/v1/chat/completions -H 'Content-Type: application/json' \
       -d '{"model":"demo-model","stream":true,"messages":[{"role":"user","content":"stream this please"}]}'

TXT
GATEWAY_CONFIG=samples/demo.json dotnet src/Server/bin/Release/net10.0/Gateway.Server.dll "$@" &
gateway=$!

# Both run in the background so that Ctrl+C or a TERM to this script stops both, gracefully.
trap 'kill $gateway $upstream 2>/dev/null || true; wait' INT TERM EXIT
wait $gateway
