"""The report page in a real headless browser (Debian's chromium, driven by Playwright).

The app is served by uvicorn on 127.0.0.1; the page is opened by its signed link. It must load
with no console error and no request to anywhere else, and draw its chart. A screenshot is kept
in build/test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from doctor.api import create_app
from doctor.cli.processes import free_port
from doctor.models import AnalysisResponse
from doctor.reports.links import report_url
from doctor.settings import Settings

ARTIFACTS = Path(__file__).resolve().parents[3] / "build" / "test-artifacts"
MISSING = "chromium not found: install the Debian `chromium` package (`make test` does it)"


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(MISSING)  # CI installs it: missing there is a broken setup, not a skip
        pytest.skip(MISSING)
    return found


@pytest.fixture
def served(report_settings: Settings) -> Iterator[Settings]:
    """The app on a free loopback port; settings whose public URL is that server."""
    port = free_port()
    settings = report_settings.model_copy(update={"doctor_public_url": f"http://127.0.0.1:{port}"})
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield settings
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_the_report_page_renders_its_chart_with_no_error_and_no_outside_request(
    served: Settings, stored: AnalysisResponse
) -> None:
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    url = report_url(served, stored.id)
    assert url is not None
    problems: list[str] = []
    elsewhere: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "request",
                lambda r: (
                    None
                    if r.url.startswith(served.doctor_public_url or "")
                    else elsewhere.append(r.url)
                ),
            )
            answer = page.goto(url, wait_until="load")
            assert answer is not None
            assert answer.status == 200
            chart = page.locator("#timeline")
            box = chart.bounding_box()
            assert box is not None
            assert box["width"] > 300
            assert box["height"] > 50
            assert page.locator("#timeline rect").count() > 10
            assert page.locator("section.issue").count() == len(stored.analysis.issues)
            assert "<script>" in page.inner_text("body")  # the hostile line, shown as text
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report-page.png"), full_page=True)
            chart.screenshot(path=str(ARTIFACTS / "report-chart.png"))
            page.screenshot(path=str(ARTIFACTS / "report-top.png"))
        finally:
            browser.close()
    assert problems == []
    assert elsewhere == []
