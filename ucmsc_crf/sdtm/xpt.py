"""SAS transport (XPT version 5) files, written a block of rows at a time so memory stays flat whatever the
trial's size, with the encoding (IBM floating point, the header and NAMESTR records) left to a maintained
library, pyreadstat.

pyreadstat writes a whole data frame and sizes each character variable to the longest value it holds, so a
dataset is written in two passes: the blocks are spilled to a temporary file (JSON lines) while the longest
value of each variable is measured, then each block is encoded with one extra row that holds a value of each variable's
full length (so every block has the same record layout) and only its own rows' bytes are kept. The file is
the first block's header, every block's rows, and blanks to the 80-byte record boundary.

Version 5's limits are checked, not truncated: names of at most 8 characters, labels of at most 40, character
values of at most 200 bytes (SDTM's own limits too)."""

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

RECORD = 80
OBS_HEADER = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!"
MAX_NAME, MAX_LABEL, MAX_TEXT = 8, 40, 200


class XptLimitError(ValueError):
    """A name, label or value that XPT version 5 cannot hold."""


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    numeric: bool


class XptWriter:
    """``add`` blocks of rows (dicts by variable name), then ``write`` the file. Text is written in ASCII
    where it can be and UTF-8 where it cannot (the 200 limit is in bytes)."""

    def __init__(self, name: str, label: str, columns: list[Column], *, distinct: tuple[str, ...] = ()):
        """``distinct``: columns whose set of values is kept (``self.distinct``), for Define-XML's code lists."""
        if len(name) > MAX_NAME or len(label) > MAX_LABEL:
            raise XptLimitError(f"dataset {name!r}: name over {MAX_NAME} or label over {MAX_LABEL} characters")
        for column in columns:
            if len(column.name) > MAX_NAME or len(column.label) > MAX_LABEL:
                raise XptLimitError(f"{name}.{column.name}: name over {MAX_NAME} or label over {MAX_LABEL} characters")
        self.name, self.label, self.columns = name, label, columns
        self.widths = {c.name: 1 for c in columns if not c.numeric}
        self.distinct = {name: set() for name in distinct}
        self.rows = 0
        self._spill = None  # opened with the first block, closed by write() or close()
        self._blocks = 0

    def add(self, rows: list[dict]) -> None:
        if not rows:
            return
        for column in self.widths:
            texts = [str(v) for row in rows if (v := row.get(column))]
            size = max((len(t) if t.isascii() else len(t.encode()) for t in texts), default=0)
            if size > MAX_TEXT:
                self.close()
                raise XptLimitError(f"{self.name}.{column}: a value of {size} bytes (at most {MAX_TEXT})")
            if size > self.widths[column]:
                self.widths[column] = size
        for column, seen in self.distinct.items():
            seen.update(str(row[column]) for row in rows if row.get(column) not in (None, ""))
        if self._spill is None:
            self._spill = tempfile.TemporaryFile()  # noqa: SIM115 (closed by write() or close())
        self._spill.write(json.dumps(rows, default=str).encode() + b"\n")  # a Decimal as its text: exact
        self._blocks += 1
        self.rows += len(rows)

    def close(self) -> None:
        if self._spill is not None:
            self._spill.close()
            self._spill = None

    def write(self, path: Path) -> int:
        """Writes the file; returns its number of rows."""
        if self._spill is not None:
            self._spill.seek(0)
        with tempfile.TemporaryDirectory() as scratch, open(path, "wb") as out:
            chunk = Path(scratch) / "chunk.xpt"
            widest = {c.name: (float("nan") if c.numeric else "x" * self.widths[c.name]) for c in self.columns}
            header = self._encode([], widest, chunk)
            out.write(header[0])
            size = 0
            for _ in range(self._blocks):
                rows = json.loads(self._spill.readline())
                data = self._encode(rows, widest, chunk)[1]
                out.write(data)
                size += len(data)
            out.write(b" " * (-size % RECORD))
        self.close()
        return self.rows

    def _encode(self, rows: list[dict], widest: dict, chunk: Path) -> tuple[bytes, bytes]:
        """(the header, the rows' bytes) of the rows as pyreadstat encodes them."""
        names = [c.name for c in self.columns]
        frame = pd.DataFrame.from_records([*rows, widest], columns=names)
        for c in self.columns:  # whole columns at a time: a file is millions of cells
            if c.numeric:
                frame[c.name] = pd.to_numeric(frame[c.name].replace("", None), errors="raise").astype("float64")
            else:
                frame[c.name] = frame[c.name].astype(object).where(frame[c.name].notna(), "").astype(str)
        pyreadstat.write_xport(
            frame,
            str(chunk),
            file_label=self.label,
            column_labels=[c.label for c in self.columns],
            table_name=self.name,
            file_format_version=5,
        )
        encoded = chunk.read_bytes()
        start = encoded.index(OBS_HEADER) + RECORD
        length = sum(8 if c.numeric else self.widths[c.name] for c in self.columns)
        return encoded[:start], self._true_zeros(encoded[start : start + length * len(rows)], length)

    def _true_zeros(self, data: bytes, length: int) -> bytes:
        """ReadStat writes 0 as 41 00 00 00 00 00 00 00: a zero mantissa under exponent 1, which is also how
        SAS writes the special missing value .A. A zero is written here as eight zero bytes, IBM's own zero,
        which no reader can take for a missing value (this writer never writes special missing values, so
        the pattern is always a zero). pandas (3.1) decodes any IBM zero as 5.4e-79: see conformance.py."""
        if not data:
            return data
        cells = np.frombuffer(data, dtype=np.uint8).reshape(-1, length).copy()
        offset = 0
        for column in self.columns:
            width = 8 if column.numeric else self.widths[column.name]
            if column.numeric:
                cell = cells[:, offset : offset + 8]
                zero = np.isin(cell[:, 0], (0x41, 0xC1)) & (cell[:, 1:] == 0).all(axis=1)
                cell[zero] = 0
            offset += width
        return cells.tobytes()
