#!/usr/bin/env bash
# Checks (and, where it can, installs) what the build needs. Quiet when everything is there.
# Sourced by the other scripts.
set -euo pipefail

if ! command -v cargo >/dev/null 2>&1; then
  echo "duet: cargo not found. Install Rust from https://rustup.rs, then run this again." >&2
  exit 1
fi
