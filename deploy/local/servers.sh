#!/usr/bin/env bash
# Make sure the local RabbitMQ and PostgreSQL answer; start them if they are installed but stopped.
# Used by `make up` and by CI (a test that stopped a server must not fail the next run).
set -euo pipefail

broker_host=${FORLOB_LOCAL_BROKER_HOST:-127.0.0.1}
broker_port=${FORLOB_LOCAL_BROKER_PORT:-5672}
pg_host=${FORLOB_LOCAL_PG_HOST:-127.0.0.1}
pg_port=${FORLOB_LOCAL_PG_PORT:-5432}

answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() {  # name host port seconds
  local deadline=$((SECONDS + $4))
  until answers "$2" "$3"; do
    if ((SECONDS >= deadline)); then echo "servers: $1 on $2:$3 did not come up within $4 s" >&2; return 1; fi
    sleep 0.5
  done
}

if ! answers "$pg_host" "$pg_port"; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -1)
    echo "servers: starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  else
    echo "servers: PostgreSQL is not reachable on $pg_host:$pg_port and not installed here" >&2
  fi
  wait_for PostgreSQL "$pg_host" "$pg_port" 60
fi

if ! answers "$broker_host" "$broker_port"; then
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "servers: starting RabbitMQ"
    rabbitmq-server -detached || true
  else
    echo "servers: RabbitMQ is not reachable on $broker_host:$broker_port and not installed here" >&2
  fi
  wait_for RabbitMQ "$broker_host" "$broker_port" 120
fi
# The port answers before the node is ready for channels: wait for it properly where we can.
if command -v rabbitmqctl >/dev/null 2>&1 && [ "$broker_host" = 127.0.0.1 ]; then
  timeout 120 rabbitmqctl await_startup >/dev/null 2>&1 || true
fi
echo "servers: PostgreSQL $pg_host:$pg_port and RabbitMQ $broker_host:$broker_port answer"
