"""Reads a .docx the way a real reader does (python-docx, Debian's python3-docx)
and prints what the export tests check, as JSON: every part parsed as XML,
the paragraphs with their styles, the first table, header, footer and page."""
import json
import sys
import zipfile
import xml.etree.ElementTree as ET

import docx

path = sys.argv[1]
with zipfile.ZipFile(path) as z:
    names = z.namelist()
    for name in names:
        ET.fromstring(z.read(name))
    times = sorted({"%04d-%02d-%02d %02d:%02d:%02d" % i.date_time for i in z.infolist()})

d = docx.Document(path)
section = d.sections[0]
print(json.dumps({
    "parts": names,
    "times": times,
    "paragraphs": [[p.style.name, p.text] for p in d.paragraphs],
    "table": [[c.text for c in row.cells] for row in d.tables[0].rows],
    "header": [p.text for p in section.header.paragraphs],
    "footer": [p.text for p in section.footer.paragraphs],
    "page": [round(section.page_width.mm), round(section.page_height.mm)],
    "core": [d.core_properties.title, d.core_properties.author,
             d.core_properties.created.isoformat()],
}, ensure_ascii=False))
