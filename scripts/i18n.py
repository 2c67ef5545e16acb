"""Keep the translation catalogues in step with the code.

    python scripts/i18n.py update    extract every message, merge into zh_Hans and en
    python scripts/i18n.py compile   write the .mo files Flask-Babel reads
    python scripts/i18n.py missing   list messages without a translation (exit 1 if any)
    python scripts/i18n.py set zh_Hans < translations.json
                                     write {"msgid": "译文"} (a list for plural forms)
    python scripts/i18n.py adopt REF [BASE]
                                     after merging a branch (keep our .po, update, adopt):
                                     take its translations ours lack, and those it changed
                                     since the merge base while ours did not

Messages are written in English in the code, so the English catalogue takes the source text
(`update` fills it); the Chinese catalogue is translated by hand.
"""

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "muling_kiosk" / "translations"
LOCALES = ("zh_Hans", "en")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}


def extract() -> Catalog:
    """Every message in the Python code and the templates, as babel.cfg says."""
    with open(ROOT / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    template = Catalog(project="muling-kiosk", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load(locale: str) -> Catalog:
    with open(po_path(locale), "rb") as handle:
        return read_po(handle, locale=locale)


def save(catalog: Catalog, locale: str) -> None:
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, omit_header=False)


def update() -> None:
    template = extract()
    for locale in LOCALES:
        catalog = load(locale) if po_path(locale).exists() else Catalog(locale=locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if locale == "en":
            for message in catalog:
                if message.id and not _translated(message) and not _chinese(message.id):
                    message.string = message.id if isinstance(message.id, str) else tuple(
                        message.id[min(i, 1)] for i in range(catalog.num_plurals)
                    )
        save(catalog, locale)
    print("updated:", ", ".join(LOCALES))


def compile_all() -> None:
    for locale in LOCALES:
        catalog = load(locale)
        with open(po_path(locale).with_suffix(".mo"), "wb") as handle:
            write_mo(handle, catalog)


HAN = re.compile(r"[\u3400-\u9fff]")


def _chinese(text) -> bool:
    """A message written in Chinese (its first letter is a Han character), not an English one
    with a Chinese example in it."""
    text = re.sub(r"%\([a-z_]+\)[sd]|\{[a-z_]*\}", "", str(text))
    first = next((char for char in text if char.isalpha()), "")
    return bool(HAN.match(first))


def _translated(message, locale: str = "") -> bool:
    """Has a translation; in English, a Chinese msgid is not its own translation."""
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    if locale == "en" and _chinese(message.id) and any(_chinese(text) for text in strings):
        return False
    return bool(strings) and all(strings) and "fuzzy" not in message.flags


def missing() -> dict[str, list[str]]:
    """For each locale, the extracted messages its catalogue lacks or leaves untranslated."""
    wanted = [m.id for m in extract() if m.id]
    gaps: dict[str, list[str]] = {}
    for locale in LOCALES:
        catalog = load(locale)
        gaps[locale] = []
        for msgid in wanted:
            key = msgid[0] if isinstance(msgid, tuple) else msgid
            message = catalog.get(key)
            if message is None or not _translated(message, locale):
                gaps[locale].append(key)
    return gaps


def set_strings(locale: str, strings: dict) -> None:
    catalog = load(locale)
    unknown = [msgid for msgid in strings if catalog.get(msgid) is None]
    if unknown:
        sys.exit("not in the catalogue (run update first): " + "; ".join(unknown))
    for msgid, text in strings.items():
        message = catalog.get(msgid)
        message.string = tuple(text) if isinstance(text, list) else text
        message.flags.discard("fuzzy")
    save(catalog, locale)


def _catalog_at(ref: str, locale: str) -> Catalog | None:
    import io
    import subprocess

    relative = po_path(locale).relative_to(ROOT)
    shown = subprocess.run(["git", "show", f"{ref}:{relative}"], cwd=ROOT, capture_output=True)
    return read_po(io.BytesIO(shown.stdout), locale=locale) if shown.returncode == 0 else None


def adopt(ref: str, base: str | None = None) -> None:
    """Take from the catalogues at another git ref the translations ours lack, and (given the
    merge base) those the other side changed while ours kept the base's: a three-way merge of
    the translations, after a merge kept our .po files and `update` extracted the messages."""
    import subprocess

    if base is None:
        base = subprocess.run(["git", "merge-base", "HEAD", ref], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip() or None
    for locale in LOCALES:
        theirs, ancestor, ours = _catalog_at(ref, locale), None, load(locale)
        if base:
            ancestor = _catalog_at(base, locale)
        adopted = changed = 0
        for message in ours:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            other = theirs.get(key) if theirs else None
            if other is None or not _translated(other, locale) or other.string == message.string:
                continue
            old = ancestor.get(key) if ancestor else None
            if not _translated(message, locale):
                adopted += 1
            elif old is not None and old.string == message.string:
                changed += 1  # only their side changed it
            else:
                continue
            message.string = other.string
            message.flags.discard("fuzzy")
        save(ours, locale)
        print(f"{locale}: adopted {adopted}, took {changed} changed translations from {ref}")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "missing"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "missing":
        gaps = missing()
        for locale, ids in gaps.items():
            for msgid in ids:
                print(f"{locale}: {msgid}")
        sys.exit(1 if any(gaps.values()) else 0)
    elif command == "adopt":
        adopt(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif command == "set":
        import json

        set_strings(sys.argv[2], json.load(sys.stdin))
    else:
        sys.exit(__doc__)
