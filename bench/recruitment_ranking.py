"""Benchmark of the CPNS selection ranking (services/recruitment/selection); prints JSON figures.

- national: a synthetic CPNS 2024 (3.57 M applications over 250,407 formations, `--scale` for
  less) bulk-loaded with PostgreSQL COPY into a fresh database (dropped after), then
  `rank_formations(year=...)` timed: the first run (every result inserted), a re-run with
  nothing changed, and a re-run after 1 % of the SKB scores were corrected; then `optimise`
  (time, and its peak Python memory with tracemalloc). Then 10 % of the formations are
  announced and the rest re-ranked twice, each in a transaction rolled back: as the list of
  their ids (in chunks of 2,000) and as the year with the predicate "not announced"
  (`unannounced_only`, what `POST /selection/{year}/rank` does).
- provincial: North Maluku's size (5,000 applications over 600 formations) on a SQLite file,
  ranked and optimised the same way.
Targets (DESIGN.md section 6): national under 120 s on PostgreSQL, provincial under 1 s on SQLite.

The data: each applicant has an ability that moves TWK, TIU and TKP together (TWK and TIU in
steps of 5); most fail a passing grade, as in 2024. 15 % are TMS, 4 % missed the SKD, 0.5 %
withdrew; those with an SKD total of 286 or more sat the SKB (2 % missed it). Formations have
skewed quotas (mostly 1) and a heavy-tailed popularity, so some get no applicant and leave posts
for the optimisation; 10 % are cum laude, diaspora or disability posts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from sqlalchemy import event, insert, select, update
from sqlalchemy.engine import make_url

from bench._env import about_machine, fresh_database
from chassis.db import make_engine, normalize_url
from services.recruitment.models import Base
from services.recruitment.selection import optimisation, ranking
from services.recruitment.selection.models import Application, Formation

YEAR = 2024
NATIONAL_APPLICATIONS, NATIONAL_FORMATIONS = 3_570_000, 250_407
PROVINCE_APPLICATIONS, PROVINCE_FORMATIONS = 5_000, 600
TARGET_NATIONAL_S, TARGET_PROVINCE_S = 120.0, 1.0
CHUNK = 100_000
WORK_MEM = "64MB"
FK = "fk_selection_results_application_id_applications"
CREATED = "2024-08-20 00:00:00+00"
FORMATION_COLUMNS = (
    "id", "code", "year", "position", "unit", "education", "category", "quota", "created_at",
)  # fmt: skip
APPLICATION_COLUMNS = (
    "id", "formation_id", "registration_number", "nik", "year", "name", "birth_date", "gender",
    "education", "gpa", "appeal_secret_hash", "verification", "twk", "tiu", "tkp", "skb",
    "withdrawn", "created_at",
)  # fmt: skip


# -- the synthetic selection ------------------------------------------------------------------


def formations(count: int, rng: random.Random) -> list[tuple]:
    """Formation rows; (position, education) pairs repeat across units, as in a real year."""
    jobs = ["Perawat", "Bidan", "Dokter", "Guru", "Analis", "Pranata Komputer", "Penyuluh"]
    levels = ["Terampil", "Mahir", "Ahli Pertama"]
    fields = ["Keperawatan", "Kebidanan", "Kedokteran", "Hukum", "Ekonomi", "Informatika"]
    degrees = ["D-III", "D-IV", "S-1", "S-2"]
    positions = [f"{j} {lvl} {n}" for j in jobs for lvl in levels for n in range(1, 60)]
    educations = [f"{d} {f} {n}" for d in degrees for f in fields for n in range(1, 12)]
    groups = [(rng.choice(positions), rng.choice(educations)) for _ in range(max(count // 80, 5))]
    group_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(groups))]
    picked = rng.choices(groups, group_weights, k=count)
    categories = rng.choices(
        ["GENERAL", "CUM_LAUDE", "DIASPORA", "DISABILITY"], [90, 4, 1, 5], k=count
    )
    quotas = rng.choices([1, 2, 3, 4, 5, 8, 15, 40], [62, 17, 8, 5, 3, 3, 1.5, 0.5], k=count)
    return [
        (n, f"{YEAR}-{n:07d}", YEAR, position, f"INST-{n % 630:03d}", education, cat, quota)
        for n, ((position, education), cat, quota) in enumerate(
            zip(picked, categories, quotas, strict=True), start=1
        )
    ]


def applications(count: int, forms: list[tuple], rng: random.Random) -> Iterator[list[tuple]]:
    """Application rows in chunks; formations drawn by a heavy-tailed popularity x quota."""
    weights = [rng.lognormvariate(0, 1.3) * f[7] ** 0.5 for f in forms]
    days = (date(2002, 12, 31) - date(1984, 1, 1)).days
    first_day = date(1984, 1, 1).toordinal()
    gauss, random_ = rng.gauss, rng.random
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        chosen = rng.choices(forms, weights, k=size)
        rows = []
        for n, form in enumerate(chosen, start=start + 1):
            ability = gauss(0, 1)
            twk = min(150, max(0, round((72 + 16 * (0.6 * ability + 0.8 * gauss(0, 1))) / 5) * 5))
            tiu = min(175, max(0, round((82 + 20 * (0.6 * ability + 0.8 * gauss(0, 1))) / 5) * 5))
            tkp = min(225, max(45, round(158 + 12 * (0.6 * ability + 0.8 * gauss(0, 1)))))
            roll = random_()
            verification = "TMS" if roll < 0.15 else "MS"
            if 0.15 <= roll < 0.19:  # did not sit the SKD
                twk = tiu = tkp = None
            skb = None
            if twk is not None and twk + tiu + tkp >= 286 and random_() > 0.02:
                skb = f"{min(100.0, max(0.0, gauss(68, 12))):.2f}"
            rows.append(
                (
                    n, form[0], f"{YEAR}{n:011d}", f"{8100000000000000 + n}", YEAR,
                    f"Peserta {n}", date.fromordinal(first_day + int(random_() * days)),
                    "M" if random_() < 0.5 else "F", form[5], f"{2.5 + random_() * 1.5:.2f}",
                    f"{rng.getrandbits(256):064x}", verification, twk, tiu, tkp, skb,
                    random_() < 0.005,
                )
            )  # fmt: skip
        yield rows


# -- national, on PostgreSQL ------------------------------------------------------------------


def copy_rows(cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """COPY rows (text format; None is NULL) into `table`, created_at stamped for all."""
    lines = []
    for row in rows:
        fields = ["\\N" if v is None else ("t" if v is True else "f" if v is False else str(v))
                  for v in row]  # fmt: skip
        fields.append(CREATED)
        lines.append("\t".join(fields))
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write("\n".join(lines) + "\n")


def _work_mem(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET work_mem = '{WORK_MEM}'")


def national(scale: float, seed: int, admin_url: str, drop_result_fk: bool) -> dict[str, Any]:
    """Load, rank, re-rank and optimise a national selection on a fresh PostgreSQL database."""
    rng = random.Random(seed)
    count = round(NATIONAL_APPLICATIONS * scale)
    form_rows = formations(round(NATIONAL_FORMATIONS * scale), rng)
    with fresh_database(admin_url, Base.metadata) as url:
        plain = make_url(normalize_url(url)).set(drivername="postgresql")
        load = {"generate_s": 0.0, "copy_s": 0.0}
        with psycopg.connect(plain.render_as_string(hide_password=False)) as conn:
            with conn.cursor() as cursor:
                copy_rows(cursor, "formations", FORMATION_COLUMNS, form_rows)
                generated = time.perf_counter()
                for rows in applications(count, form_rows, rng):
                    started = time.perf_counter()
                    load["generate_s"] += started - generated
                    copy_rows(cursor, "applications", APPLICATION_COLUMNS, rows)
                    generated = time.perf_counter()
                    load["copy_s"] += generated - started
            conn.commit()
            conn.autocommit = True
            started = time.perf_counter()
            conn.execute("VACUUM (ANALYZE) formations, applications")
            vacuum_s = time.perf_counter() - started
        engine = make_engine(url)
        if drop_result_fk:  # what the foreign key of selection_results costs (see the README)
            with engine.begin() as connection:
                connection.exec_driver_sql(f"ALTER TABLE selection_results DROP CONSTRAINT {FK}")
        # Sorting the passers in memory rather than on disk (a session setting, no restart).
        event.listen(engine, "connect", _work_mem)
        figures = rank_and_optimise(engine, rerank=True)
        engine.dispose()
    return {
        "applications": count,
        "formations": len(form_rows),
        "load": {
            "rows": count + len(form_rows),
            "generate_s": round(load["generate_s"], 1),
            "copy_s": round(load["copy_s"], 1),
            "copy_rows_per_s": round(count / load["copy_s"]),
            "vacuum_analyze_s": round(vacuum_s, 1),
        },
        **figures,
        "work_mem": WORK_MEM,
        "selection_results_fk": not drop_result_fk,
        "target_rank_s": TARGET_NATIONAL_S * scale,
        "meets_target": figures["rank_s"] < TARGET_NATIONAL_S * scale,
    }


def rank_and_optimise(engine, rerank: bool = False) -> dict[str, Any]:
    """Time ranking the whole year (first run, then re-runs), then the optimisation."""
    figures: dict[str, Any] = {}
    figures["rank_s"], written = timed_rank(engine)
    if rerank:
        figures["rerank_unchanged_s"], figures["rerank_unchanged_rows"] = timed_rank(engine)
        with engine.begin() as connection:  # 1 % of the SKB scores corrected
            skb = Application.__table__.c.skb
            statement = (
                update(Application.__table__)
                .where(Application.__table__.c.id % 100 == 0, skb.is_not(None))
                .values(skb=100 - skb)
            )
            changed = connection.execute(statement).rowcount
        figures["rerank_after_changes_s"], rows = timed_rank(engine)
        figures["rerank_after_changes"] = {"skb_changed": changed, "results_rewritten": rows}
    started = time.perf_counter()
    with engine.begin() as connection:
        summary = optimisation.optimise(connection, YEAR)
    figures["optimise_s"] = round(time.perf_counter() - started, 3)
    figures["optimise_peak_python_mb"] = optimise_memory(engine)
    with engine.connect() as connection:
        outcomes = connection.exec_driver_sql(
            "SELECT outcome, count(*) FROM selection_results GROUP BY outcome"
        ).all()
    figures["partial_year"] = partial_year(engine)
    figures["results_written"] = written
    figures["outcomes"] = dict(sorted(Counter(dict(outcomes)).items()))
    figures["empty_posts"], figures["filled_by_optimisation"] = summary.empty, summary.filled
    return figures


def optimise_memory(engine) -> float:
    """Peak Python memory (MB, tracemalloc) of `optimise` run again (same choices), rolled back."""
    with engine.connect() as connection, connection.begin() as transaction:
        tracemalloc.start()
        optimisation.optimise(connection, YEAR)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        transaction.rollback()
    return round(peak / 2**20, 1)


def partial_year(engine) -> dict[str, Any]:
    """Announce 10 % of the formations, then time re-ranking the rest: the ids in chunks
    against the year with the predicate (each rolled back, so both start from one state)."""
    forms = Formation.__table__
    with engine.begin() as connection:
        announced = connection.execute(
            update(forms).where(forms.c.id % 10 == 0).values(announced_at=datetime.now(UTC))
        ).rowcount
        ids = list(connection.scalars(select(forms.c.id).where(forms.c.announced_at.is_(None))))
    figures: dict[str, Any] = {"announced": announced, "reranked": len(ids)}
    for name, arguments in (
        ("ids_in_chunks_s", {"formation_ids": ids}),
        ("unannounced_predicate_s", {"year": YEAR, "unannounced_only": True}),
    ):
        with engine.connect() as connection, connection.begin() as transaction:
            started = time.perf_counter()
            ranking.rank_formations(connection, **arguments)
            figures[name] = round(time.perf_counter() - started, 3)
            transaction.rollback()
    with engine.begin() as connection:
        connection.execute(update(forms).values(announced_at=None))
    return figures


def timed_rank(engine) -> tuple[float, int]:
    """Seconds to rank the whole year in one transaction (commit included), rows written."""
    started = time.perf_counter()
    with engine.begin() as connection:
        written = ranking.rank_formations(connection, year=YEAR)
    return round(time.perf_counter() - started, 3), written


# -- provincial, on SQLite ---------------------------------------------------------------------


def provincial(seed: int) -> dict[str, Any]:
    """Rank and optimise North Maluku's size on a fresh SQLite file."""
    rng = random.Random(seed)
    form_rows = formations(PROVINCE_FORMATIONS, rng)
    created = datetime(2024, 8, 20, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/recruitment.db")
        Base.metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(
                insert(Formation.__table__),
                [dict(zip(FORMATION_COLUMNS, (*row, created), strict=True)) for row in form_rows],
            )
            for rows in applications(PROVINCE_APPLICATIONS, form_rows, rng):
                connection.execute(
                    insert(Application.__table__),
                    [sqlite_row(row, created) for row in rows],
                )
        figures = rank_and_optimise(engine)
        engine.dispose()
    return {
        "applications": PROVINCE_APPLICATIONS,
        "formations": PROVINCE_FORMATIONS,
        **figures,
        "target_rank_s": TARGET_PROVINCE_S,
        "meets_target": figures["rank_s"] < TARGET_PROVINCE_S,
    }


def sqlite_row(row: tuple, created: datetime) -> dict[str, Any]:
    values = dict(zip(APPLICATION_COLUMNS, (*row, created), strict=True))
    values["gpa"] = Decimal(values["gpa"])
    values["skb"] = None if values["skb"] is None else Decimal(values["skb"])
    return values


def main(argv: list[str] | None = None) -> None:
    """Run the ranking benchmark and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the national size")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument(
        "--drop-result-fk",
        action="store_true",
        help="drop selection_results' foreign key to applications before ranking (to measure it)",
    )
    args = parser.parse_args(argv)
    admin = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    load_before = os.getloadavg()[0]
    figures: dict[str, Any] = {"benchmark": "recruitment_ranking"}
    figures["provincial_sqlite"] = provincial(args.seed)
    if not args.skip_national:
        figures["national_postgresql"] = national(args.scale, args.seed, admin, args.drop_result_fk)
    figures["machine"] = about_machine(
        load_before,
        # Linux reports KiB: the bench process only (the PostgreSQL server is not included).
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
