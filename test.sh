#!/usr/bin/env bash
# The test command: installs what the suite needs beyond Rust (xmllint, to validate every
# ISO 20022 file Kessai writes against the official schemas), then runs every test.
# Set KESSAI_TEST_POSTGRES_URL to run the integration tests on PostgreSQL too.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v xmllint >/dev/null 2>&1; then
  echo "test.sh: installing xmllint (Debian libxml2-utils)" >&2
  sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  sudo_if_needed apt-get update -q
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libxml2-utils
fi
exec cargo test --workspace "$@"
