"""Browser tests: Debian's chromium driven by Playwright through the real platform (`sofifi run`),
an axe-core scan of every page visited and a screenshot of each kept under var/artifacts/browser."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from contracts.identifiers import make_nip
from tests.e2e.conftest import Platform, running_platform, wait_until

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts" / "browser"
PASSWORD = "kopi-sofifi-2024"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
YEAR = date.today().year


def browser_missing(message: str) -> None:
    """Fail under CI (the browser must be there: .ci/run installs it), skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message + " (CI=true: the browser tests must run)")
    pytest.skip(message)


@dataclass
class World:
    """The running platform and the people and data seeded into it."""

    platform: Platform
    people: dict[str, str] = field(default_factory=dict)
    formation: dict | None = None
    secret: str = ""

    def api(self, path: str) -> str:
        return f"{self.platform.gateway}/api/v1{path}"

    def ok(self, method: str, path: str, body=None, status: int = 200, **claims):
        headers = self.platform.keys.headers(*claims.pop("roles", ("admin",)), **claims)
        code, data, _ = self.platform.call(method, self.api(path), body, headers)
        assert code == status, (path, data)
        return data

    def user(self, username: str, *roles: str, nip: str | None = None, unit: str | None = None):
        args = ["user", "create", "--username", username, "--password", PASSWORD]
        for role in roles:
            args += ["--role", role]
        args += ["--nip", nip] if nip else []
        args += ["--unit", unit] if unit else []
        made = self.platform.sofifi(*args)
        assert made.returncode == 0, made.stderr


def person(sequence: int, name: str, supervisor: str | None) -> dict:
    birth = date(1980 + sequence, 2, 10)
    return {
        "nip": make_nip(birth, 2008, 3, "F" if sequence % 2 else "M", sequence),
        "name": name,
        "gender": "F" if sequence % 2 else "M",
        "birth_date": birth.isoformat(),
        "tmt_cpns": "2008-03-01",
        "status": "PNS",
        "unit": "BKD",
        "position": "Analis SDM Aparatur",
        "supervisor_nip": supervisor,
        "appointed_on": "2009-03-01",
    }


def seed(world: World) -> None:
    """A unit with a supervisor and two staff, accounts, an open period, an announced formation."""
    head = person(1, "Hasnah Abdullah", None)
    staff = person(2, "Siti Rahma", head["nip"])
    other = person(3, "Rizal Tuasikal", head["nip"])
    for record in (head, staff, other):
        world.ok("POST", "/recruitment/employees", record, 201)
    world.people = {"head": head["nip"], "staff": staff["nip"], "other": other["nip"]}
    world.user("bkd", "admin", unit="BKD")
    world.user("hasnah", "supervisor", "employee", nip=head["nip"], unit="BKD")
    world.user("siti", "employee", nip=staff["nip"], unit="BKD")
    # The appraisal service learns the roster from recruitment's events.
    wait_until(
        lambda: (
            world.platform.call(
                "GET",
                world.api(f"/appraisal/employees/{other['nip']}"),
                None,
                world.platform.keys.headers("admin"),
            )[0]
            == 200
        ),
        timeout=60,
        message="the roster in appraisal's projection",
    )
    world.ok("POST", "/appraisal/periods", {"year": YEAR, "kind": "ANNUAL"}, 201)
    # A formation announced with two applicants; the second one's secret is kept for an appeal.
    formation = world.ok(
        "POST",
        "/recruitment/formations",
        {
            "year": YEAR,
            "position": "Perawat Ahli Pertama",
            "education": "S1 Keperawatan",
            "code": f"{YEAR}-DINKES-WEB",
            "unit": "DINKES",
            "category": "GENERAL",
            "quota": 1,
        },
        201,
    )
    applicants = {
        "WEB-0001": ("8201014503970001", "Nurul Huda", "1997-03-05", "F"),
        "WEB-0002": ("8201011208960002", "Ahmad Djafar", "1996-08-12", "M"),
    }
    for number, (nik, name, birth, gender) in applicants.items():
        made = world.ok(
            "POST",
            f"/recruitment/formations/{formation['id']}/applications",
            {
                "registration_number": number,
                "nik": nik,
                "name": name,
                "birth_date": birth,
                "gender": gender,
                "education": "S1 Keperawatan",
                "gpa": 3.4,
            },
            201,
        )
        world.secret = made["appeal_secret"]
        world.ok("PUT", f"/recruitment/applications/{number}/verification", {"verification": "MS"})
    for kind, text in (
        ("skd", "registration_number,twk,tiu,tkp\nWEB-0001,100,100,180\nWEB-0002,90,95,170\n"),
        ("skb", "registration_number,skb\nWEB-0001,80\nWEB-0002,70\n"),
    ):
        response = world.platform.http.request(
            "POST",
            world.api(f"/recruitment/selection/{YEAR}/{kind}-scores"),
            body=text.encode(),
            headers={**world.platform.keys.headers("admin"), "Content-Type": "text/csv"},
        )
        assert response.status == 200, response.data
    world.ok("POST", f"/recruitment/selection/{YEAR}/rank")
    world.ok("POST", f"/recruitment/formations/{formation['id']}/announce")
    world.formation = formation


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium under Playwright (never a downloaded browser)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        browser_missing(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_missing("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory, broker) -> Iterator[World]:
    """The platform on the real broker, seeded."""
    amqp_url = broker.new_vhost()
    try:
        with running_platform(tmp_path_factory.mktemp("browser"), amqp_url) as platform:
            world = World(platform)
            seed(world)
            yield world
    finally:
        broker.delete_vhost(amqp_url)


class Visit:
    """A browser page that scans each page with axe-core and keeps a screenshot of it."""

    def __init__(self, page, journey: str, base: str) -> None:
        self.page, self.journey, self.base = page, journey, base
        # Only this run's screenshots in the journey's folder.
        shutil.rmtree(ARTIFACTS / journey, ignore_errors=True)
        self.count = 0
        self.violations: list[str] = []
        self.dialogs: list[str] = []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check()

    def check(self, name: str | None = None) -> None:
        """Scan the current page (0 serious or critical violations) and screenshot it."""
        from axe_playwright_python.sync_playwright import Axe

        self.count += 1
        path_part = self.page.url.split("//", 1)[1].split("/", 1)[-1].lower()
        slug = name or re.sub(r"[^a-z0-9]+", "-", path_part).strip("-") or "home"
        path = ARTIFACTS / self.journey / f"{self.count:02d}-{slug[:60]}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        results = Axe().run(self.page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.violations.append(f"{self.page.url}: {violation['id']} {targets}")


@pytest.fixture
def visit(chromium, world, request):
    """`visit(journey, phone=False)` -> a Visit on a new browser context."""
    contexts = []

    def make(journey: str, phone: bool = False) -> Visit:
        context = chromium.new_context(viewport=PHONE if phone else DESKTOP, locale="id-ID")
        contexts.append(context)
        return Visit(context.new_page(), journey, world.platform.gateway)

    yield make
    for context in contexts:
        context.close()
