# Python 3 from Debian: what deploy/Dockerfile builds FROM when no registry is reachable
# (SOFIFI_BASE_IMAGE). `python` is python3; venv brings pip.
ARG DEBIAN_BASE=sofifi-debian:bookworm
FROM ${DEBIAN_BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-venv python-is-python3 \
 && rm -rf /var/lib/apt/lists/*
CMD ["python"]
