"""The demo province, generated from a seed: units, people, the supervision tree and last year's
predikat per unit. Pure: no I/O, the same seed and size always give the same province.

Nobody here is a real person: given names come from lists of common Indonesian given names and
family names are made of syllables, so a full name is a chance combination.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from contracts.identifiers import make_nip

# Perangkat Daerah of a province (institution types, not people); SETDA heads the chain.
UNITS: tuple[tuple[str, str], ...] = (
    ("SETDA", "Sekretariat Daerah"),
    ("BKD", "Badan Kepegawaian Daerah"),
    ("DINKES", "Dinas Kesehatan"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
    ("DIKBUD", "Dinas Pendidikan dan Kebudayaan"),
    ("DKP", "Dinas Kelautan dan Perikanan"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
    ("INSPEKTORAT", "Inspektorat"),
    ("DISHUB", "Dinas Perhubungan"),
    ("DINSOS", "Dinas Sosial"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("DISPAR", "Dinas Pariwisata"),
)
GIVEN_M = (
    "Ahmad", "Muhammad", "Rizal", "Fadli", "Irfan", "Hasan", "Yusuf", "Ridwan", "Arman", "Budi",
    "Hendra", "Safrudin", "Jufri", "Iksan", "Rusli", "Nasir", "Syahril", "Fikri", "Rahmat",
    "Ilham", "Aditya", "Sandi", "Taufik", "Yohanes", "Markus", "Frans", "Daniel", "Imanuel",
)  # fmt: skip
GIVEN_F = (
    "Siti", "Nur", "Fatimah", "Rahma", "Aisyah", "Nurhayati", "Wahyuni", "Rini", "Dewi", "Fitri",
    "Sri", "Yuliana", "Maria", "Agustina", "Rosmawati", "Hasna", "Salma", "Nurul", "Indah",
    "Lestari", "Sartika", "Marlina", "Ernawati", "Mega", "Anita", "Selvi", "Yunita", "Kristina",
)  # fmt: skip
SYLLABLES = (
    "ma", "ka", "lu", "ti", "do", "sa", "ngi", "ra", "fo", "la", "ha", "me", "ku", "bo", "to",
    "se", "ja", "wo", "ni", "lo", "ta", "gu", "de", "ba", "na", "ro", "mu", "si",
)  # fmt: skip
STAFF_POSITIONS = (
    "Analis Kepegawaian", "Pengelola Keuangan", "Perencana Ahli Muda", "Pranata Komputer",
    "Arsiparis", "Analis Kebijakan", "Pengadministrasi Umum", "Bendahara", "Auditor",
    "Pengelola Barang Milik Daerah", "Analis Data dan Informasi", "Penyusun Program",
)  # fmt: skip
BERAKHLAK = (
    "berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif",
    "kolaboratif",
)  # fmt: skip
# (results, behaviour) giving each predikat in PermenPAN-RB 6/2022's matrix.
RATINGS = {
    "SANGAT_BAIK": ("DI_ATAS", "DI_ATAS"),
    "BAIK": ("SESUAI", "SESUAI"),
    "BUTUH_PERBAIKAN": ("DI_BAWAH", "SESUAI"),
    "KURANG": ("SESUAI", "DI_BAWAH"),
}
MIN_SIZE = 20


@dataclass(frozen=True)
class Person:
    """One employee of the demo roster, as `POST /employees/import` takes them."""

    nip: str
    name: str
    gender: str
    birth_date: date
    tmt_cpns: date
    status: str
    unit: str
    position: str
    supervisor_nip: str | None

    @property
    def username(self) -> str:
        """A login made from the name: `given.family`."""
        return ".".join(self.name.lower().split()[:2])


@dataclass(frozen=True)
class Rating:
    """Last year's annual rating of one person by their supervisor."""

    nip: str
    predikat: str
    weak_value: str | None  # a BerAKHLAK value rated DI_BAWAH (a competency need), if any

    def body(self) -> dict[str, object]:
        """The body of `PUT /appraisals/{nip}/{year}/ANNUAL`."""
        results, behaviour = RATINGS[self.predikat]
        # An overall DI_BAWAH comes from the one weak value, not from all seven.
        values = dict.fromkeys(BERAKHLAK, "SESUAI" if behaviour == "DI_BAWAH" else behaviour)
        if self.weak_value:
            values[self.weak_value] = "DI_BAWAH"
        return {
            "results_rating": results,
            "behaviour_rating": behaviour,
            "behaviour_values": values,
            "results_comment": "Dinilai terhadap SKP yang disepakati.",
        }

    def needs(self) -> int:
        """Training needs this rating leads to (development below BAIK, one per weak value)."""
        return int(self.predikat not in ("SANGAT_BAIK", "BAIK")) + int(bool(self.weak_value))


@dataclass
class Province:
    """Everything the demo puts on the platform, derived from (seed, size, year)."""

    seed: int
    size: int
    year: int  # the appraisal year (last year); the selection year is the one after
    units: list[tuple[str, str]] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    heads: dict[str, str] = field(default_factory=dict)  # unit -> its head's NIP
    unit_ratings: dict[str, str] = field(default_factory=dict)
    ratings: dict[str, Rating] = field(default_factory=dict)
    _by_nip: dict[str, Person] = field(default_factory=dict, repr=False, compare=False)

    @property
    def nips(self) -> set[str]:
        return {person.nip for person in self.people}

    def person(self, nip: str) -> Person:
        if len(self._by_nip) != len(self.people):
            self._by_nip = {person.nip: person for person in self.people}
        return self._by_nip[nip]

    def staff(self, unit: str) -> list[Person]:
        """The people the appraisal service counts in a unit: those with a supervisor."""
        return [p for p in self.people if p.unit == unit and p.supervisor_nip is not None]


def units_for(size: int) -> list[tuple[str, str]]:
    """About one unit per 25 people, at least 3, at most every unit listed."""
    return list(UNITS[: min(len(UNITS), max(3, size // 25))])


class _Maker:
    """Draws people from one random stream, keeping NIPs and usernames unique."""

    def __init__(self, rng: random.Random, year: int) -> None:
        self.rng = rng
        self.year = year
        self.sequences: Counter[str] = Counter()
        self.names: set[str] = set()

    def name(self, gender: str) -> str:
        while True:
            given = self.rng.choice(GIVEN_M if gender == "M" else GIVEN_F)
            family = "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.choice((2, 3))))
            full = f"{given} {family.capitalize()}"
            if full.lower() not in self.names:
                self.names.add(full.lower())
                return full

    def person(
        self,
        unit: str,
        position: str,
        supervisor: str | None,
        *,
        ages=(24, 57),
        status: str = "PNS",
    ) -> Person:
        rng = self.rng
        gender = rng.choice("MF")
        age = rng.randint(*ages)
        birth = date(self.year - age, rng.randint(1, 12), rng.randint(1, 28))
        if status == "CPNS":  # appointed in the appraisal year: still on probation in it
            tmt = date(self.year, 3, 1)
        else:
            start = birth.year + rng.randint(22, 30)
            tmt = date(min(start, self.year - 2), rng.randint(1, 12), 1)
        prefix = f"{birth:%Y%m%d}{tmt:%Y%m}{1 if gender == 'M' else 2}"
        self.sequences[prefix] += 1
        nip = make_nip(birth, tmt.year, tmt.month, gender, self.sequences[prefix])
        return Person(
            nip, self.name(gender), gender, birth, tmt, status, unit, position, supervisor
        )


def generate(seed: int, size: int, year: int) -> Province:
    """The province for a seed: `size` people in a tree under the Sekda, rated per unit."""
    if size < MIN_SIZE:
        raise ValueError(f"a demo province has at least {MIN_SIZE} people")
    rng = random.Random(f"sofifi-demo:{seed}:{size}:{year}")
    make = _Maker(rng, year)
    province = Province(seed, size, year, units_for(size))
    sekda = make.person("SETDA", "Sekretaris Daerah", None, ages=(50, 57))
    people = [sekda]
    province.heads["SETDA"] = sekda.nip
    leads: dict[str, list[str]] = {}  # unit -> the NIPs staff report to
    for code, name in province.units:
        if code == "SETDA":
            leaders = [
                make.person(code, f"Asisten {roman} Sekretaris Daerah", sekda.nip, ages=(45, 56))
                for roman in ("Pemerintahan", "Administrasi Umum")
            ]
        else:
            title = "Inspektur" if code == "INSPEKTORAT" else f"Kepala {name}"
            head = make.person(code, title, sekda.nip, ages=(46, 57))
            people.append(head)
            province.heads[code] = head.nip
            leaders = [
                make.person(code, f"Kepala Bidang {i}", head.nip, ages=(40, 55)) for i in (1, 2)
            ]
        people += leaders
        leads[code] = [leader.nip for leader in leaders]
    codes = [code for code, _ in province.units]
    while len(people) < size:
        unit = rng.choice(codes)
        status = rng.choices(("PNS", "CPNS", "PPPK"), (85, 8, 7))[0]
        ages = (23, 30) if status == "CPNS" else (24, 57)
        people.append(
            make.person(
                unit, rng.choice(STAFF_POSITIONS), rng.choice(leads[unit]), ages=ages, status=status
            )
        )
    province.people = people
    for index, code in enumerate(codes):
        rating = unit_rating(index)
        province.unit_ratings[code] = rating
        staff = province.staff(code)
        predikats = spread(rating, len(staff))
        rng.shuffle(predikats)
        for person, predikat in zip(staff, predikats, strict=True):
            weak = None
            if predikat == "KURANG" or (predikat == "BAIK" and rng.random() < 0.15):
                weak = rng.choice(BERAKHLAK)
            province.ratings[person.nip] = Rating(person.nip, predikat, weak)
    return province


def unit_rating(index: int) -> str:
    """The organisation rating of the index-th unit: mostly BAIK, some ISTIMEWA, one weak."""
    if index % 4 == 1:
        return "ISTIMEWA"
    if index == 3:
        return "BUTUH_PERBAIKAN"
    return "BAIK"


def spread(rating: str, n: int) -> list[str]:
    """Predikat for n people that the unit rating's distribution rule allows (floor/ceil)."""
    if n == 0:
        return []
    if rating == "ISTIMEWA":  # SANGAT_BAIK at most 70%
        sangat_baik = 50 * n // 100
        weak = 1 if n >= 12 else 0
        counts = {"SANGAT_BAIK": sangat_baik, "BUTUH_PERBAIKAN": weak}
    elif rating == "BUTUH_PERBAIKAN":  # BUTUH_PERBAIKAN at least 60%, SANGAT_BAIK at most 10%
        counts = {"BUTUH_PERBAIKAN": -(-60 * n // 100), "SANGAT_BAIK": 10 * n // 100}
    else:  # BAIK: BAIK at most 70%, some BUTUH_PERBAIKAN and/or KURANG
        counts = {
            "SANGAT_BAIK": 20 * n // 100,
            "BUTUH_PERBAIKAN": max(1, 12 * n // 100) if n >= 2 else 0,
            "KURANG": 1 if n >= 15 else 0,
        }
        while n - sum(counts.values()) > 70 * n // 100:
            counts["SANGAT_BAIK"] += 1
    counts["BAIK"] = n - sum(counts.values())
    return [predikat for predikat, count in counts.items() for _ in range(count)]
