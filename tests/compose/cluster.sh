#!/usr/bin/env bash
# Runs the repository's docker-compose.yml on podman: Redis, node1..node3 and the nginx load
# balancer on 127.0.0.1:8080 (the nodes themselves on 127.0.0.1:8081..8083).
#
#   cluster.sh up        build what is needed, bring the cluster up, return once it is ready
#   cluster.sh status    exit 0 only while the load balancer answers and every node is ready
#   cluster.sh down      remove every container and the network (also after a failed up)
#   cluster.sh kill|restart|start SERVICE   podman kill/restart/start one service's container
#   cluster.sh logs [SERVICE]               the containers' output
#   cluster.sh can-run   exit 0 when podman can run containers here (else says why)
#
# No image can be pulled here, so `up` builds them locally: a Debian base image made with
# debootstrap (redis-server, nginx-light; built once and cached as localhost/switchboard-base),
# and the node image from deploy/docker/Dockerfile's runtime stage with a release binary built
# on the host. The compose file is used unchanged; tests/compose/podman.override.yml only
# renames the images. Needs root (debootstrap) the first time, podman, podman-compose and
# runc (scripts/install-compose-deps installs them).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PROJECT=${SWITCHBOARD_COMPOSE_PROJECT:-switchboard}
CACHE=${SWITCHBOARD_COMPOSE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard-compose}
MIRROR=${SWITCHBOARD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE_IMAGE=localhost/switchboard-base:bookworm
NODE_IMAGE=localhost/switchboard-node:compose
LB=127.0.0.1:8080
NODE_PORTS=(8081 8082 8083)
READY_TIMEOUT=${SWITCHBOARD_COMPOSE_READY_TIMEOUT:-180}

log() { echo "cluster.sh: $*" >&2; }

# podman's defaults fail here: crun cannot use these cgroups, and containers need file and
# process limits at or under this machine's hard limits.
containers_conf() {
  mkdir -p "$CACHE"
  local nofile nproc
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] || [ "$nofile" -gt 20000 ] && nofile=20000
  nproc=$(ulimit -Hu); [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
  cat > "$CACHE/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
CONF
  export CONTAINERS_CONF="$CACHE/containers.conf"
}

compose() {
  podman-compose -p "$PROJECT" -f "$ROOT/docker-compose.yml" \
    -f "$ROOT/tests/compose/podman.override.yml" "$@"
}

can_run() {
  local tool
  for tool in podman podman-compose runc; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool is not installed"; return 1; }
  done
  containers_conf
  podman info >/dev/null 2>&1 || { echo "podman info fails: $(podman info 2>&1 | tail -1)"; return 1; }
}

base_image() {
  if podman image exists "$BASE_IMAGE"; then return; fi
  command -v debootstrap >/dev/null 2>&1 || { log "debootstrap is not installed"; exit 1; }
  log "building $BASE_IMAGE with debootstrap (once per machine, 1 to 2 minutes)"
  local rootfs
  rootfs=$(mktemp -d)
  debootstrap --variant=minbase --include=redis-server,nginx-light,ca-certificates \
    bookworm "$rootfs" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log" >&2; rm -rf "$rootfs"; exit 1; }
  # apt's caches are not needed in the image.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import -q - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

# The node image: deploy/docker/Dockerfile's runtime stage, on the base image, with the host's
# release binary in place of the builder stage's (the same Debian, so the same glibc).
node_image() {
  log "building the release binary"
  (cd "$ROOT" && cargo build --release --locked -p switchboard-server)
  local context
  context=$(mktemp -d)
  cp "${CARGO_TARGET_DIR:-$ROOT/target}/release/switchboard" "$context/switchboard"
  awk '/^FROM .* AS runtime$/ { on = 1 } on' "$ROOT/deploy/docker/Dockerfile" \
    | sed -e "s|^FROM .* AS runtime\$|FROM $BASE_IMAGE AS runtime|" \
          -e 's|^COPY --from=builder [^ ]* |COPY switchboard |' >"$context/Containerfile"
  if [ "$(grep -c '^COPY switchboard ' "$context/Containerfile")" != 1 ]; then
    log "deploy/docker/Dockerfile has no runtime stage with one COPY --from=builder line"
    exit 1
  fi
  podman build -q -t "$NODE_IMAGE" -f "$context/Containerfile" "$context" >/dev/null
  rm -rf "$context"
  # The base image stands in for the redis and nginx images too.
  podman tag "$BASE_IMAGE" localhost/switchboard-redis:compose localhost/switchboard-lb:compose
}

ready() {
  curl -fs -o /dev/null --max-time 2 "http://$LB/healthz" || return 1
  local port
  for port in "${NODE_PORTS[@]}"; do
    curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$port/readyz" || return 1
  done
}

wait_ready() {
  local deadline=$((SECONDS + READY_TIMEOUT))
  until ready; do
    if [ $SECONDS -ge $deadline ]; then
      log "not ready after ${READY_TIMEOUT}s"
      status_report >&2
      return 1
    fi
    sleep 1
  done
}

status_report() {
  podman ps -a --filter "label=io.podman.compose.project=$PROJECT" \
    --format '{{.Names}} {{.Status}}' || true
  local port
  for port in "${NODE_PORTS[@]}"; do
    echo "127.0.0.1:$port/readyz: $(curl -sS --max-time 2 "http://127.0.0.1:$port/readyz" 2>&1)"
  done
}

container_of() {
  local name
  name=$(podman ps -a --filter "label=io.podman.compose.project=$PROJECT" \
    --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' | head -n 1)
  [ -n "$name" ] || { log "no container for service $1"; exit 1; }
  echo "$name"
}

down() {
  compose down -t 5 >/dev/null 2>&1 || true
  # Whatever `down` missed (a container of an older run, or of a half-finished `up`).
  local leftover
  leftover=$(podman ps -aq --filter "label=io.podman.compose.project=$PROJECT")
  [ -z "$leftover" ] || podman rm -f -t 0 $leftover >/dev/null
  if podman network exists "${PROJECT}_default" 2>/dev/null; then
    podman network rm -f "${PROJECT}_default" >/dev/null
  fi
}

main() {
  local command=${1:-}
  case "$command" in
    can-run) can_run ;;
    up)
      reason=$(can_run) || { log "podman cannot run here: $reason"; exit 1; }
      containers_conf
      base_image
      node_image
      down
      log "starting the cluster"
      compose up -d --no-build >"$CACHE/up.log" 2>&1 || { cat "$CACHE/up.log" >&2; exit 1; }
      wait_ready
      log "ready: load balancer on $LB, nodes on 127.0.0.1:${NODE_PORTS[*]}"
      ;;
    status)
      containers_conf
      if ready; then status_report; else status_report >&2; exit 1; fi
      ;;
    down) containers_conf; down ;;
    kill|restart|start)
      [ -n "${2:-}" ] || { log "usage: $0 $command SERVICE"; exit 2; }
      containers_conf
      # Without systemd, podman complains about healthcheck timers on every start: keep its
      # output for when the command fails.
      if ! podman "$command" "$(container_of "$2")" >"$CACHE/podman.log" 2>&1; then
        cat "$CACHE/podman.log" >&2
        exit 1
      fi
      ;;
    logs)
      containers_conf
      if [ -n "${2:-}" ]; then podman logs "$(container_of "$2")"; else compose logs; fi
      ;;
    *)
      sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
}

main "$@"
