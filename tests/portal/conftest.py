"""The portal served by a real uvicorn on 127.0.0.1 (free port), a real database, real headless Chromium."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from portal.web import create_app
from registry.db import open_db
from tests.portal.world import PASSWORD, World, build
from tests.servers.postgres import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass
class Portal:
    base: str
    world: World
    sessions: object
    app: object

    def client(self, name: str | None = None) -> httpx.Client:
        """An HTTP client, logged in as `name` when given (through the real log-in form)."""
        c = httpx.Client(base_url=self.base, timeout=30)
        if name:
            c.get("/login")
            r = c.post("/login", data={"name": name, "password": PASSWORD,
                                       "csrf_token": c.cookies["kptj_login_csrf"]})
            assert r.status_code == 303, r.text
        return c


class ThreadServer:
    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("portal server did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _portal(url: str, home: Path) -> Iterator[Portal]:
    sessions = open_db(url)
    with sessions() as s:
        world = build(s, home, url)
    app = create_app(sessions)
    with ThreadServer(app) as base:
        yield Portal(base, world, sessions, app)
    sessions.kw["bind"].dispose()


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    """SQLite in the workspace folder, so `kptj --home tmp_path status` reads the same database."""
    yield from _portal(f"sqlite:///{tmp_path / 'kptj.sqlite3'}", tmp_path)


@pytest.fixture
def portal_any_db(db_url: str, tmp_path: Path) -> Iterator[Portal]:
    """The same on each backend (SQLite and a real PostgreSQL)."""
    yield from _portal(db_url, tmp_path)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, portal: Portal):
    """A fresh browser context per test (no shared cookies); `login(name)` logs in through the form."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()

    def login(name: str) -> None:
        page.goto(portal.base + "/login")
        page.fill("input[name=name]", name)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")

    page.login = login  # type: ignore[attr-defined]
    yield page
    context.close()
