#!/usr/bin/env bash
# One-time setup on a fresh Debian/Ubuntu machine: the system packages the real-VS-Code
# tests need (when missing), the npm packages, and code-server (cached in .cache/).
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

# chromium drives the workbench in tests; libkrb5-dev and ripgrep (plus a C++ toolchain)
# let code-server, the real VS Code used by `npm start` and the tests, install from npm;
# strace lets the no-network test watch the server's system calls; python3-torch (Debian's
# PyTorch, into the system Python) runs the scale-out test of trainers/torch/.
need=()
lean=() # installed without recommends: torch's pull in a desktop stack the tests never use
if command -v dpkg >/dev/null 2>&1; then
  for pkg in chromium libkrb5-dev ripgrep strace; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  for pkg in python3-torch python3-numpy; do
    dpkg -s "$pkg" >/dev/null 2>&1 || lean+=("$pkg")
  done
fi
command -v make >/dev/null 2>&1 || need+=(make)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ] || [ ${#lean[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]} ${lean[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  [ ${#need[@]} -eq 0 ] || $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  [ ${#lean[@]} -eq 0 ] || $sudo apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null
fi

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
# code-server into .cache/code-server/ (first run 2-5 min, then cached); fails early and
# clearly if a prerequisite is missing.
node --import tsx scripts/code-server.ts
