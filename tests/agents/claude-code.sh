#!/usr/bin/env bash
# Claude Code (npm @anthropic-ai/claude-code) writes a file with its own Write tool through the gateway.
#   tests/agents/claude-code.sh [OpenAI|Anthropic|Gemini|ChatSite]   kind of the upstream behind the gateway (default: OpenAI Anthropic Gemini)
# Claude Code speaks Anthropic Messages to the gateway (ANTHROPIC_BASE_URL); with an OpenAI-kind upstream
# the gateway translates each turn, with an Anthropic-kind one it passes the bytes through.
source "$(dirname "$0")/lib.sh"

build_gateway
install_cli @anthropic-ai/claude-code
"$CLI_BIN/claude" --version >&2

run_one() {
  local kind=$1 project="$WORK/project-claude-$1" target
  mkdir -p "$project" "$WORK/home-claude-$1"
  target="$project/hello.txt"
  start_stack "$kind"
  log "Claude Code -> gateway -> $kind-kind upstream"
  # A temporary HOME: no login, no settings from this machine. IS_SANDBOX lets root skip permission prompts.
  ( cd "$project" && HOME="$WORK/home-claude-$1" IS_SANDBOX=1 \
      ANTHROPIC_BASE_URL="$GATEWAY_URL" ANTHROPIC_AUTH_TOKEN="$CLIENT_KEY" \
      ANTHROPIC_MODEL=gw-agent ANTHROPIC_DEFAULT_HAIKU_MODEL=gw-agent-small ANTHROPIC_SMALL_FAST_MODEL=gw-agent-small \
      DISABLE_AUTOUPDATER=1 DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
      timeout 180 "$CLI_BIN/claude" -p "Please create the file $target containing exactly: hello from claude code via $kind" \
        --dangerously-skip-permissions --output-format text ) | sed 's/^/  claude> /' >&2
  show_requests
  local result=0
  check_file "$target" "hello from claude code via $kind" || result=1
  stop_stack
  return $result
}

status=0
for kind in ${1:-OpenAI Anthropic Gemini}; do
  run_one "$kind" || status=1
done
exit $status
