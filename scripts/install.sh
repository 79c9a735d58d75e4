#!/usr/bin/env bash
# Installs what wuzha needs on a fresh Debian machine (run as root), quickly the second time:
# Debian packages only when missing, pip only when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
fc-list 2>/dev/null | grep -qi "cjk\|wqy" || need_apt+=(fonts-wqy-zenhei)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${need_apt[*]}. Run as root, or: sudo apt-get install ${need_apt[*]}" >&2
    exit 1
  fi
  echo "== apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

stamp=.install-stamp
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $(python3 --version 2>&1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! command -v wuzha >/dev/null 2>&1; then
  echo "== pip install -e .[test]"
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -e '.[test]'
  echo "$want" > "$stamp"
fi
