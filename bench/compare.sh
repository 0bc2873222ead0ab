#!/usr/bin/env bash
# Side-by-side benchmark: ejabberd, Prosody and our full stack (see BENCHMARKS.md).
#   bash bench/compare.sh [--servers ejabberd,prosody,onlinetime] [--runs 3] [--scenarios all|vcard,login,...]
#                         [--seconds 10] [--users 5000] [--vcards 1000] [--idle-connections 5000] [--logins 2000]
#                         [--kafka-brokers host:port] [--mysql-server mysql://root@127.0.0.1:3306]
# Installs Debian's ejabberd and prosody if missing (their services are kept from starting), builds
# the repo and bench/, runs bench/dist/compare/main.js, and makes sure no bench ejabberd is left.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pkg in ejabberd prosody; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (Debian packages; their system services are not started)" >&2
  guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
    guard=/usr/sbin/policy-rc.d
  fi
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  [ -n "$guard" ] && rm -f "$guard"
  # Where systemd runs, the packaged services must not hold 5222 either.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now ejabberd prosody >/dev/null 2>&1 || true
  fi
fi

# Our stack runs from the compiled workspace (dist/); bench/ compiles against its declarations.
with_ours=yes
case " $* " in *" --servers "*) case " $* " in *onlinetime*) ;; *) with_ours=no ;; esac ;; esac
if ! npm run --silent build; then
  if [ "$with_ours" = yes ]; then echo "npm run build failed: our stack cannot run" >&2; exit 1; fi
  echo "npm run build failed; continuing without our stack" >&2
fi
npm run --silent bench:build

leftover() {
  # The comparison stops its servers itself; this is the last guard (our private node name only).
  local pid
  pid=$(pgrep -f 'ejabberd_bench@localhost' | head -n 1 || true)
  if [ -n "$pid" ]; then echo "stopping a leftover bench ejabberd (pid $pid)" >&2; kill "$pid" || true; fi
}
trap leftover EXIT
node bench/dist/compare/main.js "$@"
