#!/usr/bin/env bash
# Every real-agent check: Claude Code, OpenCode and Codex, each through an OpenAI-kind, an
# Anthropic-kind, a ChatSite-kind and a Gemini-kind upstream (Codex also through a Responses-serving one).
# Exit status 0 when every agent wrote its file.
# Set AGENT_CLI_PREFIX to an npm prefix that already has the CLIs to skip the installs.
set -uo pipefail
cd "$(dirname "$0")"
status=0
./claude-code.sh "OpenAI Anthropic ChatSite Gemini" || status=1
./opencode.sh "Anthropic OpenAI ChatSite Gemini" || status=1
./codex.sh "OpenAI Anthropic Responses ChatSite Gemini" || status=1
if [ $status = 0 ]; then echo "[agents] all agents wrote their files"; else echo "[agents] at least one agent failed"; fi
exit $status
