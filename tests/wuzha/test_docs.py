"""Every setting is documented in the README, and the table there is current."""

from __future__ import annotations

import re
from pathlib import Path

from ground.settings import Settings, env_var_name, settings_table

README = Path(__file__).resolve().parents[2] / "README.md"


def _settings_block() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- settings:start -->\n(.*?)\n<!-- settings:end -->", text, re.DOTALL)
    assert match, "README lacks the <!-- settings:start/end --> block"
    return match.group(1).strip()


def test_every_setting_is_in_the_readme():
    block = _settings_block()
    missing = [
        env_var_name(name, field)
        for name, field in Settings.model_fields.items()
        if f"`{env_var_name(name, field)}`" not in block
    ]
    assert not missing, f"settings missing from README: {missing}"


def test_readme_settings_table_is_current():
    assert _settings_block() == settings_table(), (
        "README settings table is stale: regenerate it with `wuzha config --markdown`"
    )


def test_every_setting_has_a_description():
    assert all(field.description for field in Settings.model_fields.values())
