#!/usr/bin/env bash
# OpenCode (npm opencode-ai) writes a file with its own write tool through the gateway.
#   tests/agents/opencode.sh [Anthropic|OpenAI|Gemini|ChatSite]   kind of the upstream behind the gateway (default: Anthropic)
# OpenCode speaks OpenAI Chat Completions to the gateway (an @ai-sdk/openai-compatible provider in the
# project's opencode.json); with an Anthropic-kind upstream the gateway translates each turn.
source "$(dirname "$0")/lib.sh"

build_gateway
install_cli opencode-ai
"$CLI_BIN/opencode" --version >&2

run_one() {
  local kind=$1 project="$WORK/project-opencode-$1" home="$WORK/home-opencode-$1" target
  mkdir -p "$project" "$home"
  target="$project/hello.txt"
  start_stack "$kind"
  cat >"$project/opencode.json" <<JSON
{
  "\$schema": "https://opencode.ai/config.json",
  "provider": {
    "gateway": {
      "npm": "@ai-sdk/openai-compatible",
      "name": "Gateway",
      "options": { "baseURL": "$GATEWAY_URL/v1", "apiKey": "$CLIENT_KEY" },
      "models": { "gw-agent": { "name": "Gateway agent model", "tool_call": true } }
    }
  },
  "model": "gateway/gw-agent",
  "small_model": "gateway/gw-agent",
  "permission": { "edit": "allow", "bash": "allow" },
  "autoupdate": false,
  "share": "disabled"
}
JSON
  log "OpenCode -> gateway -> $kind-kind upstream"
  # A temporary HOME (and XDG dirs under it): no settings or auth from this machine.
  ( cd "$project" && HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" XDG_CACHE_HOME="$home/.cache" \
      OPENCODE_DISABLE_MODELS_FETCH=1 OPENCODE_DISABLE_AUTOUPDATE=1 \
      timeout 240 "$CLI_BIN/opencode" run "Please create the file $target containing exactly: hello from opencode via $kind" ) 2>&1 | sed 's/^/  opencode> /' >&2
  show_requests
  local result=0
  check_file "$target" "hello from opencode via $kind" || result=1
  stop_stack
  return $result
}

status=0
for kind in ${1:-Anthropic}; do
  run_one "$kind" || status=1
done
exit $status
