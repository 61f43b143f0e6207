"""The demo's gateway accounts, one or more per role, written to the gateway's user store.

Passwords are derived from the gateway's signing key and the seed: the same on every run
against the same platform (so a second run can print them again), unguessable without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import inspect, select
from sqlalchemy.orm import sessionmaker

from chassis.db import make_engine
from chassis.uow import unit_of_work
from gateway.models import User
from gateway.users import create_user, normalize_username
from sofifi.demo.client import DemoError
from sofifi.demo.province import Person, Province, Rating
from sofifi.demo.steps import Demo, Step

SERVICE = "gateway"
SHOWCASE_UNIT = "DINKES"  # the unit whose head, staff and officer get accounts


@dataclass(frozen=True)
class Account:
    """A demo login: who it is, what it may do, and its password."""

    username: str
    roles: tuple[str, ...]
    who: str
    nip: str | None = None
    unit: str | None = None
    password: str = ""


def accounts(province: Province) -> list[Account]:
    """Admin, recruiter, committee, officer, three supervisors and two employees."""
    head = province.person(province.heads[SHOWCASE_UNIT])
    sekda = province.person(province.heads["SETDA"])
    staff = [p for p in province.staff(SHOWCASE_UNIT) if p.supervisor_nip != sekda.nip]
    kabids = [p for p in staff if p.supervisor_nip == head.nip]
    regular = [p for p in staff if p.supervisor_nip != head.nip]

    def first(fits: Callable[[Rating], bool], among: list[Person]) -> Person | None:
        return next((p for p in among if fits(province.ratings[p.nip])), None)

    # A SANGAT_BAIK employee (eligible), their Kepala Bidang, and someone with a training need
    # in the same team when there is one: the three accounts then see each other's records.
    star = first(lambda r: r.predikat == "SANGAT_BAIK", regular + kabids) or staff[0]
    if star in regular:
        lead = province.person(star.supervisor_nip)
    else:
        lead = next(kabid for kabid in kabids if kabid != star)
    team = [p for p in regular if p.supervisor_nip == lead.nip]
    others = [p for p in regular + kabids if p not in (star, lead)]
    weak = first(lambda r: r.needs() > 0, team + others) or (others or [None])[0]

    def person_account(p: Person, *roles: str) -> Account:
        return Account(p.username, roles, f"{p.name}, {p.position}", p.nip, p.unit)

    return [
        Account("demo.admin", ("admin",), "BKD staff"),
        Account("demo.recruiter", ("recruiter",), "selection committee (panitia seleksi)"),
        Account("demo.committee", ("committee",), "awards committee"),
        Account("demo.officer", ("officer",), "feedback officer", unit=SHOWCASE_UNIT),
        person_account(sekda, "supervisor", "employee"),
        person_account(head, "supervisor", "employee"),
        person_account(lead, "supervisor", "employee"),
        person_account(star, "employee"),
        *([person_account(weak, "employee")] if weak else []),  # a tiny unit may have no one
    ]


def password(key: bytes, seed: int, username: str) -> str:
    """The account's password: 16 base32 characters from an HMAC of the signing key."""
    digest = hmac.new(key, f"sofifi-demo:{seed}:{username}".encode(), hashlib.sha256).digest()
    text = base64.b32encode(digest).decode().lower()[:16]
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def create_accounts(demo: Demo) -> None:
    """Each demo account not in the gateway's user store yet (argon2id-hashed, as usual)."""
    key = demo.tokens.private_key
    made = [
        Account(**{**a.__dict__, "password": password(key, demo.province.seed, a.username)})
        for a in accounts(demo.province)
    ]
    engine = make_engine(demo.settings.database_url)
    try:
        if not inspect(engine).has_table(User.__tablename__):
            raise DemoError(
                f"the gateway's database ({demo.settings.database_url}) has no users table: "
                "run `sofifi demo` with the same SOFIFI_VAR_DIR / DATABASE_URL as the platform"
            )
        with unit_of_work(sessionmaker(engine, expire_on_commit=False)) as uow:
            existing = set(uow.session.scalars(select(User.username)))
            for account in made:
                if normalize_username(account.username) in existing:
                    continue
                create_user(
                    uow,
                    account.username,
                    account.password,
                    account.roles,
                    account.nip,
                    account.unit,
                )
                demo.count(SERVICE, "accounts")
    finally:
        engine.dispose()
    demo.seen["accounts"] = made


STEPS = (Step(SERVICE, "accounts", create_accounts),)
