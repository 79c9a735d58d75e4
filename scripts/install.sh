#!/usr/bin/env bash
# Installs what wuzha needs on a fresh Debian machine (run as root), quickly the second time:
# Debian packages only when missing; the Python packages go into the project's own virtual
# environment (.venv, or $WUZHA_VENV), never into the system interpreter (PEP 668 refuses that
# on Debian 12/13), and pip runs only when pyproject.toml changed since the last install.
# Afterwards `wuzha` is .venv/bin/wuzha: `source .venv/bin/activate` puts it on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${WUZHA_VENV:-.venv}
python=${WUZHA_PYTHON:-python3}

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
fc-list 2>/dev/null | grep -qi "cjk\|wqy" || need_apt+=(fonts-wqy-zenhei)

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: $*. Run as root, or: sudo apt-get install $*" >&2
    exit 1
  fi
  echo "== apt-get install $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ ${#need_apt[@]} -gt 0 ]; then apt_install "${need_apt[@]}"; fi

if [ ! -x "$venv/bin/python" ]; then
  echo "== $python -m venv $venv"
  if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    # Debian's interpreter ships venv's pip bootstrap in a package of its own.
    rm -rf "$venv"
    minor=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    apt_install python3-venv "python$minor-venv"
    "$python" -m venv "$venv"
  fi
fi

stamp=$venv/.wuzha-install-stamp
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $("$venv/bin/python" --version 2>&1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x "$venv/bin/wuzha" ]; then
  echo "== pip install -e .[test] into $venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]'
  echo "$want" > "$stamp"
  echo "wuzha is installed in $venv; to put it on PATH: source $venv/bin/activate"
fi
