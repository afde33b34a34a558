"""Build the bundled CJK font: Noto Sans CJK SC (SIL OFL 1.1) cut down to GB2312.

The source font is ``NotoSansCJKsc-Regular.otf`` as shipped in the ``mplfonts``
wheel on PyPI (only that OFL font is used).  The subset keeps every character
of GB2312 (6,763 汉字 plus its symbols), ASCII, Latin-1, general and CJK
punctuation, full-width forms, and every Han character the package's own
sources use, so a label can never fall outside it.  The renamed family
("Govsim Noto Sans SC") marks it as a Modified Version under the OFL; the
licence travels beside the file.

    pip download mplfonts --no-deps -d /tmp/f && unzip /tmp/f/mplfonts-*.whl -d /tmp/f
    python tools/make_cjk_subset.py /tmp/f/mplfonts/fonts/NotoSansCJKsc-Regular.otf
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "governance_sim" / "public" / "GovsimNotoSansSC-Regular.otf"
FAMILY = "Govsim Noto Sans SC"


def gb2312() -> set[int]:
    """Every code point GB2312 encodes (rows 0xA1–0xF7, cells 0xA1–0xFE)."""
    points = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return points


def used_in_sources() -> set[int]:
    text = "".join(p.read_text(encoding="utf-8", errors="ignore")
                   for p in (ROOT / "governance_sim").rglob("*.py"))
    text += "".join(p.read_text(encoding="utf-8", errors="ignore") for p in (ROOT / "scenarios").glob("*.yaml"))
    return {ord(c) for c in re.findall(r"[\u2000-\u206f\u3000-\u9fff\uff00-\uffef]", text)}


def codepoints() -> set[int]:
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2190, 0x21FF), (0x2212, 0x2212),
              (0x3000, 0x303F), (0xFF00, 0xFFEF)]
    points = {c for lo, hi in ranges for c in range(lo, hi + 1)}
    return points | gb2312() | used_in_sources()


def main(source: str) -> None:
    font = TTFont(source)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False  # matplotlib and browsers render CJK outlines unhinted anyway
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(codepoints() & set(font.getBestCmap())))
    sub.subset(font)
    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID in (4,):
            record.string = f"{FAMILY} Regular"
        elif record.nameID in (6,):
            record.string = "GovsimNotoSansSC-Regular"
        elif record.nameID == 3:
            record.string = "governance_sim subset of NotoSansCJKsc-Regular (GB2312)"
    if "CFF " in font:  # the PostScript names inside CFF follow the new family
        cff = font["CFF "].cff
        cff.fontNames = ["GovsimNotoSansSC-Regular"]
        top = cff.topDictIndex[0]
        top.FamilyName = FAMILY
        top.FullName = f"{FAMILY} Regular"
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(TARGET)
    print(f"{TARGET}: {len(font.getBestCmap())} characters, {TARGET.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main(sys.argv[1])
