# RabbitMQ from Debian's rabbitmq-server, standing in for rabbitmq:*-management (RABBITMQ_IMAGE):
# the management plugin on 15672, AMQP on 5672, the user from RABBITMQ_DEFAULT_USER/PASS, data
# in /var/lib/rabbitmq, logs on the console, and rabbitmq-diagnostics for the healthcheck.
ARG DEBIAN_BASE=sofifi-debian:bookworm
FROM ${DEBIAN_BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rabbitmq-server \
 && rm -rf /var/lib/apt/lists/* \
 && rabbitmq-plugins enable --offline rabbitmq_management \
 && : > /etc/rabbitmq/rabbitmq-env.conf
COPY rabbitmq-entrypoint.sh /usr/local/bin/rabbitmq-entrypoint
VOLUME /var/lib/rabbitmq
EXPOSE 5672 15672
ENTRYPOINT ["rabbitmq-entrypoint"]
CMD ["rabbitmq-server"]
