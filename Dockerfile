# mutt: one binary for every daemon and command. Multi-stage: compile in the Rust image with the
# committed Cargo.lock, run as an unprivileged user in a slim Debian with only CA certificates.
#
#   docker build -t mutt:0.1.0 .
#   docker run --rm -p 8080:8080 --env-file /etc/mutt/mutt.env mutt:0.1.0 ingest serve
#   docker run --rm -p 5514:5514/udp -p 5514:5514/tcp -p 2514:2514 --env-file /etc/mutt/mutt.env \
#     mutt:0.1.0 syslog serve
#
# One image serves every role; the command picks it (ingest serve, syslog serve, alert run,
# forward run, remediate run, web serve, retention run, partitions ensure, migrate, trap-handler).

FROM rust:1-bookworm AS build
WORKDIR /src
# Manifests first so the dependency layer is cached across source edits.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
 && cargo fetch --locked \
 && rm -rf src
COPY src ./src
COPY migrations ./migrations
# `mutt up` embeds the example rules.
COPY examples ./examples
RUN cargo build --release --locked --bin mutt \
 && strip target/release/mutt

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 mutt \
 && useradd --system --uid 10001 --gid mutt --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin mutt
COPY --from=build /src/target/release/mutt /usr/local/bin/mutt
USER 10001:10001
# Containers log to stdout as JSON lines; listeners bind every interface of the pod.
ENV LOG_JSON_ENABLED=true \
    MUTT_BIND_ADDRESS=0.0.0.0
# ingest 8080, alerter metrics/health 8081/8082, forwarder 8083/8084, remediation 8086/8087,
# syslog metrics/health 8088/8089, web 8090
EXPOSE 8080 8081 8082 8083 8084 8086 8087 8088 8089 8090
# syslog receiver: UDP and TCP 5514, RELP 2514, TLS 6514 (all unprivileged: the image runs as 10001)
EXPOSE 5514/udp 5514/tcp 2514/tcp 6514/tcp
# No HEALTHCHECK: the port to probe depends on the role. Orchestrators probe /health/live and
# /health/ready on it (see deploy/kubernetes/).
ENTRYPOINT ["mutt"]
CMD ["--help"]
