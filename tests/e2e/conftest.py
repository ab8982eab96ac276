"""A real browser: Debian's Chromium driven by Playwright."""
from __future__ import annotations

import shutil
import signal
from contextlib import contextmanager

import pytest

from tests.conftest import gunicorn_server, require
from tests.outbox_fixtures import start_worker, worker_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def browser():
    require(shutil.which("chromium") or shutil.which(CHROMIUM), "Chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # as long as any other wait on a busy machine
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def browser_page(browser, **options):
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser):
    """A fresh browser session on a phone-sized screen."""
    with browser_page(browser, **PHONE) as page:
        yield page


@pytest.fixture
def desktop_page(browser):
    with browser_page(browser, viewport={"width": 1280, "height": 900}) as page:
        yield page


@pytest.fixture
def no_script_page(browser):
    """A phone-sized browser session with JavaScript turned off."""
    with browser_page(browser, java_script_enabled=False, **PHONE) as page:
        yield page


@pytest.fixture
def site_with_mail(app, smtp_server):
    """The site under gunicorn, and an outbox worker delivering to the SMTP server."""
    with gunicorn_server(app, workers=2, threads=4) as base_url:
        worker = start_worker(worker_env(app, smtp_server, SITE_URL=base_url))
        yield base_url
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
