#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL 15 cluster for the test run.
#   scripts/pg_throwaway.sh start DIR   -> prints a database URL on stdout
#   scripts/pg_throwaway.sh stop DIR
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
action=$1
dir=$2

as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = "0" ]; then chown postgres "$dir"; fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U veracity --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      --data-checksums >"$dir/initdb.log" 2>&1
    # A throwaway cluster for tests: durability off for speed (production keeps fsync on; docs/deploy.md).
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      >/dev/null
    echo "postgres://veracity@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
