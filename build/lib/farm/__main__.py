"""`python -m farm serve …`: the same command as `wuzha farm`, used by farm.serve_subprocess."""

from __future__ import annotations

import sys

from wuzha.cli.farm import farm
from wuzha.errors import UserError

if __name__ == "__main__":
    try:
        farm.main(prog_name="python -m farm", standalone_mode=False)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
