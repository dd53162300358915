"""Open the rendered book in a real browser (headless Debian chromium), take
screenshots, and fail if a page shows no content or an error."""

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
