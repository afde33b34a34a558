"""Chinese in figures after a plain install: the bundled font covers what is drawn; English
figures draw no CJK; without any CJK font, figures switch to English and say so."""

from __future__ import annotations

import re
import warnings

import matplotlib
import pytest
from fontTools.ttLib import TTFont

from governance_sim import compare, fonts
from governance_sim.analysis.plots import comparison_figure

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def gb2312_hanzi() -> set[str]:
    chars = set()
    for hi in range(0xB0, 0xF8):  # rows 16–87: the 6,763 hanzi
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def drawn_text(fig) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


@pytest.fixture(scope="module")
def small_comparison(tmp_path_factory):
    import copy
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import TINY

    sc = copy.deepcopy(TINY)
    sc["days"] = 10
    sc["variants"] = {"baseline": {}, "whistle": {"arrangement.name": "whistle"}}
    return compare(sc, ["baseline", "whistle"], reps=3, workers=1)


def test_bundled_font_covers_gb2312():
    cmap = TTFont(fonts.BUNDLED_FONT, lazy=True).getBestCmap()
    missing = [c for c in gb2312_hanzi() if ord(c) not in cmap]
    assert len(gb2312_hanzi()) == 6763 and not missing
    assert fonts.BUNDLED_FONT.stat().st_size < 5_000_000


def test_chinese_figure_without_system_fonts_has_every_glyph(small_comparison, monkeypatch):
    """Force the bundled font, as on a machine without CJK fonts; every character drawn is in its cmap."""
    monkeypatch.setattr(fonts, "system_cjk_font", lambda: None)
    fonts.find_cjk_font.cache_clear()
    try:
        assert fonts.use_cjk_font() == fonts.BUNDLED_FAMILY
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=r".*missing from")  # matplotlib's tofu warning
            fig = comparison_figure(small_comparison, "zh")
            fig.canvas.draw()
        text = drawn_text(fig)
        assert CJK.search(text)
        cmap = TTFont(fonts.cjk_font_path(), lazy=True).getBestCmap()
        assert not [c for c in set(text) if CJK.match(c) and ord(c) not in cmap]
    finally:
        fonts.find_cjk_font.cache_clear()


def test_english_figures_draw_no_chinese(small_comparison):
    fig = comparison_figure(small_comparison, "en")
    assert not CJK.search(drawn_text(fig))


def test_without_any_cjk_font_figures_fall_back_to_english_once(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "system_cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "BUNDLED_FONT", tmp_path / "gone.otf")
    monkeypatch.setattr(fonts, "_said_fallback", False)
    fonts.find_cjk_font.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match="English"):
            assert fonts.figure_lang("zh") == "en"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert fonts.figure_lang("zh") == "en"  # said once only
    finally:
        fonts.find_cjk_font.cache_clear()


def test_default_language_follows_the_locale(monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", fonts.LANG_ENV):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert fonts.default_lang() == "zh"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert fonts.default_lang() == "en"
    monkeypatch.setenv(fonts.LANG_ENV, "zh")
    assert fonts.default_lang() == "zh"
