#!/usr/bin/env bash
# End-to-end browser test of Kessai's web pages.
# Usage, from the repository root:  bash e2e/run.sh
# Env: KESSAI_BIN (use this binary instead of building one), CARGO_TARGET_DIR (respected),
#      CHROMIUM_PATH (default /usr/bin/chromium).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export CHROMIUM_PATH

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian's Chromium, plus CJK fonts so Japanese pages render glyphs rather than boxes in
# screenshots. Playwright's own browser downloads are never used.
apt_packages=()
[ -x "$CHROMIUM_PATH" ] || apt_packages+=(chromium)
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || apt_packages+=(fonts-noto-cjk)
if [ "${#apt_packages[@]}" -gt 0 ]; then
  echo "run.sh: installing ${apt_packages[*]} with apt" >&2
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${apt_packages[@]}"
fi

# playwright-core never downloads browsers on install; say so anyway.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
(cd e2e && npm ci --no-audit --no-fund)

if [ -z "${KESSAI_BIN:-}" ]; then
  cargo build -p kessai
  KESSAI_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/kessai"
fi
case "$KESSAI_BIN" in
  /*) ;;
  *) KESSAI_BIN="$ROOT/$KESSAI_BIN" ;;
esac
export KESSAI_BIN
[ -x "$KESSAI_BIN" ] || { echo "run.sh: no executable at $KESSAI_BIN" >&2; exit 1; }

node --test e2e/escrow.test.mjs
