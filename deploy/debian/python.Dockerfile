# Python 3 from Debian: what deploy/Dockerfile builds FROM when no registry is reachable
# (SOFIFI_BASE_IMAGE). `python` is python3; venv brings pip. The local certificate authorities
# the build script puts in the context (local-ca/) join the system store, which pip uses.
ARG DEBIAN_BASE=sofifi-debian:bookworm
FROM ${DEBIAN_BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-venv python-is-python3 \
 && rm -rf /var/lib/apt/lists/*
COPY local-ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt
CMD ["python"]
