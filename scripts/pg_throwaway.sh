#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on a free local port and print its URL on the last line.
# Usage: eval "$(scripts/pg_throwaway.sh start DIR)"  →  exports BILIM_TEST_POSTGRES_URL and PG_THROWAWAY_DIR
#        scripts/pg_throwaway.sh stop DIR
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a directory for the cluster}

pgbin=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -Vr); do
  if [ -x "$candidate/initdb" ]; then pgbin=$candidate; break; fi
done
if [ -z "$pgbin" ]; then
  echo "PostgreSQL server binaries not found (Debian package postgresql)" >&2
  exit 3
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_pg "$pgbin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    as_pg "$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE bilim" >/dev/null
    echo "export PG_THROWAWAY_DIR=$dir"
    echo "export PATH=$pgbin:\$PATH"
    echo "export BILIM_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/bilim"
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_pg "$pgbin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
