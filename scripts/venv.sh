# Sourced by the other scripts after scripts/install.sh: puts the project's virtual environment
# (.venv, or $WUZHA_VENV) first on PATH, so `wuzha`, `python3`, `ruff` and `pytest` are its own.
venv_dir=${WUZHA_VENV:-.venv}
case $venv_dir in /*) ;; *) venv_dir=$PWD/$venv_dir ;; esac
export VIRTUAL_ENV=$venv_dir
export PATH=$venv_dir/bin:$PATH
unset venv_dir
