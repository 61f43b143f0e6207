"""The ranking in SQL (selection/ranking.py) agrees exactly with the pure rules (rules.py), on
SQLite and PostgreSQL: shortlist ties, the full tie-break chain, outcomes and optimisation."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from chassis.db import make_engine
from chassis.migrations import upgrade
from services.recruitment.selection import optimisation, ranking, rules
from services.recruitment.selection.models import (
    Application,
    Appointment,
    Formation,
    PassingGrade,
    SelectionResult,
)
from sofifi.registry import load_spec

NOW = datetime(2024, 12, 1, 1, 0, tzinfo=UTC)
GROUPS = [("Perawat Terampil", "D-III Keperawatan"), ("Analis Kebijakan", "S-1 Hukum")]
FIELDS = ("skd_total", "passed_grade", "shortlisted", "final_score", "rank", "outcome")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A migrated recruitment database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'recruitment.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    upgrade(load_spec("recruitment").migrations_dir, url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def make_selection(rng: random.Random, year: int, first_id: int = 1, formations: int = 12):
    """Formations and applications with scores drawn from few values, so that ties abound."""
    formation_rows, application_rows = [], []
    next_application = first_id * 1000
    for fid in range(first_id, first_id + formations):
        position, education = rng.choice(GROUPS)
        formation_rows.append(
            {
                "id": fid,
                "code": f"{year}-F{fid:04d}",
                "year": year,
                "position": position,
                "unit": "DINKES",
                "education": education,
                "category": rng.choice(["GENERAL", "GENERAL", *rules.CATEGORIES[1:]]),
                "quota": rng.choice([1, 1, 2, 3]),
                "created_at": NOW,
            }
        )
        for _ in range(rng.randint(0, 20)):
            next_application += 1
            application_rows.append(application(rng, next_application, fid, year, education))
    return formation_rows, application_rows


def application(rng: random.Random, n: int, formation_id: int, year: int, education: str):
    scored = rng.random() > 0.05
    return {
        "id": n,
        "formation_id": formation_id,
        "registration_number": f"{year}{rng.choice('AB')}{n:07d}",
        "nik": f"{n:016d}",
        "year": year,
        "name": f"Applicant {n}",
        "birth_date": rng.choice([date(1995, 3, 1), date(1995, 3, 2), date(1999, 12, 31)]),
        "gender": rng.choice("MF"),
        "education": education,
        "gpa": rng.choice([Decimal("3.00"), Decimal("3.50")]),
        "appeal_secret_hash": "0" * 64,
        "verification": rng.choices(["MS", "TMS", "PENDING"], [90, 7, 3])[0],
        "twk": rng.choice([60, 65, 100, 100]) if scored else None,
        "tiu": rng.choice([55, 60, 85, 100, 100]) if scored else None,
        "tkp": rng.choice([160, 166, 180, 180]) if scored else None,
        "skb": rng.choice([None, Decimal("70"), Decimal("80.50"), Decimal("80.5"), Decimal("90")]),
        "withdrawn": rng.random() < 0.05,
        "created_at": NOW,
    }


def load(engine, formations, applications, grades=()):
    with Session(engine) as session, session.begin():
        if grades:
            session.execute(insert(PassingGrade.__table__), list(grades))
        session.execute(insert(Formation.__table__), formations)
        if applications:
            session.execute(insert(Application.__table__), applications)


def stored_results(engine) -> dict[int, tuple]:
    with engine.connect() as connection:
        rows = connection.execute(select(SelectionResult.__table__)).mappings()
        return {row["application_id"]: row for row in rows}


def expected_results(formations, applications, grades=None) -> dict[int, rules.Result]:
    """The pure rules' results, formation by formation."""
    expected = {}
    for formation in formations:
        applicants = [
            rules.Applicant(
                a["id"],
                a["registration_number"],
                a["birth_date"],
                a["gpa"],
                a["twk"],
                a["tiu"],
                a["tkp"],
                a["skb"],
                a["verification"],
                a["withdrawn"],
            )
            for a in applications
            if a["formation_id"] == formation["id"]
        ]
        expected.update(
            rules.rank_formation(applicants, formation["quota"], formation["category"], grades)
        )
    return expected


def as_tuples(results) -> dict[int, tuple]:
    def value(result, name):
        return (
            result[name]
            if isinstance(result, dict) or hasattr(result, "keys")
            else getattr(result, name)
        )

    return {key: tuple(value(result, name) for name in FIELDS) for key, result in results.items()}


@pytest.mark.parametrize("seed", [1, 2, 3, 5])  # each has a tie at a shortlist cut-off
def test_random_selections_ranked_in_sql_equal_the_pure_rules(engine, seed):
    rng = random.Random(seed)
    formations, applications = make_selection(rng, 2024)
    load(engine, formations, applications)
    with Session(engine) as session, session.begin():
        written = ranking.rank_formations(session, year=2024, now=NOW)
    assert written == len(applications)
    stored = stored_results(engine)
    assert as_tuples(stored) == as_tuples(expected_results(formations, applications))
    assert all(row["ranked_at"] == NOW and row["optimised_into"] is None for row in stored.values())
    outcomes = Counter(row["outcome"] for row in stored.values())
    assert outcomes["SELECTED"] and outcomes["NOT_SELECTED"] and outcomes["FAILED_GRADE"]
    quota = {f["id"]: f["quota"] for f in formations}
    shortlisted = Counter(row["formation_id"] for row in stored.values() if row["shortlisted"])
    assert any(n > 3 * quota[formation] for formation, n in shortlisted.items())


def test_ties_at_the_shortlist_cut_off_and_down_to_age_and_registration(engine):
    formation = {
        "id": 1, "code": "2024-T-1", "year": 2024, "position": "P", "unit": "U",
        "education": "E", "category": "GENERAL", "quota": 1, "created_at": NOW,
    }  # fmt: skip
    rng = random.Random(7)
    applications = [application(rng, n, 1, 2024, "E") for n in range(1, 8)]
    for row, born, reg in zip(
        applications,
        [date(1990, 1, 1), date(1990, 1, 1), date(1989, 12, 31)] + [date(1995, 1, 1)] * 4,
        ["B", "A", "C", "D", "E", "F", "G"],
        strict=True,
    ):
        # All tie on SKD, TKP, TIU and TWK: 7 applicants share the 3 places, so all sit the SKB;
        # the final ties on SKB and GPA too, then age and the registration number decide.
        row.update(
            twk=100, tiu=100, tkp=180, skb=Decimal("80"), gpa=Decimal("3.50"), birth_date=born,
            registration_number=reg, verification="MS", withdrawn=False,
        )  # fmt: skip
    applications[-1].update(tkp=175)  # below the tie at the cut-off
    load(engine, [formation], applications)
    with Session(engine) as session, session.begin():
        ranking.rank_formations(session, [1], now=NOW)
    stored = stored_results(engine)
    # The oldest first, then registration number A before B; the 7th is below the cut-off tie.
    assert [stored[n]["rank"] for n in range(1, 8)] == [3, 2, 1, 4, 5, 6, None]
    assert [stored[n]["outcome"] for n in (3, 2, 7)] == [
        "SELECTED",
        "NOT_SELECTED",
        "NOT_SHORTLISTED",
    ]
    assert as_tuples(stored) == as_tuples(expected_results([formation], applications))
    assert sum(row["shortlisted"] for row in stored.values()) == 6


def test_a_years_passing_grades_come_from_the_table_with_null_bounds_not_applied(engine):
    rng = random.Random(11)
    formations, applications = make_selection(rng, 2025, formations=8)
    grade_rows = [
        {
            "year": 2025,
            "category": "GENERAL",
            "twk_min": 60,
            "tiu_min": None,
            "tkp_min": 170,
            "total_min": None,
        },
        {
            "year": 2025,
            "category": "DISABILITY",
            "twk_min": None,
            "tiu_min": 55,
            "tkp_min": None,
            "total_min": 300,
        },
    ]
    load(engine, formations, applications, grade_rows)
    grades = {
        "GENERAL": rules.PassingGrade(twk_min=60, tkp_min=170),
        "DISABILITY": rules.PassingGrade(tiu_min=55, total_min=300),
    }
    with Session(engine) as session, session.begin():
        ranking.rank_formations(session, [f["id"] for f in formations], now=NOW)
    assert as_tuples(stored_results(engine)) == as_tuples(
        expected_results(formations, applications, grades)
    )


def test_ranking_some_formations_replaces_only_theirs(engine):
    rng = random.Random(3)
    formations, applications = make_selection(rng, 2024, formations=6)
    load(engine, formations, applications)
    with Session(engine) as session, session.begin():
        ranking.rank_formations(session, year=2024, now=NOW)
    before = stored_results(engine)
    changed = next(a for a in applications if a["formation_id"] == 1)
    changed.update(
        twk=150, tiu=175, tkp=225, skb=Decimal("100"), verification="MS", withdrawn=False
    )
    later = datetime(2024, 12, 2, tzinfo=UTC)
    with Session(engine) as session, session.begin():
        session.execute(
            update(Application.__table__)
            .where(Application.__table__.c.id == changed["id"])
            .values(
                twk=150, tiu=175, tkp=225, skb=Decimal("100"), verification="MS", withdrawn=False
            )
        )
        ranking.rank_formations(session, [1], now=later)
    after = stored_results(engine)
    assert after[changed["id"]]["outcome"] == "SELECTED" and after[changed["id"]]["rank"] == 1
    assert as_tuples(after) == as_tuples(expected_results(formations, applications))
    # Only changed results are rewritten, so ranked_at tells when a result last changed.
    changed_rows = {
        key for key, row in after.items() if as_tuples({0: row}) != as_tuples({0: before[key]})
    }
    assert changed["id"] in changed_rows
    for key, row in after.items():
        if key in changed_rows:
            assert row["formation_id"] == 1 and row["ranked_at"] == later
        else:
            assert row == before[key]


def test_an_application_moved_to_another_formation_leaves_the_old_results(engine):
    rng = random.Random(4)
    formations, applications = make_selection(rng, 2024, formations=3)
    load(engine, formations, applications)
    moved = next(a for a in applications if a["formation_id"] == 1)
    with Session(engine) as session, session.begin():
        ranking.rank_formations(session, [1, 2, 3], now=NOW)
        session.execute(
            update(Application.__table__)
            .where(Application.__table__.c.id == moved["id"])
            .values(formation_id=2)
        )
        ranking.rank_formations(session, [1], now=NOW)
    assert moved["id"] not in stored_results(engine)
    with Session(engine) as session, session.begin():
        ranking.rank_formations(session, [2], now=NOW)
    moved["formation_id"] = 2
    assert as_tuples(stored_results(engine)) == as_tuples(
        expected_results(formations, applications)
    )


def test_a_long_list_that_is_a_whole_year_is_ranked_in_one_pass(engine, monkeypatch):
    monkeypatch.setattr(ranking, "CHUNK", 4)
    rng = random.Random(8)
    formations, applications = make_selection(rng, 2024, formations=10)
    load(engine, formations, applications)
    scopes = []
    real = ranking._replace
    monkeypatch.setattr(
        ranking, "_replace", lambda *a, **k: scopes.append(k["whole_years"]) or real(*a, **k)
    )
    with Session(engine) as session, session.begin():
        assert ranking.rank_formations(session, range(1, 11), now=NOW) == len(applications)
        ranking.rank_formations(session, range(1, 10), now=NOW)  # not all of 2024: in chunks
    assert scopes == [True, False, False, False]
    assert as_tuples(stored_results(engine)) == as_tuples(
        expected_results(formations, applications)
    )


@pytest.mark.parametrize("seed", range(3))
def test_optimisation_in_sql_equals_the_pure_choice(engine, seed):
    rng = random.Random(100 + seed)
    formations, applications = make_selection(rng, 2024, formations=16)
    load(engine, formations, applications)
    expected = expected_results(formations, applications)
    with Session(engine) as session, session.begin():
        ranking.rank_formations(session, year=2024, now=NOW)
        summary = optimisation.optimise(session, 2024)
    choices = rules.optimisation_choices(
        *pure_optimisation_input(formations, applications, expected)
    )
    stored = stored_results(engine)
    optimised = {k: r["optimised_into"] for k, r in stored.items() if r["outcome"] == "OPTIMISED"}
    assert optimised == dict(choices)
    assert summary.filled == len(choices) > 0 and summary.empty >= summary.filled
    assert sorted((a, into) for a, _from, into in summary.moves) == sorted(choices)
    # Optimising again redoes the same choice; re-ranking clears it until optimised again.
    with Session(engine) as session, session.begin():
        assert optimisation.optimise(session, 2024).moves == summary.moves
    assert stored_results(engine) == stored


def test_optimisation_fills_an_empty_special_post_from_the_general_list(engine):
    base = {"year": 2024, "unit": "U", "position": "Dokter", "education": "S1", "created_at": NOW}
    formations = [
        {**base, "id": 1, "code": "A-GEN", "category": "GENERAL", "quota": 1},
        {**base, "id": 2, "code": "B-DIS", "category": "DISABILITY", "quota": 2},
        {**base, "id": 3, "code": "C-GEN", "category": "GENERAL", "quota": 1, "education": "S2"},
    ]
    rng = random.Random(5)
    applications = []
    for n, (formation_id, skb) in enumerate(
        [(1, "90"), (1, "80"), (1, "70"), (2, "60"), (3, "99")]
    ):
        row = application(rng, n + 1, formation_id, 2024, "S1")
        row.update(twk=100, tiu=100, tkp=180, skb=Decimal(skb), verification="MS", withdrawn=False)
        applications.append(row)
    load(engine, formations, applications)
    with Session(engine) as session, session.begin():
        ranking.rank_formations(session, year=2024, now=NOW)
        summary = optimisation.optimise(session, 2024)
    assert (summary.empty, summary.filled, summary.moves) == (1, 1, [(2, 1, 2)])
    stored = stored_results(engine)
    assert [stored[n]["outcome"] for n in range(1, 6)] == [
        "SELECTED", "OPTIMISED", "NOT_SELECTED", "SELECTED", "SELECTED",
    ]  # fmt: skip
    assert stored[2]["optimised_into"] == 2 and stored[3]["optimised_into"] is None


def pure_optimisation_input(formations, applications, results):
    by_id = {a["id"]: a for a in applications}
    formation_of = {f["id"]: f for f in formations}
    selected = Counter(
        by_id[k]["formation_id"] for k, r in results.items() if r.outcome == "SELECTED"
    )
    vacancies = [
        rules.Vacancy(
            f["id"],
            f["code"],
            f["position"],
            f["education"],
            f["category"],
            f["quota"] - selected[f["id"]],
        )
        for f in formations
        if f["quota"] > selected[f["id"]]
    ]
    candidates = []
    for key, result in results.items():
        if result.outcome != "NOT_SELECTED":
            continue
        a = by_id[key]
        f = formation_of[a["formation_id"]]
        order = rules.ranking_key(
            result.final_score, a["twk"], a["tiu"], a["tkp"], a["gpa"], a["birth_date"],
            a["registration_number"],
        )  # fmt: skip
        candidates.append(
            rules.Candidate(key, f["id"], f["position"], f["education"], f["category"], order)
        )
    return vacancies, candidates


def test_the_unannounced_formations_of_a_year_are_ranked_in_one_pass(engine):
    rng = random.Random(9)
    formations, applications = make_selection(rng, 2024, formations=10)
    load(engine, formations, applications)
    with Session(engine) as session, session.begin():
        ranking.rank_formations(session, year=2024, now=NOW)
    announced = {f["id"] for f in formations if f["id"] % 3 == 0}
    corrected = [a for a in applications if a["skb"] is not None]
    later = datetime(2024, 12, 2, tzinfo=UTC)
    with Session(engine) as session, session.begin():
        forms, apps = Formation.__table__, Application.__table__
        session.execute(update(forms).where(forms.c.id.in_(announced)).values(announced_at=NOW))
        session.execute(update(apps).where(apps.c.skb.is_not(None)).values(skb=100 - apps.c.skb))
        ranking.rank_formations(session, year=2024, unannounced_only=True, now=later)
    for row in corrected:
        row["skb"] = 100 - row["skb"]
    fresh = as_tuples(expected_results(formations, applications))
    stored = stored_results(engine)
    for key, row in stored.items():
        if row["formation_id"] in announced:
            assert row["ranked_at"] == NOW  # frozen: left as it was
        else:
            assert as_tuples({key: row})[key] == fresh[key]
    assert any(row["ranked_at"] == later for row in stored.values())
    frozen = [key for key, row in stored.items() if row["formation_id"] in announced]
    assert any(as_tuples(stored)[key] != fresh[key] for key in frozen)  # a change not applied


def test_an_appointment_keeps_its_outcome_and_its_post_through_a_rerank(engine):
    """Formation 1 (quota 2): applicant 2 was optimised into formation 2 and appointed there,
    applicant 1 appointed in formation 1. Re-ranked, 2 stays OPTIMISED into 2 without taking a
    seat of 1, 1 stays SELECTED though a better score now outranks them, and formation 1's
    last seat goes to the best of the others."""
    base = {"year": 2024, "unit": "U", "position": "Dokter", "education": "S1", "created_at": NOW}
    formations = [
        {**base, "id": 1, "code": "A", "category": "GENERAL", "quota": 2},
        {**base, "id": 2, "code": "B", "category": "GENERAL", "quota": 1},
    ]
    rng = random.Random(6)
    applications = []
    for n, skb in enumerate(["70", "90", "60", "50", "99"], start=1):
        row = application(rng, n, 1, 2024, "S1")
        row.update(twk=100, tiu=100, tkp=180, skb=Decimal(skb), verification="MS", withdrawn=False)
        applications.append(row)
    load(engine, formations, applications)
    appointed = {"appointed_at": NOW, "appointed_by": "admin"}
    with Session(engine) as session, session.begin():
        ranking.rank_formations(session, year=2024, now=NOW)
        session.execute(
            insert(Appointment.__table__),
            [
                {"application_id": 1, "nip": "1" * 18, "formation_id": 1, **appointed},
                {"application_id": 2, "nip": "2" * 18, "formation_id": 2, **appointed},
            ],
        )
        ranking.rank_formations(session, [1], now=NOW)
        assert ranking.rank_formations(session, [1], now=NOW) == 0  # stable
        summary = optimisation.optimise(session, 2024)
    stored = stored_results(engine)
    assert {n: (r["rank"], r["outcome"], r["optimised_into"]) for n, r in stored.items()} == {
        1: (3, "SELECTED", None),
        2: (2, "OPTIMISED", 2),
        3: (4, "NOT_SELECTED", None),
        4: (5, "NOT_SELECTED", None),
        5: (1, "SELECTED", None),
    }
    assert (summary.empty, summary.filled) == (0, 0)  # both formations are full
