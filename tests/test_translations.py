"""Every message the code and templates use has a Chinese and an English translation."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "scripts" / "i18n.py")
i18n_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n_tool)

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


@pytest.mark.parametrize("locale", i18n_tool.LOCALES)
def test_every_message_is_translated(locale):
    missing = i18n_tool.missing()[locale]
    assert missing == [], f"{locale} lacks: {missing}"


@pytest.mark.parametrize("locale", i18n_tool.LOCALES)
def test_translations_keep_every_placeholder(locale):
    broken = []
    for message in i18n_tool.load(locale):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            if text and set(PLACEHOLDER.findall(text)) != wanted:
                broken.append(f"{ids[0]!r} → {text!r}")
    assert broken == []


def test_the_checker_notices_a_missing_translation(monkeypatch):
    """The test above can fail: a message the catalogue lacks is reported."""
    real_extract = i18n_tool.extract

    def extract_with_a_new_message():
        catalog = real_extract()
        catalog.add("A message nobody translated yet")
        return catalog

    monkeypatch.setattr(i18n_tool, "extract", extract_with_a_new_message)
    gaps = i18n_tool.missing()
    assert gaps["zh_Hans"] == ["A message nobody translated yet"]
    assert gaps["en"] == ["A message nobody translated yet"]
