"""scripts/install.sh on a Debian interpreter that refuses `pip install` (PEP 668): the
packages go into the project's virtual environment, never the system interpreter."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# A system interpreter as Debian 12/13 ship it: `-m pip` is refused, `-m venv` works. The venv
# it makes holds a python that records what it is asked and "installs" wuzha.
SYSTEM_PYTHON = r"""#!/usr/bin/env bash
echo "system $*" >> "$CALLS"
case "$1 $2" in
  "-m pip") echo "error: externally-managed-environment" >&2; exit 1 ;;
  "-m venv")
    mkdir -p "$3/bin"
    cat > "$3/bin/python" <<'VENV'
#!/usr/bin/env bash
echo "venv $*" >> "$CALLS"
if [ "$1 $2" = "-m pip" ]; then touch "$(dirname "$0")/wuzha"; chmod +x "$(dirname "$0")/wuzha"; fi
if [ "$1" = "--version" ]; then echo "Python 3.11.2"; fi
VENV
    chmod +x "$3/bin/python"; exit 0 ;;
esac
if [ "$1" = "--version" ]; then echo "Python 3.11.2"; fi
"""

NEEDED = ("chromium", "redis-server", "java", "mvn", "fc-list")


@pytest.fixture()
def debian_python(tmp_path: Path) -> dict[str, str]:
    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"install.sh would apt-get install {', '.join(missing)} first")
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    python = stubs / "python3"
    python.write_text(SYSTEM_PYTHON)
    python.chmod(0o755)
    return {
        **os.environ,
        "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}",
        "CALLS": str(tmp_path / "calls.log"),
        "WUZHA_VENV": str(tmp_path / "venv"),
        "WUZHA_PYTHON": str(python),
    }


def _install(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(REPO / "scripts" / "install.sh")],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_packages_go_into_the_project_venv_not_the_system_interpreter(debian_python):
    done = _install(debian_python)
    assert done.returncode == 0, done.stderr
    calls = Path(debian_python["CALLS"]).read_text().splitlines()
    assert not [c for c in calls if c.startswith("system -m pip")]
    assert any(c.startswith("venv -m pip install") and "-e .[test]" in c for c in calls)
    assert "source" in done.stdout and "bin/activate" in done.stdout  # how to get it on PATH


def test_second_install_skips_pip(debian_python):
    assert _install(debian_python).returncode == 0
    Path(debian_python["CALLS"]).unlink()
    assert _install(debian_python).returncode == 0
    calls = Path(debian_python["CALLS"]).read_text().splitlines()
    assert not [c for c in calls if "-m pip" in c]


def test_the_scripts_run_wuzha_from_the_venv(debian_python):
    assert _install(debian_python).returncode == 0
    found = subprocess.run(
        ["bash", "-c", "source scripts/venv.sh && command -v wuzha"],
        cwd=REPO,
        env=debian_python,
        check=False,
        capture_output=True,
        text=True,
    )
    assert found.stdout.strip() == str(Path(debian_python["WUZHA_VENV"]) / "bin" / "wuzha")
    for script in ("demo.sh", "test.sh", "services.sh"):
        assert "source scripts/venv.sh" in (REPO / "scripts" / script).read_text()
