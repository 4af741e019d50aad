#!/usr/bin/env bash
# Starts the local backends the test suite uses, if they are down, and fails
# loudly when one cannot be reached. Used by .ci/run; safe to run by hand.
set -uo pipefail

wait_for() { # name, check command
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then echo "ok: $name"; return 0; fi
    sleep 1
  done
  echo "FAILED: $name is not reachable after 60 s; the test suite needs it (see scripts/services.sh)" >&2
  return 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

status=0
if ! port_open 5432; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
wait_for "PostgreSQL on 127.0.0.1:5432" pg_isready -h 127.0.0.1 -p 5432 || status=1

if ! port_open 6379; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
wait_for "Redis on 127.0.0.1:6379" redis-cli -h 127.0.0.1 -p 6379 ping || status=1

if ! port_open 5672; then
  echo "starting RabbitMQ"
  rabbitmq-server -detached || true
fi
wait_for "RabbitMQ on 127.0.0.1:5672" port_open 5672 || status=1

exit $status
