#!/usr/bin/env bash
# Shared by the real-agent scripts in this folder: builds the gateway and the fake upstream, starts the
# fake upstream with its scripted agent model (--agent) and the gateway in front of it with one provider
# of the given kind, installs an agent CLI from npm into a temporary prefix, and cleans up on exit.
# Not part of ./test.sh: these scripts download the CLIs from npm and take a minute each.
set -euo pipefail

AGENTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$AGENTS_DIR/../.." && pwd)"
WORK="$(mktemp -d -t gateway-agent.XXXXXX)"
CLIENT_KEY="sk-agent-test"
PIDS=()

cleanup() {
  stop_stack
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

log() { printf '[agents] %s\n' "$*" >&2; }

free_port() {
  local port
  while :; do
    port=$(( (RANDOM % 20000) + 20000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

wait_http() { # url, seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  log "timed out waiting for $1"; return 1
}

wait_log() { # file, text, seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -qF "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  log "timed out waiting for \"$2\" in $1:"; tail -n 20 "$1" >&2 || true; return 1
}

# GATEWAY_BINARY: a Native AOT Gateway.Server executable (scripts/publish-aot.sh) to run instead of the
# Release build of src/Server, which is then not built.
build_gateway() {
  log "building the gateway and the fake upstream"
  if [ -z "${GATEWAY_BINARY:-}" ]; then
    dotnet build "$REPO/src/Server" -c Release -nologo -v quiet -clp:NoSummary >&2
  else
    [ -x "$GATEWAY_BINARY" ] || { log "GATEWAY_BINARY: $GATEWAY_BINARY is not an executable"; exit 1; }
    log "gateway: the Native AOT executable $GATEWAY_BINARY"
  fi
  dotnet build "$REPO/tests/Gateway.FakeUpstream" -c Release -nologo -v quiet -clp:NoSummary >&2
}

# gateway_config FILE KEY PROVIDER_JSON MODEL_IDS...: a gateway config with one provider "fake" and each public model id routed to it.
gateway_config() {
  local file=$1 key=$2 provider=$3 models="" id
  shift 3
  for id in "$@"; do models+="${models:+, }{ \"Id\": \"$id\", \"Targets\": [ { \"Provider\": \"fake\", \"Model\": \"fake-model\" } ] }"; done
  cat >"$file" <<JSON
{
  "Gateway": {
    "Auth": { "Mode": "Bearer", "Keys": { "agent": "$key" } },
    "Providers": { "fake": $provider },
    "Models": [ $models ],
    "Limits": { "RequestsPerSecond": 0 }
  }
}
JSON
}

# start_gateway CONFIG LOG PORT: a gateway process, waited for until it listens.
start_gateway() {
  if [ -n "${GATEWAY_BINARY:-}" ]; then
    GATEWAY_CONFIG="$1" "$GATEWAY_BINARY" --urls "http://127.0.0.1:$3" >"$2" 2>&1 &
  else
    GATEWAY_CONFIG="$1" dotnet "$REPO/src/Server/bin/Release/net10.0/Gateway.Server.dll" --urls "http://127.0.0.1:$3" >"$2" 2>&1 &
  fi
  PIDS+=($!)
  # Our own process must be the one listening (a port taken meanwhile by another process would
  # answer the health checks too): it says so in its log once it has bound.
  wait_log "$2" "Now listening on: http://127.0.0.1:$3" 30
  wait_http "http://127.0.0.1:$3/health/live" 30
}

# start_stack KIND (OpenAI | Anthropic | Gemini | Responses | ChatSite): the fake agent model behind a gateway provider of that kind.
# Gemini: the fake's Gemini routes (/v1beta/models/fake-model:streamGenerateContent), where the agent model makes
# two signed tool calls (write, then read) and refuses a history that lost a thoughtSignature.
# Responses: an OpenAI-kind provider with ResponsesPath, served by a second gateway (which translates the
# Responses API to the fake model's Chat Completions), so the first passes Responses through as bytes.
# Sets GATEWAY_URL; public model ids "gw-agent" and "gw-agent-small" both route to it.
start_stack() {
  local kind=$1 up gw inner
  up=$(free_port); gw=$(free_port)
  dotnet "$REPO/tests/Gateway.FakeUpstream/bin/Release/net10.0/Gateway.FakeUpstream.dll" --urls "http://127.0.0.1:$up" --agent >"$WORK/upstream.log" 2>&1 &
  PIDS+=($!)
  wait_log "$WORK/upstream.log" "listening on http://127.0.0.1:$up/v1" 30
  wait_http "http://127.0.0.1:$up/v1/models" 30
  if [ "$kind" = Responses ]; then
    inner=$(free_port)
    gateway_config "$WORK/inner.json" sk-fake-upstream \
      "{ \"Kind\": \"OpenAI\", \"BaseUrl\": \"http://127.0.0.1:$up/v1\", \"ApiKey\": \"sk-fake-upstream\", \"Models\": [ \"fake-model\" ] }" fake-model
    start_gateway "$WORK/inner.json" "$WORK/inner-gateway.log" "$inner"
    gateway_config "$WORK/gateway.json" "$CLIENT_KEY" \
      "{ \"Kind\": \"OpenAI\", \"BaseUrl\": \"http://127.0.0.1:$inner/v1\", \"ResponsesPath\": \"/responses\", \"ApiKey\": \"sk-fake-upstream\", \"Models\": [ \"fake-model\" ] }" gw-agent gw-agent-small
  elif [ "$kind" = Gemini ]; then
    gateway_config "$WORK/gateway.json" "$CLIENT_KEY" \
      "{ \"Kind\": \"Gemini\", \"BaseUrl\": \"http://127.0.0.1:$up/v1beta\", \"ApiKey\": \"fake-gemini-key\", \"Models\": [ \"fake-model\" ] }" gw-agent gw-agent-small
  else
    gateway_config "$WORK/gateway.json" "$CLIENT_KEY" \
      "{ \"Kind\": \"$kind\", \"BaseUrl\": \"http://127.0.0.1:$up/v1\", \"ApiKey\": \"sk-fake-upstream\", \"Models\": [ \"fake-model\" ] }" gw-agent gw-agent-small
  fi
  start_gateway "$WORK/gateway.json" "$WORK/gateway.log" "$gw"
  GATEWAY_URL="http://127.0.0.1:$gw"
  log "fake upstream :$up (agent model), gateway $GATEWAY_URL with a provider of kind $kind"
}

# stop_stack: ends the processes start_stack started (the next kind starts its own).
stop_stack() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
}

# install_cli PACKAGE: installs it into $WORK/cli (npm), or uses AGENT_CLI_PREFIX when set (a prefix that has it).
install_cli() {
  local prefix=${AGENT_CLI_PREFIX:-$WORK/cli}
  if [ ! -d "$prefix/node_modules/$1" ]; then
    log "installing $1 from npm into $prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "$1" >&2
  fi
  CLI_BIN="$prefix/node_modules/.bin"
}

# check_file PATH EXPECTED: the agent wrote exactly EXPECTED (plus a newline) to PATH.
check_file() {
  if [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; then
    log "PASS: $1 holds \"$2\""
    return 0
  fi
  log "FAIL: $1 $( [ -f "$1" ] && echo "holds \"$(cat "$1")\"" || echo "does not exist")"
  log "gateway log (last 30 lines):"; tail -n 30 "$WORK/gateway.log" >&2 || true
  return 1
}

# The request lines the gateway logged (client, route, model, stream, outcome), for the record.
show_requests() {
  log "requests the gateway served:"
  grep -o 'request_completed .*' "$WORK/gateway.log" | grep -v 'route=health' | tr ' ' '\n' \
    | grep -E '^(client|route|model|provider|stream|tools_present|attempts|end_reason|http_status|prompt_tokens|completion_tokens)=' \
    | paste -sd' ' | sed 's/ client=/\n  client=/g; s/^client=/  client=/' >&2 || true
  log "what the fake upstream's agent model saw and answered:"
  grep '^agent model' "$WORK/upstream.log" | sed 's/^/  /' >&2 || true
  echo >&2
}
