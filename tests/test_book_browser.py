"""Open the rendered book in a real browser (headless Debian chromium), take
screenshots, and fail if a page shows no content or an error; then, on every page at
1280 px, fail on a table or figure wider than the text column, MyST source shown as
text, a cell showing the bare value of its last line, missing values ('nan', 'None',
'??') or unresolved references, and template text ('1 epochs', 'lead(s)', '−0.000')."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("ECGPAPER_REQUIRE_BROWSER"):
            pytest.fail("chromium is required here (ECGPAPER_REQUIRE_BROWSER) but not found")
        pytest.skip("Debian chromium is not installed (.ci/run installs it)")
    return exe


def artifacts_dir(tmp_path: Path) -> Path:
    out = Path(os.environ.get("ECGPAPER_ARTIFACTS", tmp_path / "artifacts")) / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out


def browse(page: Path, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile_dir:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile_dir}", *args, page.as_uri()],
            capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("page", ["book/intro.html", "executed/data.html"])
def test_page_renders_in_browser(tiny_book, tmp_path, page):
    html_file = tiny_book["root"] / "_build" / "html" / page
    dom = browse(html_file, "--dump-dom", "--virtual-time-budget=3000")
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = re.sub(r"<[^>]+>", " ", dom.stdout)
    assert "bd-article" in dom.stdout, "the book theme did not render an article"
    words = re.findall(r"[A-Za-z]{3,}", text)
    assert len(words) > 100, "the rendered page has almost no text"
    for bad in ("Traceback (most recent call last)", "404 Not Found"):
        assert bad not in text, f"{page} shows {bad!r}"

    shot = artifacts_dir(tmp_path) / (page.replace("/", "_").replace(".html", ".png"))
    result = browse(html_file, f"--screenshot={shot}", "--window-size=1280,1600",
                    "--hide-scrollbars")
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)
    assert pixels.shape[0] >= 1000 and pixels.shape[1] >= 1000
    assert pixels[..., :3].std() > 0.05, "the screenshot is blank"


LAYOUT_JS = Path(__file__).with_name("layout_check.js")


def layout_report(page: Path) -> dict:
    """Open `page` at 1280 px with `layout_check.js` injected and return its report: every
    table and figure against the text column, the figures' numbers and captions, bare
    cell outputs, unresolved references and the text a reader sees."""
    import html
    import json

    probe = page.with_name(f".layout-{page.name}")
    probe.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", f"<script>{LAYOUT_JS.read_text()}</script></body>"), encoding="utf-8")
    try:
        dom = browse(probe, "--dump-dom", "--window-size=1280,1600",
                     "--virtual-time-budget=5000")
    finally:
        probe.unlink()
    assert dom.returncode == 0, dom.stderr[-2000:]
    match = re.search(r'<pre id="layout-report"[^>]*>(.*?)</pre>', dom.stdout, re.S)
    assert match, f"the layout probe did not run on {page.name}"
    return json.loads(html.unescape(match.group(1)))


@pytest.fixture(scope="module")
def page_reports(tiny_book) -> dict[str, dict]:
    """The layout report of every content page of the tiny book, by page (one browser
    run per page)."""
    root = tiny_book["root"] / "_build" / "html"
    pages = [p for p in sorted(root.rglob("*.html"))
             if "_static" not in p.parts and p.name not in {"search.html", "genindex.html"}
             and not p.name.startswith(".")
             # the root index.html only redirects to the introduction: no content to lay out
             and 'http-equiv="Refresh"' not in p.read_text(encoding="utf-8")[:500]]
    assert len(pages) > 20
    return {str(p.relative_to(root)): layout_report(p) for p in pages}


def _listing(problems: list[str]) -> str:
    return "\n".join(problems)


def _around(text: str, match: re.Match, width: int = 50) -> str:
    return text[max(0, match.start() - width):match.end() + width].strip()


def too_wide(reports: dict[str, dict]) -> list[str]:
    """Tables and figures wider than the text column, clipped or scrolled: no exception
    for a scrolling container, since a table the reader must scroll is clipped."""
    found = []
    for name, report in reports.items():
        column = report["column"]["width"]
        found += [f"{name}: table {t['id'] or t['index']} ({t['width']} px; column "
                  f"{column:.0f} px) {t['caption'][:60]}"
                  for t in report["tables"] if t["overflow"]]
        found += [f"{name}: figure {f['src']} ({f['width']} px; column {column:.0f} px)"
                  for f in report["figures"] if f["overflow"]]
    return found


def unnumbered(reports: dict[str, dict]) -> list[str]:
    return [f"{name}: {f['src']}" for name, report in reports.items()
            for f in report["figures"] if not (f["numbered"] and f["caption"])]


# MyST source a reader should never see: a directive fence or option, or a role
DIRECTIVE_TEXT = re.compile(r"```\{|:::\{|(?<![\w:]):(?:name|class|width|align|label):(?!\w)"
                            r"|\{(?:numref|glue(?::\w+)?|cite(?::\w+)?|doc|ref|eq)\}`")


def directive_leaks(reports: dict[str, dict]) -> list[str]:
    return sorted({f"{name}: {_around(text, m)!r}"
                   for name, report in reports.items()
                   for text in (report["text"], report["output_text"])
                   for m in DIRECTIVE_TEXT.finditer(text)})


def bare_outputs(reports: dict[str, dict]) -> list[str]:
    return [f"{name}: {text!r}" for name, report in reports.items()
            for text in report["bare_outputs"]]


MISSING_CELLS = {"nan", "NaN", "None", "<NA>", "NaT", "null", "inf", "-inf"}
PLACEHOLDERS = re.compile(r"\?\?|(?<![\w.])nan(?!\w)|\bNone\b|(?<![\w-])(?:tbl|fig)-[a-z0-9]"
                          r"[a-z0-9-]*[a-z0-9]\b")


def _texts(report: dict) -> list[str]:
    """What a reader reads on a page, piece by piece: the prose, each table caption and
    each table cell."""
    return [report["prose"], *(t["caption"] for t in report["tables"]), *report["cells"]]


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in ".!?:"


def placeholders(reports: dict[str, dict]) -> list[str]:
    """Missing values ('nan', 'None' outside a sentence opening), '??' and references
    Sphinx could not resolve (left as a span, or as their label 'tbl-…')."""
    found = []
    for name, report in reports.items():
        found += [f"{name}: table cell {cell!r}" for cell in report["cells"]
                  if cell in MISSING_CELLS]
        found += [f"{name}: unresolved reference {ref!r}" for ref in report["unresolved"]]
        for text in _texts(report):
            for m in PLACEHOLDERS.finditer(text):
                # 'None of the ...' opening a sentence is English, not a missing value
                if m.group() == "None" and _sentence_start(text, m.start()):
                    continue
                found.append(f"{name}: {_around(text, m)!r}")
    return found


# A count of one with a plural noun, or a noun with '(s)': text filled into a template
PLURAL_NOUNS = ("epochs leads threads records recordings seeds runs networks models cores "
                "classes requests chapters pages rows columns files features batches "
                "configurations samples times layers parameters experiments minutes seconds "
                "hours errors blocks channels folds beats values rhythms labels points "
                "patients images answers prompts steps sources sets databases designs "
                "sections figures tables")
# a number that ends a list ('12, 6, 3 and 1 leads') or names a table ('Table 1 sets') is
# not a count of one
NOT_A_COUNT = "".join(f"(?<!{re.escape(w)} )" for w in (
    "and", "or", ",", "Table", "Fig.", "Figure", "Experiment", "experiment", "Eq."))
TEMPLATE_WORDS = re.compile(rf"{NOT_A_COUNT}(?<![\w.,−-])1 "
                            rf"(?:{'|'.join(PLURAL_NOUNS.split())})\b"
                            r"|\b[a-z]+\(s\)|(?<![\w.])[−-]0\.0+(?!\d)")


def template_words(reports: dict[str, dict]) -> list[str]:
    return [f"{name}: {_around(text, m)!r}" for name, report in reports.items()
            for text in _texts(report) for m in TEMPLATE_WORDS.finditer(text)]


# --- every page of the built book ------------------------------------------------------

def test_tables_and_figures_fit_the_column_and_figures_are_numbered_at_1280px(page_reports):
    assert sum(len(r["tables"]) for r in page_reports.values()) > 20
    assert sum(len(r["figures"]) for r in page_reports.values()) > 20
    wide = too_wide(page_reports)
    assert not wide, "wider than the text column at 1280 px:\n" + _listing(wide)
    missing = unnumbered(page_reports)
    assert not missing, "figures without a number and caption:\n" + _listing(missing)


def test_no_directive_or_role_source_is_visible(page_reports):
    leaks = directive_leaks(page_reports)
    assert not leaks, "MyST source shown as text:\n" + _listing(leaks)


def test_no_cell_shows_the_bare_value_of_its_last_expression(page_reports):
    bare = bare_outputs(page_reports)
    assert not bare, ("cells whose only output is a plain repr (the value of their last "
                      "line, e.g. of glue(...)):\n" + _listing(bare))


def test_no_missing_values_placeholders_or_unresolved_references(page_reports):
    found = placeholders(page_reports)
    assert not found, "missing values or unresolved references shown:\n" + _listing(found)


def test_counts_agree_with_their_nouns_and_no_negative_zero(page_reports):
    found = template_words(page_reports)
    assert not found, "template text ('1 epochs', 'epoch(s)', '−0.000'):\n" + _listing(found)


# --- the checks themselves, on a page with one of each leak ----------------------------

LEAKY_PAGE = """<!DOCTYPE html><html lang="en"><head><style>
article { width: 600px; padding: 0 20px; } .pst-scrollable-table-container { overflow-x: auto; }
td { white-space: nowrap; }</style></head><body><article class="bd-article">
<p>Trained for at most 1 epochs on 4 lead(s); the label is None; see tbl-missing and ??.</p>
<p><code>```{table} The runs (profile `demo`). :name: tbl-runs :class: ecg-table</code></p>
<div class="pst-scrollable-table-container"><table><caption>Table 1 Wide.</caption>
<tr>REPLACE_CELLS</tr><tr><td>nan</td><td>−0.000</td></tr></table></div>
<div class="cell_output"><div class="output text_plain"><pre>'0.200'</pre></div></div>
<p><span class="xref std std-numref">tbl-gone</span></p>
<figure><img src="x.png" style="width: 900px; height: 10px"></figure>
</article></body></html>"""


def test_the_checks_catch_each_kind_of_leak(tmp_path):
    page = tmp_path / "leaky.html"
    cells = "".join(f"<td>0.844 (0.789–0.894) column {k}</td>" for k in range(12))
    page.write_text(LEAKY_PAGE.replace("REPLACE_CELLS", cells), encoding="utf-8")
    reports = {"leaky.html": layout_report(page)}
    assert any("table" in p for p in too_wide(reports))
    assert any("figure x.png" in p for p in too_wide(reports))
    assert unnumbered(reports) == ["leaky.html: x.png"]
    assert any(":name: tbl-runs" in p for p in directive_leaks(reports))
    assert bare_outputs(reports) == ["leaky.html: \"'0.200'\""]
    found = "\n".join(placeholders(reports))
    for leak in ("table cell 'nan'", "label is None", "tbl-missing", "??",
                 "unresolved reference 'tbl-gone'"):
        assert leak in found, leak
    found = "\n".join(template_words(reports))
    for leak in ("1 epochs", "lead(s)", "−0.000"):
        assert leak in found, leak
    clean = {"clean.html": dict(reports["leaky.html"], tables=[], figures=[], cells=[],
                                bare_outputs=[], unresolved=[], text="", output_text="",
                                prose="None of the 12, 6, 3 and 1 leads; Table 1 records.")}
    assert not (too_wide(clean) or directive_leaks(clean) or placeholders(clean)
                or template_words(clean))
