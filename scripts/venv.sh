# Sourced by the other scripts after scripts/install.sh: puts the project's virtual environment
# (.venv in the checkout, or $WUZHA_VENV) first on PATH, so `wuzha`, `python3`, `ruff` and
# `pytest` are its own.
venv_dir=${WUZHA_VENV:-.venv}
case $venv_dir in /*) ;; *) venv_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/$venv_dir ;; esac
export VIRTUAL_ENV=$venv_dir
export PATH=$venv_dir/bin:$PATH
unset venv_dir
