#!/usr/bin/env bash
# Build every image docker-compose.yml needs from Debian packages alone: no image registry.
#   deploy/debian/build-images.sh        (or `make images-debian`)
# 1. debootstrap a minimal Debian into a tarball (cached under var/debian/) and `docker import`
#    it as $SOFIFI_DEBIAN_BASE;
# 2. on that base: Python ($SOFIFI_BASE_IMAGE, what deploy/Dockerfile builds FROM), RabbitMQ
#    ($RABBITMQ_IMAGE) and PostgreSQL ($POSTGRES_IMAGE), each from apt;
# 3. the platform image ($SOFIFI_IMAGE) from deploy/Dockerfile on that Python (its Python
#    packages still come from PyPI, or from the index PIP_INDEX_URL names).
# Then run compose with the same variables (printed at the end), e.g. `set -a; . var/debian/images.env`.
# Settings (environment): DEBIAN_MIRROR and DEBIAN_SUITE (default: the first of apt's own sources),
# DOCKER (default docker), SOFIFI_DEBIAN_CACHE (default var/debian), SOFIFI_LOCAL_CA (default
# /usr/local/share/ca-certificates: the local certificate authorities this host trusts, e.g. of a
# TLS-inspecting proxy or an internal package index; the Python image trusts them too).
set -euo pipefail
cd "$(dirname "$0")/../.."

DOCKER=${DOCKER:-docker}
cache=${SOFIFI_DEBIAN_CACHE:-var/debian}
apt_source() { # the first URIs/Suites of apt's deb822 sources, else of sources.list
  local field=$1
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    awk -v f="$field:" '$1 == f { print $2; exit }' /etc/apt/sources.list.d/debian.sources
  elif [ -f /etc/apt/sources.list ]; then
    awk -v f="$field" '$1 == "deb" { print (f == "URIs" ? $2 : $3); exit }' /etc/apt/sources.list
  fi
}
mirror=${DEBIAN_MIRROR:-$(apt_source URIs)}
mirror=${mirror:-http://deb.debian.org/debian}
suite=${DEBIAN_SUITE:-$(apt_source Suites)}
suite=${suite:-bookworm}

base=${SOFIFI_DEBIAN_BASE:-sofifi-debian:$suite}
python_image=${SOFIFI_BASE_IMAGE:-sofifi-debian-python:$suite}
rabbitmq_image=${RABBITMQ_IMAGE:-sofifi-debian-rabbitmq:$suite}
postgres_image=${POSTGRES_IMAGE:-sofifi-debian-postgres:$suite}
sofifi_image=${SOFIFI_IMAGE:-sofifi-asn:debian}

mkdir -p "$cache"
tarball="$cache/$suite-minbase.tar"
if [ ! -s "$tarball" ]; then
  command -v debootstrap >/dev/null || { echo "install debootstrap (apt-get install debootstrap)" >&2; exit 1; }
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  echo "debootstrap $suite from $mirror"
  debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" "$mirror"
  # apt in the image uses the same mirror; no caches, no docs.
  echo "deb $mirror $suite main" > "$root/etc/apt/sources.list"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" --numeric-owner -cf "$tarball.part" .
  mv "$tarball.part" "$tarball"
  rm -rf "$root"
  trap - EXIT
fi
if ! "$DOCKER" image inspect "$base" >/dev/null 2>&1; then
  "$DOCKER" import --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' "$tarball" "$base"
fi

build() { # image, dockerfile, context, extra args...
  local image=$1 file=$2 context=$3
  shift 3
  echo "building $image ($file)"
  "$DOCKER" build -q --build-arg "DEBIAN_BASE=$base" -t "$image" -f "$file" "$@" "$context"
}
# The Python image's context: the local CAs only (pip in the build trusts the system store).
context=$(mktemp -d)
mkdir -p "$context/local-ca"
for cert in "${SOFIFI_LOCAL_CA:-/usr/local/share/ca-certificates}"/*.crt; do
  [ -f "$cert" ] && cp "$cert" "$context/local-ca/"
done
build "$python_image" deploy/debian/python.Dockerfile "$context"
rm -rf "$context"
build "$rabbitmq_image" deploy/debian/rabbitmq.Dockerfile deploy/debian
build "$postgres_image" deploy/debian/postgres.Dockerfile deploy/debian
build "$sofifi_image" deploy/Dockerfile . --build-arg "PYTHON_IMAGE=$python_image"

cat > "$cache/images.env" <<ENV
SOFIFI_BASE_IMAGE=$python_image
RABBITMQ_IMAGE=$rabbitmq_image
POSTGRES_IMAGE=$postgres_image
SOFIFI_IMAGE=$sofifi_image
ENV
echo "built; compose with these (also in $cache/images.env):"
cat "$cache/images.env"
