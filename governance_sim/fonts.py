"""A CJK font for matplotlib, so that Chinese labels (网格, 社区, 满意率 …) are drawn, not boxes.

``use_cjk_font()`` puts a CJK family in front of matplotlib's sans-serif list:
an installed system family when there is one (it usually matches the desktop),
otherwise the font that ships inside the package — a GB2312 subset of Noto Sans
CJK SC (SIL Open Font License 1.1, see ``public/OFL.txt``; built by
``tools/make_cjk_subset.py``).  A plain ``pip install`` therefore draws Chinese.

If neither can be had (the font file was stripped from an install),
:func:`figure_lang` turns a request for Chinese figures into English ones and
says so once, instead of drawing empty boxes.
"""

from __future__ import annotations

import locale
import os
import warnings
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager

LANGS = ("zh", "en")
LANG_ENV = "GOVSIM_LANG"
# in public/, where Solara serves it to the app's pages too (one copy for matplotlib and the browser)
BUNDLED_FONT = Path(__file__).with_name("public") / "GovsimNotoSansSC-Regular.otf"
BUNDLED_FAMILY = "Govsim Noto Sans SC"
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)
_said_fallback = False


def system_cjk_font() -> str | None:
    """The first installed CJK family from :data:`CJK_FAMILIES`, or ``None``."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


def bundled_cjk_font() -> str | None:
    """Register the bundled font with matplotlib and return its family (``None`` if it is missing)."""
    if not BUNDLED_FONT.is_file():
        return None
    if BUNDLED_FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(BUNDLED_FONT))
    return BUNDLED_FAMILY


@lru_cache(maxsize=2)
def find_cjk_font(prefer_system: bool = True) -> str | None:
    """The CJK family figures use: a system one when installed, else the bundled one."""
    return (system_cjk_font() if prefer_system else None) or bundled_cjk_font()


def cjk_font_path(family: str | None = None) -> Path | None:
    """The file behind ``family`` (default: the family :func:`find_cjk_font` picks)."""
    family = family or find_cjk_font()
    if family is None:
        return None
    if family == BUNDLED_FAMILY:
        return BUNDLED_FONT
    return Path(font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))


def use_cjk_font(prefer_system: bool = True) -> str | None:
    """Make matplotlib draw Chinese text with a CJK font; return its family (``None``: none found)."""
    family = find_cjk_font(prefer_system)
    if family is None:
        return None
    sans = [f for f in matplotlib.rcParams["font.sans-serif"] if f != family]
    matplotlib.rcParams["font.sans-serif"] = [family, *sans]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False  # CJK fonts often lack U+2212
    return family


def default_lang() -> str:
    """``zh`` or ``en``: ``$GOVSIM_LANG`` if set, else the user's locale (zh_* → zh)."""
    chosen = os.environ.get(LANG_ENV, "").strip().lower()
    if chosen in LANGS:
        return chosen
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "zh" if code.lower().startswith("zh") else "en"


def check_lang(lang: str | None) -> str:
    """``lang`` if it is ``zh``/``en``; ``None`` → :func:`default_lang`; else ``ValueError``."""
    if lang is None:
        return default_lang()
    if lang not in LANGS:
        raise ValueError(f"lang must be 'zh' or 'en' (got {lang!r})")
    return lang


def figure_lang(lang: str | None) -> str:
    """The language a figure can be drawn in: Chinese needs a CJK font, else English (said once)."""
    global _said_fallback
    lang = check_lang(lang)
    if lang == "zh" and use_cjk_font() is None:
        if not _said_fallback:
            warnings.warn("no CJK font found (system or bundled): figures use English labels",
                          RuntimeWarning, stacklevel=2)
            _said_fallback = True
        return "en"
    return lang
