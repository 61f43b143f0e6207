#!/usr/bin/env bash
# Writes rabbitmq.conf from the environment (as the official image does), then runs the server.
set -euo pipefail
conf=/etc/rabbitmq/rabbitmq.conf
{
  echo "listeners.tcp.default = 5672"
  echo "management.tcp.port = 15672"
  echo "log.console = true"
  echo "log.file = false"
  echo "loopback_users = none"
  if [ -n "${RABBITMQ_DEFAULT_USER:-}" ]; then
    echo "default_user = $RABBITMQ_DEFAULT_USER"
    echo "default_pass = ${RABBITMQ_DEFAULT_PASS:?RABBITMQ_DEFAULT_PASS is not set}"
    echo "default_user_tags.administrator = true"
  fi
} > "$conf"
chown rabbitmq:rabbitmq /var/lib/rabbitmq
chmod 640 "$conf"
chgrp rabbitmq "$conf"
exec "$@"
