"""Page style: calm, dense, readable (kept in Python so it ships with the package)."""

CJK_FONT_CSS = """
/* Chinese without system fonts: the package's GB2312 subset of Noto Sans CJK SC (OFL), served by Solara
   from governance_sim/public/, fetched only for CJK characters (unicode-range), after any installed CJK font */
@font-face {
  font-family: "Govsim Noto Sans SC";
  src: local("Noto Sans CJK SC"), local("Noto Sans SC"), local("Source Han Sans SC"),
       url("static/public/GovsimNotoSansSC-Regular.otf") format("opentype");
  unicode-range: U+2000-206F, U+3000-9FFF, U+FF00-FFEF;
  font-display: swap;
}
.v-application, .v-application .text-h6, .v-application .title, body {
  font-family: Roboto, "Helvetica Neue", Arial, "Govsim Noto Sans SC", sans-serif !important;
}
"""

CSS = CJK_FONT_CSS + """
.govsim-main { padding: 4px 8px 16px 8px; }
.govsim-kpis { flex-wrap: wrap; }
.govsim-kpi {
  background: #ffffff; border: 1px solid #e0e6ea; border-radius: 8px;
  padding: 6px 14px; min-width: 112px;
}
.govsim-kpi-label { font-size: 12px; color: #607d8b; }
.govsim-kpi-value { font-size: 22px; font-weight: 600; color: #263238; font-variant-numeric: tabular-nums; }
.govsim-kpi-open .govsim-kpi-value { color: #c62828; }
.govsim-card { padding: 8px !important; border-radius: 8px !important; }
.govsim-img img, img.govsim-img { width: 100%; height: auto; display: block; }
.govsim-muted { color: #78909c; font-size: 13px; }
.govsim-group { font-weight: 600; color: #37474f; margin-top: 10px; font-size: 13px; }
.govsim-param { margin: 0 0 -6px 0; }
.govsim-param .v-label { font-size: 12px !important; }
.govsim-table { width: 100%; border-collapse: collapse; font-size: 12.5px; }
.govsim-table th { text-align: left; color: #546e7a; font-weight: 600; border-bottom: 1px solid #cfd8dc; padding: 4px 6px; white-space: nowrap; }
.govsim-table td { border-bottom: 1px solid #eceff1; padding: 3px 6px; vertical-align: top; }
.govsim-table td.col-path { color: #37474f; }
.govsim-table td:not(.col-path) { white-space: nowrap; font-variant-numeric: tabular-nums; }
.govsim-lang { margin-left: auto; }
.govsim-buttons { margin: 6px 0 4px 0; }
"""
