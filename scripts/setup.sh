#!/usr/bin/env bash
# One-time setup on a fresh Debian/Ubuntu machine: the system packages the real-VS-Code
# tests need (when missing), the npm packages, and code-server (cached in .cache/).
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

# chromium drives the workbench in tests; libkrb5-dev and ripgrep (plus a C++ toolchain)
# let code-server, the real VS Code used by `npm start` and the tests, install from npm;
# strace lets the no-network test watch the server's system calls.
need=()
if command -v dpkg >/dev/null 2>&1; then
  for pkg in chromium libkrb5-dev ripgrep strace; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
fi
command -v make >/dev/null 2>&1 || need+=(make)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
# code-server into .cache/code-server/ (first run 2-5 min, then cached); fails early and
# clearly if a prerequisite is missing.
node --import tsx scripts/code-server.ts
