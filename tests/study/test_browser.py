"""The report renders in a real headless browser, offline, and every figure loads."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from .conftest import demo_run

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  # offline: any network request fails, so the page must need none
                  "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    why = ("headless Chromium is not installed (apt-get install -y chromium; scripts/setup.sh does it), "
           "so the report cannot be checked in a browser")
    if os.environ.get("RPARITY_REQUIRE_R") == "1":
        pytest.fail(f"{why}; it is required here (RPARITY_REQUIRE_R=1)", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The report of the bundled study: both engines when R is here, else pyimpl."""
    import copy

    import rbridge
    from rparity.study.run import write_outputs

    run = demo_run(("pyimpl", "r") if rbridge.r_available() else ("pyimpl",))
    return write_outputs(copy.copy(run), tmp_path_factory.mktemp("report")).html_path


def _browse(exe: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=180)


def test_report_renders_and_every_figure_loads(report, tmp_path):
    exe = _chromium()
    out = _browse(exe, tmp_path, "--virtual-time-budget=10000", "--dump-dom", report.resolve().as_uri())
    assert out.returncode == 0, out.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", out.stdout)
    assert body, out.stdout[:500]
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(1)))
    assert attrs.get("data-figure-count") == "4"
    assert attrs.get("data-figures-ok") == "4"
    assert attrs.get("data-figures") == "loaded"
    assert "Table 2. Prognostic factors" in out.stdout


def test_report_screenshot_is_not_blank(report, tmp_path):
    exe = _chromium()
    shot = tmp_path / "shot.png"
    out = _browse(exe, tmp_path, "--window-size=1200,2400", f"--screenshot={shot}", report.resolve().as_uri())
    assert out.returncode == 0 and shot.exists(), out.stderr[-2000:]
    import matplotlib.image as mpimg
    import numpy as np

    img = mpimg.imread(str(shot))[..., :3]
    assert img.shape[0] >= 2000 and img.shape[1] >= 1000
    ink = (img.mean(axis=2) < 0.9).mean()  # share of non-white pixels
    assert ink > 0.03
    rgb = (img.reshape(-1, 3) * 255).astype(np.int64)
    colours = np.unique(rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2])
    assert colours.size > 50  # text, tables and coloured curves, not a blank page
