#!/usr/bin/env bash
# The test command: installs what the suite needs beyond Rust, then runs every test:
# - xmllint, to validate every ISO 20022 file Kessai writes against the official schemas
#   (committed in crates/kessai-formats/tests/xsd);
# - zbarimg (zbar-tools), to scan the konbini slip's barcode as a store's till would;
# - the zengin-code bank master, a pinned version of the npm package `zengin-code` fetched once
#   into a cache folder and checked against its digest; the tests read it from
#   KESSAI_TEST_BANK_MASTER (already set: used as it is).
# Set KESSAI_TEST_POSTGRES_URL to run the integration tests on PostgreSQL too.
set -euo pipefail
cd "$(dirname "$0")"
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  echo "test.sh: installing $* (Debian)" >&2
  sudo_if_needed apt-get update -q
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}
command -v xmllint >/dev/null 2>&1 || apt_install libxml2-utils
# zbarimg: a scanner that reads the konbini slip's barcode back from the PNG Kessai draws.
command -v zbarimg >/dev/null 2>&1 || apt_install zbar-tools

ZENGIN_CODE_VERSION="1.0.0-p20260824"
ZENGIN_CODE_SHA256="18bd7818bcada0971cc23b093ee66a1d89e779a30ebdc38a786d9a5e0a3d3b0c"
if [ -z "${KESSAI_TEST_BANK_MASTER:-}" ]; then
  cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kessai/zengin-code-$ZENGIN_CODE_VERSION"
  if [ ! -f "$cache/package/lib/zengin-data.js" ]; then
    command -v npm >/dev/null 2>&1 || apt_install nodejs npm
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    echo "test.sh: fetching the bank master (npm package zengin-code@$ZENGIN_CODE_VERSION)" >&2
    (cd "$tmp" && npm pack --silent "zengin-code@$ZENGIN_CODE_VERSION" >/dev/null)
    echo "$ZENGIN_CODE_SHA256  $tmp/zengin-code-$ZENGIN_CODE_VERSION.tgz" | sha256sum --check --quiet
    mkdir -p "$tmp/unpacked"
    tar -xzf "$tmp/zengin-code-$ZENGIN_CODE_VERSION.tgz" -C "$tmp/unpacked"
    mkdir -p "$(dirname "$cache")"
    rm -rf "$cache"
    mv "$tmp/unpacked" "$cache"
    rm -rf "$tmp"
    trap - EXIT
  fi
  export KESSAI_TEST_BANK_MASTER="$cache/package"
fi
exec cargo test --workspace "$@"
