"""The whole story in a real browser (Debian's Chromium through Selenium, CSP enforced), against the
real ``parlons serve --demo``: waitress, the task worker in its own process, SQLite in the data folder.

A consultant signs in, creates a workspace, uploads the demo's exports, waits for the import, reads
the verdict, starts the plan and invites the client; the client joins through the link, comments on
a finding, contests it and edits an objective; the consultant sees all of it; a third person (the demo's client, who
belongs to another workspace) sees none of it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and DRIVER.exists()),
    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    data, port = tmp_path_factory.mktemp("serve"), _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(PARLONS_DEMO_SCALE="0.1", LANG="en_US.UTF-8")
    log = (data / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "parlons", "serve", "--demo", "--port", str(port),
                                "--data", str(data / "data")], stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process)
        printed = (data / "serve.log").read_text()
        logins = dict(re.findall(r"demo (consultant|client): \S+ / (\S+)", printed))
        assert f"parlons workspace: {base}/" in printed
        yield base, logins
    finally:
        process.terminate()
        process.wait(20)
        log.close()


def _wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, "parlons serve stopped"
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("parlons serve did not answer /healthz in 3 minutes")


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """Debian's Chromium through chromium-driver: headless, English, at a desktop's width."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                 "--lang=en-US"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(DRIVER)))
    driver.implicitly_wait(2)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with headless_chromium() as driver:
        yield driver


class Page:
    def __init__(self, driver: object, base: str) -> None:
        self.d, self.base = driver, base

    def go(self, path: str) -> None:
        self.d.get(self.base + path)  # type: ignore[attr-defined]

    def css(self, selector: str) -> object:
        from selenium.webdriver.common.by import By

        return self.d.find_element(By.CSS_SELECTOR, selector)  # type: ignore[attr-defined]

    def fill(self, selector: str, value: str) -> None:
        field = self.css(selector)
        field.clear()  # type: ignore[attr-defined]
        field.send_keys(value)  # type: ignore[attr-defined]

    def click(self, selector: str) -> None:
        """Click, and wait for the next page when the click leaves this one."""
        from selenium.common.exceptions import WebDriverException

        old = self.css("html")
        self.css(selector).click()  # type: ignore[attr-defined]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                old.is_enabled()  # type: ignore[attr-defined]
            except WebDriverException:  # stale, or detached while the next page loads
                break
            time.sleep(0.1)
        self.css("body")

    @property
    def text(self) -> str:
        return str(self.css("body").text)  # type: ignore[attr-defined]

    def sign_in(self, name: str, password: str) -> None:
        self.d.delete_all_cookies()  # type: ignore[attr-defined]
        self.go("/")
        self.fill("#id_username", name)
        self.fill("#id_password", password)
        self.click("button[type=submit]")

    def wait_for(self, predicate: object, seconds: float = 120) -> None:
        from selenium.common.exceptions import WebDriverException

        deadline = time.monotonic() + seconds
        while True:
            try:
                if predicate():  # type: ignore[operator]
                    return
            except WebDriverException:  # the page was refreshing
                pass
            assert time.monotonic() < deadline, self.text
            time.sleep(0.5)


def test_consultant_and_client_work_on_one_audit_and_a_third_person_sees_nothing(
        server: tuple[str, dict[str, str]], browser: object, demo_exports: list[Path], tmp_path: Path) -> None:
    base, logins = server
    page = Page(browser, base)
    page.sign_in("consultant", logins["consultant"])
    assert page.css("h1").text == "Workspaces"  # type: ignore[attr-defined]
    page.click("a.button[href='/w/new/']")
    page.fill("#id_name", "Kerbrat libraries")
    page.fill("#id_account", "MediasKerbrat")
    page.fill("#id_peers", "MediaPlouvenec, BibMorvezen")
    page.click("button[type=submit]")
    folder = tmp_path / "exports"
    folder.mkdir()
    paths = [shutil.copy(p, folder / p.name) for p in demo_exports]
    page.css("#id_files").send_keys("\n".join(str(p) for p in paths))  # type: ignore[attr-defined]
    page.click("button[type=submit]")
    page.wait_for(lambda: page.css("#job-status").get_attribute("data-status") in {"done", "failed"})  # type: ignore[attr-defined]
    assert page.css("#job-status").get_attribute("data-status") == "done", page.text  # type: ignore[attr-defined]
    page.click("a.button")  # read the verdict
    assert re.search(r"Maturity level \d of 5", page.text), page.text
    workspace = page.d.current_url.split("/w/")[1].split("/")[0]  # type: ignore[attr-defined]
    page.go(f"/w/{workspace}/plan/")
    page.click("form[action$='/plan/start/'] button")
    page.go(f"/w/{workspace}/members/")
    page.fill("#id_email", "claire@example.org")
    page.click("form[action$='/members/invite/'] button")
    link = str(page.css("#invite-link").get_attribute("value"))  # type: ignore[attr-defined]

    page.d.delete_all_cookies()  # type: ignore[attr-defined]
    page.d.get(link)  # type: ignore[attr-defined]
    page.fill("#id_username", "claire")
    page.fill("#id_password", "a long client password 7")
    page.click("button[type=submit]")
    assert "client editor" in page.text
    page.fill("#body-maturity", "We answer by phone too: is that counted?")
    page.click(".comment-form button")
    assert "Comment posted." in page.text, page.text[:1500]
    page.fill("form[action$='/reviews/'] input[name=reason]", "Our phone line answers most questions")
    page.click("form[action$='/reviews/'] button[value=contested]")
    page.go(f"/w/{workspace}/plan/")
    page.fill("#objective-o1 textarea[name=text]", "Answer every question within four working hours")
    page.click("#objective-o1 form.row button")
    assert "Objective saved." in page.text

    page.sign_in("consultant", logins["consultant"])
    page.go(f"/w/{workspace}/")
    assert "We answer by phone too: is that counted?" in page.text
    assert "The client contested this finding (claire): “Our phone line answers most questions”" in page.text
    page.go(f"/w/{workspace}/plan/")
    assert "Answer every question within four working hours" in page.text
    assert "claire" in page.text  # the version's author

    page.sign_in("client", logins["client"])
    assert "Kerbrat libraries" not in page.text
    for path in (f"/w/{workspace}/", f"/w/{workspace}/plan/", f"/w/{workspace}/inbox/"):
        page.go(path)
        assert "We answer by phone" not in page.text and "four working hours" not in page.text
        assert "Not Found" in page.text, page.text
    logs = page.d.get_log("browser") if hasattr(page.d, "get_log") else []  # type: ignore[attr-defined]
    assert [entry for entry in logs if "Content Security Policy" in str(entry)] == []
