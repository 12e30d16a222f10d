#!/usr/bin/env bash
# Schema-based fuzzing of a running server's JSON API: schemathesis reads
# /api/v1/openapi.json, generates requests from it (examples, coverage,
# fuzzing and stateful phases, as the demo admin so admin operations are
# reached too) and fails on any 5xx, any response that violates its
# documented schema, or an undocumented content type. Also validates the
# document itself.
#
# Usage: end2end/fuzz.sh BASE_URL LABEL   (python tools from end2end/requirements.txt on PATH)
# ZHUOMU_FUZZ_SEED picks another seed (the default keeps CI reproducible),
# ZHUOMU_FUZZ_EXAMPLES the cases per operation.
set -euo pipefail
BASE="$1"; LABEL="$2"
OUT="$(mktemp -d /tmp/zhuomu-fuzz.XXXXXX)"
curl -fsS "$BASE/api/v1/openapi.json" -o "$OUT/openapi.json"
openapi-spec-validator "$OUT/openapi.json"
TOKEN="$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"phone":"13900000001","password":"zhuomu-admin-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
# Left out: operations that would end the fuzzer's own session (logout, a
# role change or disabling of its account bumps its token version).
status=0
# Run inside $OUT: schemathesis keeps its example database in the working directory.
(cd "$OUT" && schemathesis run "$BASE/api/v1/openapi.json" \
  -H "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance \
  --phases examples,coverage,fuzzing,stateful \
  -n "${ZHUOMU_FUZZ_EXAMPLES:-20}" --seed "${ZHUOMU_FUZZ_SEED:-20261129}" --workers 2 \
  --exclude-path-regex '(auth/logout|/roles$|/disable$)' \
  --no-color --request-timeout 30 >"$OUT/run.log" 2>&1) || status=$?
generated="$(grep -Eo '[0-9]+ generated' "$OUT/run.log" | tail -1 | grep -Eo '[0-9]+' || echo 0)"
if [ "$status" -ne 0 ] || [ "$generated" -lt 1000 ]; then
  cat "$OUT/run.log"
  echo "fuzz ($LABEL): $generated requests, schemathesis exit $status"
  exit 1
fi
grep -E '^  [0-9]+ generated' "$OUT/run.log" || true
rm -rf "$OUT"
echo "fuzz ($LABEL): $generated generated requests, no 5xx, no schema violation"
