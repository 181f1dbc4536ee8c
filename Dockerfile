# Multi-stage build: compile in the Rust image, run as an unprivileged user in a slim Debian.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
RUN cargo build --release --locked && strip target/release/mutt

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin mutt
COPY --from=build /src/target/release/mutt /usr/local/bin/mutt
USER mutt
ENTRYPOINT ["/usr/local/bin/mutt"]
CMD ["--help"]
