"""Every setting the legal and help pages read is documented in the README's configuration."""

from __future__ import annotations

import re
from pathlib import Path

from config import Config

README = Path(__file__).resolve().parents[2] / "README.md"
PREFIXES = ("OPERATOR_", "DPO_", "ACCESSIBILITY_", "SUPPORT_", "HOSTING_", "PUBLICATION_")


def test_legal_settings_are_in_the_readme():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section))
    settings = {name for name in vars(Config) if name.startswith(PREFIXES)}
    assert len(settings) >= 15
    assert settings - documented == set()
