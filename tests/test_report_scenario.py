"""A year of a fictional town hall and two peers, as canonical rows: the data the report tests render.

``year_rows()`` is deterministic (a seeded generator). The subject, @VilleDeKerlann, posts about three
times a week, pipes its news feed through dlvr.it from April to June, repeats some announcements,
threads, asks a few questions, and answers about six requests in ten, with delays from minutes to
days; the last day holds pending requests. @PortBlanc answers more and faster; @Lanvoz never answers.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from parlons.audit import AuditSettings, run_audit
from parlons.importers._base import post_row
from parlons.store import Store

from .test_audit_responsiveness import build

START = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
DAYS = 366
SETTINGS = AuditSettings(timezone="Europe/Paris")

INFORMATION = [
    "Travaux rue de Siam du lundi au vendredi : circulation alternée entre 9 h et 17 h.",
    "Le marché de Noël ouvre samedi place de la Liberté, avec 40 exposants.",
    "La piscine municipale rouvre ses portes après la vidange annuelle.",
    "Collecte des déchets verts décalée au mardi cette semaine.",
    "Nouveaux horaires de la médiathèque à partir du 1er du mois.",
    "Le compte rendu du conseil municipal est en ligne.",
]
COMMUNITY = [
    "Quel nom pour la future médiathèque ? Donnez-nous vos idées !",
    "Merci aux 200 bénévoles du forum des associations, vous avez été formidables.",
    "Et vous, qu'en pensez-vous : faut-il piétonniser le centre le dimanche ?",
]
ACTION = [
    "Inscrivez-vous au forum des associations avant vendredi : https://kerlann.example/forum",
    "Votez pour votre projet préféré du budget participatif : https://kerlann.example/budget",
]
REPEATED = "Rappel : la mairie est fermée lundi, jour férié. Bon week-end à toutes et à tous."
FEED = "Conseil municipal du {day} : l'ordre du jour"
REQUESTS = [
    "Bonjour, quand passe le ramassage des encombrants dans mon quartier ?",
    "Le lampadaire de la rue Jaurès est en panne depuis une semaine, un souci signalé plusieurs fois.",
    "Merci pour le feu d'artifice, superbe soirée !",
    "Où trouver le formulaire pour une carte d'identité ?",
    "Problème de stationnement devant l'école tous les matins, que comptez-vous faire ?",
    "Bravo pour la nouvelle piste cyclable.",
]
ANSWERS = [
    "Bonjour, le calendrier de votre quartier est ici : https://kerlann.example/collecte",
    "Merci, nous transmettons aux services techniques et revenons vers vous.",
    "Merci à vous, à l'année prochaine !",
]


def _account_rows(rng: random.Random, name: str, *, weekly: float, answer_rate: float, delay_h: float,
                  feed: bool, images: float) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for day in range(DAYS):
        moment = START + timedelta(days=day)
        if moment.weekday() < 5 and rng.random() < weekly / 5:
            rows.append(_original(rng, name, moment + timedelta(hours=rng.choice([1, 2, 4, 8])), images))
        if feed and 91 <= day < 213 and moment.weekday() < 5:
            rows.append(_feed(name, moment + timedelta(hours=10), day))
        if day % 30 == 5:
            rows.append(_row(name, f"{name}-rep-{day}", moment + timedelta(hours=3), REPEATED, media=0))
        if rng.random() < 0.33:
            rows += _request(rng, name, moment + timedelta(hours=rng.randint(0, 13), minutes=rng.randint(0, 59)),
                             answer_rate, delay_h)
    rows += _threads(rows, name)
    return rows


def post(post_id: str, account: str, moment: datetime, text: str, *, kind: str = "original",
         **fields: Any) -> dict[str, Any]:
    """A canonical row (lists empty unless given)."""
    lists = {"mentions": [], "hashtags": [], "urls": [], "media_kinds": []}
    return post_row(platform="x", post_id=post_id, account=account, kind=kind, text=text, created_at=moment,
                    source_member="scenario", source_record=post_id, **{**lists, **fields})


def _row(name: str, post_id: str, moment: datetime, text: str, *, media: int | None = None,
         **fields: Any) -> dict[str, Any]:
    kinds = ["image"] * (media or 0)
    return post(post_id, name, moment, text, media_count=media, media_kinds=kinds,
                permalink=f"https://x.example/{name}/status/{post_id}", lang="fr", **fields)


def _original(rng: random.Random, name: str, moment: datetime, images: float) -> dict[str, Any]:
    pool = rng.choices([INFORMATION, COMMUNITY, ACTION], weights=[6, 2, 1])[0]
    text = f"{rng.choice(pool)} ({moment:%d/%m})" + f" #{name.lower()}" * (rng.random() < 0.3)
    media = 1 if rng.random() < images else 0
    return _row(name, f"{name}-o-{moment:%Y%m%d%H}", moment, text, media=media, source="Twitter Web App")


def _feed(name: str, moment: datetime, day: int) -> dict[str, Any]:
    link = f"https://{name.lower()}.example/actu/{day}"
    return _row(name, f"{name}-f-{day}", moment, f"{FEED.format(day=day)} {link}", media=0, source="dlvr.it",
                urls=[link])


def _request(rng: random.Random, name: str, moment: datetime, answer_rate: float,
             delay_h: float) -> list[dict[str, Any]]:
    author = f"habitant{rng.randint(1, 60)}"
    request_id = f"req-{name}-{moment:%Y%m%d%H%M}"
    text = f"@{name} {rng.choice(REQUESTS)}"
    rows = [post(request_id, author, moment, text, mentions=[name.lower()],
                 permalink=f"https://x.example/{author}/status/{request_id}", lang="fr")]
    if rng.random() < answer_rate:
        delay = timedelta(hours=rng.expovariate(1 / delay_h) + 0.05)
        rows.append(_row(name, f"ans-{request_id}", moment + delay, f"@{author} {rng.choice(ANSWERS)}",
                         kind="reply", in_reply_to_id=request_id, in_reply_to_account=author, mentions=[author],
                         media=0, source="Twitter Web App"))
    return rows


def _threads(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    originals = [r for r in rows if r["account"] == name and r["kind"] == "original"][::9]
    text = "La suite et les détails dans ce fil."
    return [_row(name, f"{r['post_id']}-t", r["created_at"] + timedelta(minutes=2), text,
                 kind="reply", in_reply_to_id=r["post_id"], in_reply_to_account=name, media=0) for r in originals]


def year_rows(seed: int = 7) -> list[dict[str, Any]]:
    """The subject and its two peers over 2024."""
    rng = random.Random(seed)
    rows = _account_rows(rng, "VilleDeKerlann", weekly=3, answer_rate=0.6, delay_h=9, feed=True, images=0.2)
    rows += _account_rows(rng, "PortBlanc", weekly=4, answer_rate=0.9, delay_h=2, feed=False, images=0.5)
    rows += _account_rows(rng, "Lanvoz", weekly=1.5, answer_rate=0.0, delay_h=1, feed=False, images=0.1)
    end = START + timedelta(days=DAYS - 1, hours=20)
    rows.append(post("req-last", "habitant7", end, "@VilleDeKerlann la déchetterie est-elle ouverte demain ?",
                     mentions=["villedekerlann"], lang="fr"))
    return rows


def year_audits(store: Store, tmp: Path, peers: bool = True) -> list[dict[str, Any]]:
    build(store, year_rows(), tmp)
    names = ["VilleDeKerlann", "PortBlanc", "Lanvoz"] if peers else ["VilleDeKerlann"]
    return run_audit(store.con, names, platform="x", settings=SETTINGS)


def test_the_scenario_has_what_the_report_shows(store: Store, tmp_path: Path) -> None:
    main, port_blanc, lanvoz = year_audits(store, tmp_path)
    r = main.responsiveness
    assert (main.period.since, main.period.until, main.period.basis) == (
        "2024-01-01T12:00:00Z", "2024-12-31T11:00:00Z", "common with peers")  # PortBlanc's first and last posts
    assert (r.requests, r.unanswered, r.pending, r.by_intent.all.requests) == (78, 27, 0, 120)
    alone = run_audit(store.con, ["VilleDeKerlann"], platform="x", settings=SETTINGS)[0]
    assert (alone.period.since, alone.period.until, alone.period.basis) == (
        "2024-01-01T10:00:00Z", "2025-01-01T13:51:35Z", "own data")
    assert (alone.responsiveness.by_intent.all.requests, alone.responsiveness.pending) == (122, 1)
    assert 0.4 < r.answered_share.value < 0.8
    assert main.broadcast.automated_share.value > 0.1
    assert main.broadcast.duplicated_examples
    assert port_blanc.responsiveness.answered_share.value > 0.8
    assert lanvoz.responsiveness.answered == 0
