"""Reads an .xlsx the way a real reader does (openpyxl, Debian's python3-openpyxl)
and prints what the export tests check, as JSON: every part parsed as XML, the
sheet's name, every cell's value by row, which cells are formulas, the frozen
pane and the filter's range."""
import json
import sys
import zipfile
import xml.etree.ElementTree as ET

import openpyxl

path = sys.argv[1]
with zipfile.ZipFile(path) as z:
    for name in z.namelist():
        ET.fromstring(z.read(name))

book = openpyxl.load_workbook(path)
sheet = book.worksheets[0]
print(json.dumps({
    "sheets": book.sheetnames,
    "rows": [[c.value for c in row] for row in sheet.iter_rows()],
    "formulas": [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"],
    "frozen": sheet.freeze_panes,
    "filter": sheet.auto_filter.ref,
}, ensure_ascii=False))
