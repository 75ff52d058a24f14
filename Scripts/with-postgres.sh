#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster: initdb into a temporary folder, the
# server on a free loopback port (and on PG_LISTEN's addresses too, if set), trust for local
# connections only, stopped and removed when the command ends however it ends. The command
# sees the cluster's address in FASHION_TEST_POSTGRES (postgresql://postgres@127.0.0.1:PORT/postgres).
# Without PostgreSQL's programs (Debian's postgresql) the command runs without the variable,
# and the tests that need a server skip, saying so.
set -euo pipefail

bin=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { bin="$d"; break; }
done
if [ -z "$bin" ] && command -v initdb >/dev/null 2>&1; then bin="$(dirname "$(command -v initdb)")"; fi
if [ -z "$bin" ]; then
  echo "with-postgres: no PostgreSQL server programs (initdb, pg_ctl); the PostgreSQL tests will skip" >&2
  exec "$@"
fi

dir="$(mktemp -d /tmp/fashion-pg.XXXXXX)"
# initdb refuses to run as root: as root the cluster belongs to the postgres user.
as=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$dir"
  as=(runuser -u postgres --)
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
listen="127.0.0.1${PG_LISTEN:+,$PG_LISTEN}"

stop() {
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
# Stopped from outside (a watchdog, Ctrl-C), the cluster is still removed.
trap 'exit 143' TERM
trap 'exit 130' INT

"${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# Trust on the test hosts' addresses too (the fault test's network namespaces), nothing else.
if [ -n "${PG_LISTEN_NET:-}" ]; then
  echo "host all all $PG_LISTEN_NET trust" >>"$dir/data/pg_hba.conf"
fi
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
  -o "-p $port -k $dir -c listen_addresses=$listen -c fsync=off -c synchronous_commit=off -c max_connections=200" \
  >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
echo "with-postgres: a throwaway PostgreSQL ($("$bin/postgres" --version | awk '{print $3}')) on 127.0.0.1:$port" >&2

export FASHION_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$port/postgres"
export FASHION_TEST_POSTGRES_PORT="$port"
export FASHION_TEST_POSTGRES_BIN="$bin"
set +e
"$@"
status=$?
set -e
exit $status
