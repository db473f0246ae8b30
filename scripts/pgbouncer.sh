#!/usr/bin/env bash
# A throw-away pgbouncer in transaction mode in front of the local PostgreSQL (CI and tests).
#
#   scripts/pgbouncer.sh start [PORT]   # prints the folder of its config, log and pid file
#   scripts/pgbouncer.sh stop FOLDER
#
# Every database name is passed through to 127.0.0.1:5432 (trust authentication, as the
# local server), so a test run may create and drop its own database through it. The app
# behind it needs DATABASE_PGBOUNCER=1 (no server-side prepared statements, see config.py).
set -euo pipefail

case "${1:-}" in
  start)
    port="${2:-6432}"
    dir="$(mktemp -d /tmp/pgbouncer-XXXXXX)"
    chmod 755 "$dir"
    cat > "$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits,options
server_reset_query =
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
admin_users = postgres
INI
    printf '"postgres" ""\n"root" ""\n' > "$dir/userlist.txt"
    chmod 644 "$dir"/*
    user=()
    if [ "$(id -u)" = 0 ]; then
      chown -R postgres "$dir"
      user=(-u postgres)  # pgbouncer refuses to run as root
    fi
    pgbouncer -d "${user[@]}" "$dir/pgbouncer.ini"
    for _ in $(seq 50); do
      if pg_isready -h 127.0.0.1 -p "$port" -q 2>/dev/null; then
        echo "$dir"
        exit 0
      fi
      sleep 0.2
    done
    echo "pgbouncer did not start on port $port, see $dir/pgbouncer.log" >&2
    exit 1
    ;;
  stop)
    dir="${2:?folder printed by start}"
    if [ -f "$dir/pgbouncer.pid" ]; then
      kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start [PORT] | stop FOLDER" >&2
    exit 2
    ;;
esac
