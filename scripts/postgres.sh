# Sourced by test.sh and bench.sh: start a throwaway PostgreSQL server on loopback, export
# TEST_DATABASE_URL, and stop/remove it when the calling script exits.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$PGBIN" ]; then echo "PostgreSQL is not installed (apt-get install postgresql)"; exit 1; fi
PGDIR=$(mktemp -d); chmod 755 "$PGDIR"
# A free loopback port (PGPORT overrides), so a leftover server never blocks the run.
PGPORT=${PGPORT:-$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
run_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres: "$PGDIR"; su postgres -c "$*"; else bash -c "$*"; fi; }
run_pg "$PGBIN/initdb -D $PGDIR/data -A trust -U postgres --no-sync -E UTF8 >/dev/null"
run_pg "$PGBIN/pg_ctl -D $PGDIR/data -l $PGDIR/log -o '-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c fsync=off' -w start >/dev/null"
trap 'run_pg "$PGBIN/pg_ctl -D $PGDIR/data -m fast -w stop >/dev/null" || true; rm -rf "$PGDIR"' EXIT
export TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres
