"""CSV and Excel downloads, safe to open in Excel: UTF-8 with BOM, and no cell that Excel
would run as a formula. A name like "=HYPERLINK(...)" stays text: in CSV behind an apostrophe
(the usual defence), in .xlsx as a text cell with Excel's quote-prefix flag."""

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    sheet.title = title[:31] or "Sheet"
    sheet.append([str(h) for h in header])
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
    return value if isinstance(value, int | float) else str(value)


def download(data: bytes, filename: str, mimetype: str) -> Response:
    """A download with a UTF-8 file name (RFC 5987), so 名单.csv keeps its Chinese name."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": disposition})


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    return download(csv_bytes(header, rows), filename, "text/csv; charset=utf-8")


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence],
                  title: str = "Sheet") -> Response:
    return download(xlsx_bytes(header, rows, title), filename, XLSX_MIMETYPE)
