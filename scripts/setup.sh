#!/usr/bin/env bash
# Install what mutt's tests and `mutt up` need on Debian/Ubuntu, and nothing that is already there:
# redis-server and redis-sentinel (tests/ha_redis.rs fails a master over), the PostgreSQL server only when no initdb/postgres binaries can be found, and
# Debian's chromium + chromium-driver for the web UI's browser test (tests/browser.rs), and
# snmptrapd + snmp (snmptrap) for the trap handler's test against a real snmptrapd (tests/trap_handler.rs),
# and rsyslog (+ rsyslog-relp, rsyslog-gnutls): its rendering of examples/rsyslog/mutt.conf's template is
# checked (tests/rsyslog_example.rs), and it sends to `mutt syslog serve` over omfwd, omrelp and TLS
# (tests/syslog_rsyslog.rs); util-linux's logger (bsdutils) sends RFC 3164/5424 lines (tests/syslog.rs).
# Idempotent: a second run installs nothing.
set -euo pipefail

have_pg_server() {
  command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null 2>&1
}

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-sentinel >/dev/null 2>&1 || missing+=(redis-sentinel)
have_pg_server || missing+=(postgresql)
# The browser test drives exactly these paths (Debian's packages), so check the paths, not PATH.
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v snmptrapd >/dev/null 2>&1 || [ -x /usr/sbin/snmptrapd ] || missing+=(snmptrapd)
command -v snmptrap >/dev/null 2>&1 || missing+=(snmp)
command -v rsyslogd >/dev/null 2>&1 || [ -x /usr/sbin/rsyslogd ] || missing+=(rsyslog)
# The modules are files, not programs: look where Debian puts them.
compgen -G "/usr/lib/*/rsyslog/omrelp.so" >/dev/null 2>&1 || missing+=(rsyslog-relp)
compgen -G "/usr/lib/*/rsyslog/lmnsd_gtls.so" >/dev/null 2>&1 || missing+=(rsyslog-gnutls)
command -v logger >/dev/null 2>&1 || missing+=(bsdutils)

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: redis-server, redis-sentinel, PostgreSQL, chromium/chromedriver, snmptrapd/snmp, rsyslog (relp, gnutls) and logger are present; nothing to install"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: please install: ${missing[*]} (no apt-get on this machine)" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# --no-install-recommends keeps the Debian packages from starting system-wide services we do not use.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's package starts a system redis on 6379; the tests start their own on free ports, so the
# system one is left as the package configured it.
command -v redis-server >/dev/null 2>&1 || { echo "setup: redis-server still missing" >&2; exit 1; }
command -v redis-sentinel >/dev/null 2>&1 || { echo "setup: redis-sentinel still missing" >&2; exit 1; }
# Debian's snmptrapd and rsyslog packages enable system daemons; the tests start their own on free
# loopback ports with their own configuration, so the system ones are left as packaged.
for b in /usr/bin/chromium /usr/bin/chromedriver /usr/sbin/snmptrapd /usr/bin/snmptrap /usr/sbin/rsyslogd; do
  [ -x "$b" ] || { echo "setup: $b still missing" >&2; exit 1; }
done
echo "setup: done"
