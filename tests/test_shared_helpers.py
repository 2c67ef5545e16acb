"""Shared helpers: phone numbers, names, days, and formula-safe spreadsheets."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from muling_kiosk.exports import csv_bytes, neutralise, xlsx_bytes
from muling_kiosk.privacy import (
    clean_name,
    group_phone,
    has_control_characters,
    is_mobile,
    mask_phone,
    normalise_phone,
)
from muling_kiosk.validation import clean_text, parse_day


@pytest.mark.parametrize(("raw", "ok"), [
    ("13812345678", True), ("19912345678", True), ("12812345678", False),
    ("1381234567", False), ("138123456789", False), ("23812345678", False), ("", False),
])
def test_mainland_mobile_numbers(raw, ok):
    assert is_mobile(raw) is ok


def test_phone_normalising_masking_and_grouping():
    assert normalise_phone(" 138-1234 5678 ") == "13812345678"
    assert mask_phone("13812345678") == "138****5678"
    assert group_phone("13812345678") == "138 1234 5678"
    assert mask_phone("") == "" and mask_phone("123") == "***"


def test_names_are_trimmed_and_control_characters_found():
    assert clean_name("  王   秀英 ") == "王 秀英"
    assert has_control_characters("王\x00秀英") and has_control_characters("a\u202eb")
    assert not has_control_characters("王秀英 Li")


# Invisible characters a paste or a bot brings along: direction marks, embeddings, overrides
# and isolates, zero-width characters and the byte-order mark.
INVISIBLE = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
             "\u2066", "\u2067", "\u2068", "\u2069", "\u200b", "\u200c", "\u200d", "\u2060",
             "\ufeff", "\u061c", "\u00ad"]


@pytest.mark.parametrize("char", INVISIBLE)
def test_free_text_loses_invisible_format_characters(char):
    assert clean_text(f"{char}路灯{char}坏了{char}") == "路灯坏了"


def test_free_text_keeps_lines_and_tabs_and_loses_control_characters():
    assert clean_text("  路灯\x00坏了\x07\r\n三盏\r灯\t。\u2028第二行 ") == "路灯坏了\n三盏\n灯\t。\n第二行"
    assert clean_text(None) == "" and clean_text(5) == "5"
    assert clean_text("Café 🙂 ①") == "Café 🙂 ①"  # letters, emoji and symbols stay


@pytest.mark.parametrize("value", ["=1+1", "+86", "-2", "@SUM(A1)", "\t=x"])
def test_formula_cells_are_neutralised(value):
    assert neutralise(value).startswith("'")


def test_csv_has_a_bom_and_no_formula():
    data = csv_bytes(["姓名", "电话"], [["=HYPERLINK(\"http://x\")", "138****5678"], ["王秀英", None]])
    text = data.decode("utf-8")
    assert text.startswith("\ufeff姓名,电话")
    assert "'=HYPERLINK" in text and "王秀英," in text


def test_xlsx_cells_are_text_never_formulas():
    data = xlsx_bytes(["姓名", "人数"], [["=1+1", 3], ["李桂兰", 5]], title="名单")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "名单"
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 3 and sheet["A3"].value == "李桂兰"


@pytest.mark.parametrize(("raw", "day"), [
    ("2026-11-24", date(2026, 11, 24)), (" 2026-11-24 ", date(2026, 11, 24)), ("", None),
    (None, None), ("2026-13-01", None), ("9999-12-31", None), ("0001-01-01", None),
    ("24/11/2026", None),
])
def test_a_filter_day_is_a_real_day_in_a_sensible_range(raw, day):
    assert parse_day(raw) == day


@pytest.mark.parametrize("path", ["/staff/audit/", "/staff/suggestions/"])
def test_a_far_filter_day_is_ignored_not_a_server_error(client, make_staff, sign_in, path):
    sign_in(client, make_staff("admin"))
    for query in ("?to=9999-12-31", "?from=0001-01-01&to=9999-12-31", "?from=junk"):
        assert client.get(path + query).status_code == 200
