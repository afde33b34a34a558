"""A CJK font for matplotlib, so that Chinese labels (网格, 社区, 满意率 …) are drawn, not boxes.

``use_cjk_font()`` puts the first installed CJK family in front of
matplotlib's sans-serif list.  When none is installed it changes nothing
and stays quiet: figures still render, Chinese glyphs just fall back.
"""

from __future__ import annotations

import logging
import warnings
from functools import lru_cache

import matplotlib
from matplotlib import font_manager

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
)


@lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """The first CJK family from :data:`CJK_FAMILIES` that matplotlib can find, or ``None``."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    return None


def use_cjk_font() -> str | None:
    """Make matplotlib draw Chinese text with an installed CJK font; return its name (or ``None``)."""
    family = find_cjk_font()
    if family is None:
        # without a CJK font matplotlib warns for every missing glyph; that is noise here
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")
        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
        return None
    sans = [f for f in matplotlib.rcParams["font.sans-serif"] if f != family]
    matplotlib.rcParams["font.sans-serif"] = [family, *sans]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False  # CJK fonts often lack U+2212
    return family
