"""The Indonesian words users read for the codes the API uses (docs: /work/shared/GLOSSARY.md)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _


def N_(text: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark `text` for translation where it is declared; it is translated when shown."""
    return text


LABELS: dict[str, str] = {
    # Predikat kinerja pegawai and of the unit (PermenPAN-RB 6/2022).
    "SANGAT_BAIK": N_("Sangat Baik"),
    "BAIK": N_("Baik"),
    "BUTUH_PERBAIKAN": N_("Butuh Perbaikan"),
    "KURANG": N_("Kurang"),
    "SANGAT_KURANG": N_("Sangat Kurang"),
    "ISTIMEWA": N_("Istimewa"),
    # Hasil kerja and perilaku kerja.
    "DI_ATAS": N_("Di atas ekspektasi"),
    "SESUAI": N_("Sesuai ekspektasi"),
    "DI_BAWAH": N_("Di bawah ekspektasi"),
    # The seven BerAKHLAK core values.
    "berorientasi_pelayanan": N_("Berorientasi Pelayanan"),
    "akuntabel": N_("Akuntabel"),
    "kompeten": N_("Kompeten"),
    "harmonis": N_("Harmonis"),
    "loyal": N_("Loyal"),
    "adaptif": N_("Adaptif"),
    "kolaboratif": N_("Kolaboratif"),
    # Statuses.
    "DRAFT": N_("Draf"),
    "AGREED": N_("Disepakati"),
    "RATED": N_("Dinilai"),
    "FINALIZED": N_("Ditetapkan"),
    "PNS": N_("PNS"),
    "CPNS": N_("CPNS"),
    "PPPK": N_("PPPK"),
    "ACTIVE": N_("Aktif"),
    "SELECTED": N_("Lulus"),
    "NOT_SELECTED": N_("Tidak lulus"),
    "OPTIMISED": N_("P/L (lulus optimalisasi)"),
    "TEKNIS": N_("Kompetensi teknis"),
    "MANAJERIAL": N_("Kompetensi manajerial"),
    "SOSIAL_KULTURAL": N_("Kompetensi sosial kultural"),
    "LATSAR": N_("Pelatihan Dasar CPNS (Latsar)"),
    "ANNUAL": N_("Tahunan"),
    "OPEN": N_("Dibuka"),
    "CLOSED": N_("Ditutup"),
    # Reasons of an award eligibility decision (awards service).
    "PREDIKAT_SANGAT_BAIK": N_("Predikat kinerja tahunan Sangat Baik"),
    "PREDIKAT_NOT_SANGAT_BAIK": N_("Predikat kinerja tahunan bukan Sangat Baik"),
    "NO_SUBSTANTIATED_COMPLAINT": N_("Tidak ada pengaduan masyarakat yang terbukti"),
    "SUBSTANTIATED_COMPLAINT": N_("Ada pengaduan masyarakat yang terbukti"),
    "NO_DISCIPLINARY_SANCTION": N_("Tidak sedang menjalani hukuman disiplin"),
    "DISCIPLINARY_SANCTION": N_("Sedang menjalani hukuman disiplin"),
    "JP_COMPLIANT": N_("Paling sedikit 20 JP tahun ini"),
    "JP_BELOW_MINIMUM": N_("Kurang dari 20 JP tahun ini"),
    "JP_NOT_ASSESSED": N_("JP belum dinilai (buku JP tahun ini belum dibuka)"),
    # Training: enrolments, needs, plans, modes, providers, jobs (training service).
    "REQUESTED": N_("Diminta, menunggu keputusan atasan"),
    "ENROLLED": N_("Terdaftar"),
    "WAITLISTED": N_("Daftar tunggu"),
    "CANCELLED": N_("Dibatalkan"),
    "REJECTED": N_("Ditolak"),
    "COMPLETED": N_("Selesai"),
    "FAILED": N_("Gagal"),
    "PLANNED": N_("Direncanakan"),
    "DONE": N_("Terpenuhi"),
    "ADOPTED": N_("Ditetapkan"),
    "DEVELOPMENT": N_("Pengembangan kinerja"),
    "COMPETENCY": N_("Kesenjangan kompetensi"),
    "NO_SESSION": N_("Tidak ada sesi"),
    "NO_SEAT": N_("Kursi penuh"),
    "DATE_CLASH": N_("Jadwal bertabrakan"),
    "BUDGET": N_("Anggaran tidak cukup"),
    "CLASSICAL": N_("Klasikal"),
    "E_LEARNING": N_("E-learning"),
    "BLENDED": N_("Blended"),
    "COACHING_MENTORING": N_("Coaching/mentoring"),
    "ON_THE_JOB": N_("Pelatihan di tempat kerja"),
    "BPSDM": N_("BPSDM"),
    "LAN": N_("LAN"),
    "UNIVERSITY": N_("Perguruan tinggi"),
    "NGO": N_("LSM"),
    "PROFESSIONAL_BODY": N_("Asosiasi profesi"),
    "OTHER": N_("Lainnya"),
    "QUEUED": N_("Menunggu giliran"),
    "RUNNING": N_("Berjalan"),
    "SUCCEEDED": N_("Berhasil"),
    # Career development: the talent map's axes, movement, IDP actions (training service).
    "ABOVE": N_("Di atas ekspektasi"),
    "AS_EXPECTED": N_("Sesuai ekspektasi"),
    "BELOW": N_("Di bawah ekspektasi"),
    "HIGH": N_("Tinggi"),
    "MEDIUM": N_("Menengah"),
    "LOW": N_("Rendah"),
    "NEW": N_("Baru dipetakan"),
    "UP": N_("Naik"),
    "DOWN": N_("Turun"),
    "SAME": N_("Tetap"),
    "COURSE": N_("Pelatihan"),
    "ROTATION": N_("Rotasi"),
    "ASSIGNMENT": N_("Penugasan"),
    # Awards: a committee member's standing on a nomination and why they must recuse.
    "TO_SCORE": N_("Belum dinilai"),
    "SCORED": N_("Sudah dinilai"),
    "RECUSED": N_("Mengundurkan diri"),
    "IS_NOMINEE": N_("Anda sendiri calon penerimanya"),
    "NOMINATED_THEM": N_("Anda yang mengusulkannya"),
    "SUPERVISION_CHAIN": N_("Anda atasan calon (dalam rantai atasan)"),
    "SAME_UNIT": N_("Anda bekerja di unit kerja yang sama dengan calon"),
    "DECLARED": N_("Anda menyatakan konflik kepentingan"),
    # Formation categories (CPNS selection).
    "GENERAL": N_("Umum"),
    "CUM_LAUDE": N_("Lulusan cum laude"),
    "DIASPORA": N_("Diaspora"),
    "DISABILITY": N_("Penyandang disabilitas"),
    # Citizen feedback (SP4N-LAPOR!): kinds, privacy, workflow states, IKM elements.
    "SUGGESTION": N_("Aspirasi"),
    "COMPLAINT": N_("Pengaduan"),
    "INFORMATION_REQUEST": N_("Permintaan informasi"),
    "COMMENDATION": N_("Apresiasi"),
    "PUBLIC": N_("Publik"),
    "CONFIDENTIAL": N_("Rahasia (identitas hanya untuk verifikator)"),
    "ANONYMOUS": N_("Anonim"),
    "RECEIVED": N_("Diterima"),
    "VERIFIED": N_("Diverifikasi"),
    "FORWARDED": N_("Dialihkan"),
    "DISPOSITIONED": N_("Didisposisikan"),
    "IN_FOLLOW_UP": N_("Ditindaklanjuti"),
    "RESOLVED": N_("Selesai"),
    "SUBSTANTIATED": N_("Terbukti"),
    "UNSUBSTANTIATED": N_("Tidak terbukti"),
    "RINGAN": N_("Ringan"),
    "SEDANG": N_("Sedang"),
    "BERAT": N_("Berat"),
    "S1": N_("Semester 1"),
    "S2": N_("Semester 2"),
    "requirements": N_("Persyaratan"),
    "procedures": N_("Sistem, mekanisme dan prosedur"),
    "time": N_("Waktu penyelesaian"),
    "cost": N_("Biaya/tarif"),
    "product": N_("Produk spesifikasi jenis pelayanan"),
    "staff_competence": N_("Kompetensi pelaksana"),
    "staff_behaviour": N_("Perilaku pelaksana"),
    "facilities": N_("Sarana dan prasarana"),
    "complaint_handling": N_("Penanganan pengaduan, saran dan masukan"),
    # Objections (keberatan) to a finalized rating.
    "PENDING": N_("Menunggu keputusan"),
    "UPHELD": N_("Dikabulkan"),
    "PUBLISHED": N_("Diterbitkan"),
    # Roles.
    "admin": N_("BKD (admin)"),
    "recruiter": N_("Panitia seleksi"),
    "supervisor": N_("Atasan langsung"),
    "employee": N_("Pegawai"),
    "committee": N_("Panitia penghargaan"),
    "officer": N_("Petugas pengelola pengaduan"),
}


def label(code: Any) -> str:
    """The on-screen word for an API code (the code itself when none is known)."""
    if code is None:
        return ""
    text = LABELS.get(str(code))
    return _(text) if text else str(code)
