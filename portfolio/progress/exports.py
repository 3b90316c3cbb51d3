"""Dashboard tables as CSV and XLSX, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
read as a formula by Excel, LibreOffice or Google Sheets. In CSV such cells get a leading
apostrophe (OWASP's advice for CSV injection); XLSX cells are written as text, which no
spreadsheet reads as a formula, so they keep the value as it is.
"""

import csv
import io

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return value


def to_csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()


def to_xlsx(title: str, header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook  # slow to import: only the XLSX downloads need it
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])

    def cell(value):
        if not isinstance(value, str):
            return value
        text = WriteOnlyCell(sheet, value=value)
        text.data_type = "s"  # text, never a formula
        return text

    sheet.append([cell(h) for h in header])
    for row in rows:
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
