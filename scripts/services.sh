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

# A broker can hold its port open and still not answer (overloaded, or left half-stopped):
# speak the first AMQP 0-9-1 step and wait for the server's Connection.Start frame (type 1).
amqp_answers() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/5672" || exit 1
    printf 'AMQP\x00\x00\x09\x01' >&3
    IFS= read -r -t 10 -n 1 frame <&3 || exit 1
    [ "$frame" = $'\x01' ]
  ) 2>/dev/null
}

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

if port_open 5672 && ! amqp_answers; then
  echo "RabbitMQ holds port 5672 but does not answer the AMQP handshake; restarting it"
  timeout 60 rabbitmqctl stop >/dev/null 2>&1 || pkill -9 -u rabbitmq beam.smp || true
  for _ in $(seq 1 30); do port_open 5672 || break; sleep 1; done
fi
if ! port_open 5672; then
  echo "starting RabbitMQ"
  rabbitmq-server -detached || true
fi
wait_for "RabbitMQ answering AMQP on 127.0.0.1:5672" amqp_answers || status=1
if [ $status -eq 0 ] && command -v rabbitmq-diagnostics >/dev/null; then
  # A memory or disk alarm blocks every publisher: the tests would hang, not fail.
  timeout 60 rabbitmq-diagnostics -q check_local_alarms >/dev/null 2>&1 \
    || { echo "FAILED: RabbitMQ reports a resource alarm (rabbitmq-diagnostics alarms); free memory or disk" >&2; status=1; }
fi

exit $status
