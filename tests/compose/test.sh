#!/usr/bin/env bash
# The compose test: brings docker-compose.yml up on podman (tests/compose/cluster.sh), runs the
# ignored e2e test `cluster::compose` against it (signaling across nodes through the load
# balancer, a killed node, a Redis restart), and tears everything down, also on failure.
# Skipped, saying why, only when podman cannot run containers on this machine.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLUSTER="$ROOT/tests/compose/cluster.sh"

if ! reason=$("$CLUSTER" can-run); then
  echo "compose test SKIPPED: podman cannot run containers here: $reason"
  exit 0
fi

trap '"$CLUSTER" down' EXIT
started=$SECONDS
"$CLUSTER" up
cd "$ROOT"
status=0
cargo test --locked -p switchboard-server --test e2e cluster::compose -- --ignored || status=$?
if [ $status -ne 0 ]; then
  echo "compose test FAILED; the containers' output:" >&2
  "$CLUSTER" logs >&2 || true
fi
echo "compose test: $((SECONDS - started)) s"
exit $status
