"""`journal serve` in a real browser: Debian's Chromium, headless, driven by Playwright,
against uvicorn on 127.0.0.1. No JavaScript is needed, and none from an article runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PARAS, serving
from test_web import ADDED, HOSTILE, NOW, build_history

from journal.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    archive = build_history(tmp_path_factory.mktemp("browser") / "archive")
    with serving(create_app(archive, clock=lambda: NOW)) as base:
        yield base


def test_a_reader_follows_an_article_to_its_diff(server: str, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(java_script_enabled=True, viewport={"width": 1280, "height": 900})
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("pageerror", lambda error: errors.append(str(error)))

            page.goto(server + "/")
            assert page.locator("h1").inner_text() == "Recent changes"
            page.get_by_role("link", name="Talks resume after a year of silence").first.click()
            page.wait_for_url("**/diff/2/3")
            page.get_by_role("link", name="Article", exact=True).click()
            page.wait_for_url("**/articles/*")
            facts = page.locator("section.facts").inner_text()
            assert "This article is from the source 'daily'" in facts
            assert "The article has changed 2 times." in facts

            page.get_by_role("link", name="Version 2", exact=True).click()
            page.wait_for_url("**/diff/1/2")
            deleted = page.locator("tr.delete del")
            assert deleted.count() == 1
            assert deleted.inner_text() == PARAS[4]
            assert "(35 minutes later)" in page.locator("table.diff thead").inner_text()
            assert "of silence" in page.locator("tr.field-title ins").inner_text()
            page.screenshot(path=str(tmp_path / "diff.png"), full_page=True)

            # The version pickers work as a plain form.
            page.select_option("select[name=a]", "1")
            page.select_option("select[name=b]", "3")
            page.get_by_role("button", name="Compare").click()
            page.wait_for_url("**/diff/1/3")
            assert ADDED in page.locator("tr.insert ins").inner_text()

            # At phone width the diff reads top to bottom, without sideways scrolling.
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(page.url)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert page.locator("tr.delete td.new").is_hidden()
            page.screenshot(path=str(tmp_path / "diff-phone.png"), full_page=True)

            # Hostile titles and text stay text.
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(server + "/search?q=" + "quoted")
            page.get_by_role("link", name=HOSTILE).click()
            page.wait_for_url("**/articles/*")
            assert page.locator("h1.title").inner_text() == HOSTILE
            assert page.title().startswith(HOSTILE)
            assert page.evaluate("window.pwned") is None
            assert page.locator("article.story img, article.story script, article.story a").count() == 0
            page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
        finally:
            browser.close()
    assert dialogs == []
    assert errors == []
    assert (tmp_path / "diff.png").stat().st_size > 10_000
