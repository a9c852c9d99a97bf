#!/usr/bin/env bash
# Codex (npm @openai/codex) creates a file with its own shell tool through the gateway.
#   tests/agents/codex.sh [OpenAI|Anthropic|Responses|Gemini|ChatSite]   kind of the upstream behind the gateway (default: OpenAI Anthropic Responses Gemini)
# Codex speaks only the OpenAI Responses API (wire_api = "responses"); the gateway translates each turn
# to the upstream's format (Responses: passed through to an upstream that serves the Responses API). For a model name it does not know, Codex declares exec_command (no write
# tool), so the fake agent model writes the file with a shell command.
source "$(dirname "$0")/lib.sh"

build_gateway
install_cli @openai/codex
"$CLI_BIN/codex" --version >&2

run_one() {
  local kind=$1 project="$WORK/project-codex-$1" home="$WORK/home-codex-$1" target
  mkdir -p "$project" "$home"
  target="$project/hello.txt"
  start_stack "$kind"
  cat >"$home/config.toml" <<TOML
model = "gw-agent"
model_provider = "gateway"

[model_providers.gateway]
name = "Gateway"
base_url = "$GATEWAY_URL/v1"
env_key = "GATEWAY_AGENT_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
TOML
  log "Codex -> gateway -> $kind-kind upstream"
  # A temporary CODEX_HOME: no login or settings from this machine; approvals and the sandbox bypassed.
  ( cd "$project" && HOME="$home" CODEX_HOME="$home" GATEWAY_AGENT_KEY="$CLIENT_KEY" \
      timeout 240 "$CLI_BIN/codex" exec --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox \
        "Please create the file $target containing exactly: hello from codex via $kind" ) 2>&1 | sed 's/^/  codex> /' >&2
  show_requests
  local result=0
  check_file "$target" "hello from codex via $kind" || result=1
  stop_stack
  return $result
}

status=0
for kind in ${1:-OpenAI Anthropic Responses Gemini}; do
  run_one "$kind" || status=1
done
exit $status
