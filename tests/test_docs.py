"""Every setting daybook reads is documented, and nothing documented is gone."""

import re
from pathlib import Path

from daybook.config import SETTINGS_DOC

DOC = Path(__file__).parent.parent / "docs" / "configuration.md"


def test_every_setting_is_documented_and_every_documented_one_exists():
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", DOC.read_text(), re.MULTILINE))
    assert documented == set(SETTINGS_DOC)


def test_settings_module_reads_only_documented_variables():
    source = (Path(__file__).parent.parent / "src" / "daybook" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|list)\("([A-Z_]+)"', source))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', source))
    assert read <= set(SETTINGS_DOC)
    assert read == set(SETTINGS_DOC)
