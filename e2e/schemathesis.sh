#!/usr/bin/env bash
# Schema-driven fuzzing of the JSON API: schemathesis (PyPI, pinned) generates requests from
# /openapi.json and sends them to the real server; it fails on any 5xx and on any answer the
# document does not describe (status, content type, body schema — an error's code must be one
# the operation lists).
# Usage, from the repository root:  bash e2e/schemathesis.sh
# Env: KESSAI_BIN (use this binary instead of building one), CARGO_TARGET_DIR (respected),
#      SCHEMATHESIS_EXAMPLES (examples per operation, default 100),
#      KESSAI_CACHE (where the virtualenv is kept, default ~/.cache/kessai).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VERSION=4.32.5
VENV="${KESSAI_CACHE:-$HOME/.cache/kessai}/schemathesis-$VERSION"
if [ ! -x "$VENV/bin/schemathesis" ]; then
  echo "schemathesis.sh: installing schemathesis $VERSION into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi

if [ -z "${KESSAI_BIN:-}" ]; then
  cargo build -p kessai
  KESSAI_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/kessai"
fi

WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
TOKEN="schemathesis-operator-token"
"$KESSAI_BIN" serve --db "sqlite://$WORK/kessai.db" --listen "127.0.0.1:$PORT" \
  --operator-token "$TOKEN" --test-clock --mail-dir "$WORK/mail" --bank-out "$WORK/bank-out" \
  --collection-account 0001-001-1234567 --requester-code 0000000001 --requester-name 'ｹﾂｻｲ ｴｽｸﾛ-' \
  --argon2-memory-kib 256 --argon2-iterations 1 > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT

BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
  curl -fsS "$BASE/healthz" > /dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$BASE/healthz" > /dev/null || { cat "$WORK/server.log" >&2; exit 1; }

# A deal to fuzz the party endpoints with: the seller's side of an agreed, paid deal (so
# shipment can succeed; receipt and the view answer the seller too).
post() { curl -fsS -X POST -H 'Content-Type: application/json' "$@"; }
account='{"bank_code":"0005","branch_code":"123","account_type":"ordinary","account_number":"1234567","holder_name":"ｻﾄｳ ﾊﾅｺ"}'
terms='"item":"fuzz","price_yen":1000,"buyer_name":"B","buyer_email":"b@example.jp","seller_name":"S","seller_email":"s@example.jp"'
buyer="$(post "$BASE/v1/registrations/buyer" -d "{$terms,\"shipping_address\":\"Tokyo\",\"bank_account\":$account,\"password\":\"fuzz-buyer-pw\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["deal_id"])')"
seller="$(post "$BASE/v1/registrations/seller" -d "{$terms,\"bank_account\":$account,\"password\":\"fuzz-seller-pw\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["deal_id"])')"
post -H "Authorization: Bearer $TOKEN" "$BASE/v1/operator/bank-credits" -d "{\"bank_ref\":\"fuzz-1\",\"amount_yen\":1000,\"reference\":\"$buyer\"}" > /dev/null
# A marketplace site, whose key the contract endpoints are fuzzed with.
site_key="$(post -H "Authorization: Bearer $TOKEN" "$BASE/v1/operator/sites" -d '{"id":"fuzz-site","name":"Fuzz","main_bank":"0001"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')"
export KESSAI_FUZZ_TOKEN="$TOKEN" KESSAI_FUZZ_DEAL="$seller" KESSAI_FUZZ_PASSWORD="fuzz-seller-pw" KESSAI_FUZZ_SITE_KEY="$site_key"

# Business rules (an email address must be real, an account must exist) refuse much that the
# schema allows, so positive_data_acceptance is left out.
status=0
"$VENV/bin/schemathesis" --config-file "$ROOT/e2e/schemathesis.toml" run "$BASE/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,unsupported_method \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-100}" --seed 7480 --workers 2 \
  --phases examples,coverage,fuzzing,stateful \
  --request-timeout 10 --no-color || status=$?
if [ "$status" -ne 0 ]; then
  # A panic's message comes before its long backtrace: show each one first.
  echo "--- server panics ---" >&2
  grep -A 2 "panicked at" "$WORK/server.log" >&2 || echo "(none)" >&2
  echo "--- server log (last 50 lines) ---" >&2
  tail -n 50 "$WORK/server.log" >&2
fi
exit "$status"
