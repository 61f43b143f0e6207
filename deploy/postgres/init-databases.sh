#!/usr/bin/env bash
# Runs once, on the first start of an empty PostgreSQL data volume (docker-entrypoint-initdb.d).
# Makes one login role and one database per service and for the gateway, each owned by its role
# and closed to every other role: a service cannot read another service's data.
# Each role's password comes from <NAME>_DB_PASSWORD (compose passes them from .env).
set -euo pipefail

databases="${SOFIFI_DATABASES:-recruitment appraisal training awards feedback gateway}"

for name in $databases; do
  password_var="${name^^}_DB_PASSWORD"
  password="${!password_var:-}"
  if [ -z "$password" ]; then
    echo "init-databases: $password_var is not set" >&2
    exit 1
  fi
  # psql variables (:'x' literal, :"x" identifier) quote the values; nothing is pasted into SQL.
  psql --no-psqlrc -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" \
    --dbname "${POSTGRES_DB:-postgres}" -v name="$name" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'name', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \gexec
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
  echo "init-databases: database $name ready"
done
