"""CSV and Excel downloads, safe to open in Excel: UTF-8 with BOM, and no cell that Excel
would run as a formula. A name like "=HYPERLINK(...)" stays text: in CSV behind an apostrophe
(the usual defence), in .xlsx as a text cell with Excel's quote-prefix flag.

Whatever people typed may reach a file: a sheet name drops the characters Excel refuses in
one (/, backslash, [ ] : ? *), a cell the control characters XML cannot carry, and a file name is
sent the RFC 6266 way. Downloads hold personal data: never stored by a
cache (Cache-Control: no-store)."""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_IN_SHEET_NAMES = re.compile(r"[/\\\[\]:?*]")
SHEET_NAME_MAX = 31


def sheet_title(title: str) -> str:
    """A name Excel accepts for a sheet: no / \\ [ ] : ? *, no control characters, not
    beginning or ending with an apostrophe, at most 31 characters, never empty."""
    name = ILLEGAL_CHARACTERS_RE.sub("", NOT_IN_SHEET_NAMES.sub(" ", str(title or "")))
    name = " ".join(name.split())[:SHEET_NAME_MAX].strip(" '")
    return name or "Sheet"


def xml_text(value: str) -> str:
    """Text without the control characters an .xlsx (XML) cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def neutralise(value):
    """Prefix text that a spreadsheet would treat as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cells(rows: Iterable[Sequence]) -> Iterable[list]:
    for row in rows:
        yield [neutralise("" if value is None else value) for value in row]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(str(h)) for h in header])
    writer.writerows(_cells(rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence], title: str = "Sheet") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(title)
    sheet.append([xml_text(str(h)) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                # Never a formula: openpyxl would otherwise store "=…" as one.
                cell.data_type = "s"
                cell.quotePrefix = cell.value.startswith(FORMULA_STARTS)
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 2))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value):
    if value is None:
        return ""
    return value if isinstance(value, int | float) else xml_text(str(value))


def download(data: bytes, filename: str, mimetype: str) -> Response:
    """A download with a UTF-8 file name (RFC 6266: filename*=UTF-8''…), so 名单.csv keeps
    its Chinese name, and a quote or a line break in a course's title cannot break the
    header (werkzeug quotes the values, as send_file does). Never kept by a cache: it holds
    personal data."""
    name = " ".join(ILLEGAL_CHARACTERS_RE.sub(" ", filename).split()) or "download"
    simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    names = {"filename": simple.strip() or "download"}
    if simple != name:
        names["filename*"] = "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")
    response = Response(data, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", **names)
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    return download(csv_bytes(header, rows), filename, "text/csv; charset=utf-8")


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence],
                  title: str = "Sheet") -> Response:
    return download(xlsx_bytes(header, rows, title), filename, XLSX_MIMETYPE)
