"""The CSV report: one line per input row, in input order, safe to open in Excel."""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from screening.model import ScreeningResult

from .cells import csv_safe
from .columns import FIXED_COLUMNS, HitTexts, columns_for, has_suppressed, suppressed_text


def write_csv(result: ScreeningResult, fh: BinaryIO) -> None:
    # The BOM (utf-8-sig) is what makes Excel read Chinese and Russian text as UTF-8.
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    try:
        cols = columns_for(result)
        # Every text quoted (numbers not): an Excel whose list separator is ';' then cannot split
        # a cell like `x;=cmd|...` in two and run the second half as a formula.
        out = csv.writer(text, quoting=csv.QUOTE_NONNUMERIC)
        suppressed = has_suppressed(result)  # the column is added only when decisions set hits aside
        out.writerow([*FIXED_COLUMNS, *cols.fields, *(csv_safe(h) for h in cols.extras),
                      *(["suppressed"] if suppressed else [])])
        hit_texts = HitTexts(cols, "; ")  # the same texts as rule_ids, cols.reasons and evidence_text, once per hits
        for row in result.rows:
            texts = [*hit_texts(row.hits),
                     *cols.field_values(row), *cols.extra_values(row), *([suppressed_text(row)] if suppressed else [])]
            # row, band and score are ours (numbers and band names): never escaped.
            out.writerow([csv_safe(row.input), csv_safe(row.sheet), int(row.row), row.band.label,
                          int(row.score), *(csv_safe(t) for t in texts)])
        text.flush()
    finally:
        text.detach()  # leave `fh` open: the atomic writer fsyncs and closes it
