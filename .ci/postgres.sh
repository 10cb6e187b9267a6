#!/usr/bin/env bash
# A throwaway PostgreSQL server for the registry tests: a fresh cluster in a temp dir, run by a non-root user,
# listening on 127.0.0.1 and a free local port; AUDIT_TEST_PG_URL names its test database.
#
#   source .ci/postgres.sh           # (CI) start it, export AUDIT_TEST_PG_URL; stopped and removed at shell exit
#   .ci/postgres.sh CMD [ARGS...]    # (locally) start it, run CMD with AUDIT_TEST_PG_URL set, stop it
#
# As root: installs the Debian `postgresql` package when no initdb is found, runs the server as `postgres`
# (created if absent). As any other user: needs the server binaries already, runs the server as that user.
# Durability is off (fsync, synchronous_commit, full_page_writes): the data dies with the temp dir anyway.

_pg_main() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ ! -x "$bin/initdb" ]]; then
    if [[ $EUID -ne 0 ]]; then
      echo "postgres.sh: no /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql" >&2
      return 1
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1) || return 1
  fi

  local as=()
  if [[ $EUID -eq 0 ]]; then
    id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres || return 1
    as=(runuser -u postgres --)
  fi

  local port
  port=$(python3 - <<'EOF'
import socket
for port in range(55432, 55532):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: TIME_WAIT is no obstacle
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
EOF
  )
  [[ -n "$port" ]] || { echo "postgres.sh: no free port in 55432-55531" >&2; return 1; }

  _PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/audit-pg.XXXXXX") || return 1
  if [[ $EUID -eq 0 ]]; then chown postgres: "$_PG_DIR" || return 1; fi
  _PG_CTL=("${as[@]}" "$bin/pg_ctl" -D "$_PG_DIR/data")
  local pass
  pass=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')

  # Local (socket) connections: trust, but the socket lives in the 0700 temp dir. TCP: password only.
  "${as[@]}" "$bin/initdb" -D "$_PG_DIR/data" -U postgres --no-locale -E UTF8 --no-sync \
    --auth-local=trust --auth-host=scram-sha-256 >"$_PG_DIR/initdb.log" 2>&1 ||
    { cat "$_PG_DIR/initdb.log" >&2; return 1; }
  "${_PG_CTL[@]}" -l "$_PG_DIR/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $_PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null || { cat "$_PG_DIR/server.log" >&2; return 1; }
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 30 || { cat "$_PG_DIR/server.log" >&2; return 1; }

  "${as[@]}" "$bin/psql" -q -X -v ON_ERROR_STOP=1 -h "$_PG_DIR" -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE audit LOGIN PASSWORD '$pass'" -c "CREATE DATABASE audit_test OWNER audit" >/dev/null || return 1

  export AUDIT_TEST_PG_URL="postgresql+psycopg://audit:$pass@127.0.0.1:$port/audit_test"
  echo "postgres.sh: PostgreSQL $("$bin/postgres" -V | awk '{print $3}') on 127.0.0.1:$port (data in $_PG_DIR)"
}

_pg_stop() {
  [[ -n "${_PG_DIR:-}" ]] || return 0
  "${_PG_CTL[@]}" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$_PG_DIR"
  _PG_DIR=
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: stop at the caller's exit, on success and failure alike.
  trap _pg_stop EXIT
  _pg_main || { _pg_stop; return 1; }
else
  set -euo pipefail
  trap _pg_stop EXIT
  _pg_main
  if (($#)); then "$@"; else echo "AUDIT_TEST_PG_URL=$AUDIT_TEST_PG_URL (stopped on exit: pass a command to run)"; fi
fi
