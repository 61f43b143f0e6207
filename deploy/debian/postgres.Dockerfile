# PostgreSQL from Debian's postgresql, standing in for postgres:*-alpine (POSTGRES_IMAGE): the same
# interface as the official image for what compose uses: POSTGRES_USER/PASSWORD, PGDATA in
# /var/lib/postgresql/data, scripts in /docker-entrypoint-initdb.d run once on an empty volume
# against a server listening on its socket only, and pg_isready for the healthcheck.
ARG DEBIAN_BASE=sofifi-debian:bookworm
FROM ${DEBIAN_BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/lib/postgresql/*/bin /usr/lib/postgresql/bin \
 && mkdir -p /docker-entrypoint-initdb.d /var/lib/postgresql/data /run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /run/postgresql
ENV PATH=/usr/lib/postgresql/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["postgres-entrypoint"]
CMD ["postgres"]
