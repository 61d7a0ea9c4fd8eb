"""People talking to the three organizations on X, and whether (and when) each one answers.

Requests are questions, complaints, thanks and suggestions, written as replies to a recent post of
the organization, as tweets starting with its handle, or mentioning it in passing. Questions to the
audience draw replies; an answer sometimes draws a "thanks". Each organization answers by its own
:class:`Policy`: the designed answered shares are about 0.5 (the organization, lower during its
RSS-fed period), 0.9 (its first peer, fast, evenings and weekends too) and 0.05 (its second peer,
days later). Answers that would come after the collection ended are not in the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .cast import ORG_X, PEER1_X
from .timelines import in_rss_period, tweet
from .world import TZ, Account, Post, World

__all__ = ["POLICIES", "Policy", "answer_time", "conversations"]

INTENTS = {"question": 0.42, "complaint": 0.16, "thanks": 0.27, "suggestion": 0.15}


@dataclass(frozen=True)
class Policy:
    """How an organization answers: the chance to answer, and how long it takes."""

    key: str
    branches: str
    requests_per_year: float
    office: float
    """Chance to answer a request received Monday to Friday, 9:00 to 18:00 (local time)."""
    outside: float
    rss: float
    """Multiplies the chances during the organization's RSS-fed period."""
    thanks: float
    """Multiplies the chances for thanks, replies to its questions and follow-ups."""
    median_minutes: float
    slow: float
    """Share of answers that wait one to four more days."""
    evenings: bool
    """Answers evenings and weekends (8:00-22:00) as fast as office hours."""
    audience_replies: float
    """Mean number of replies to each of its questions to the audience."""
    followups: float
    """Multiplies the chance to answer a "thanks" that follows one of its answers."""


POLICIES = (
    Policy("org", "branch", 260, office=0.92, outside=0.72, rss=0.3, thanks=0.65, median_minutes=40, slow=0.08,
           evenings=False, audience_replies=1.6, followups=0.2),
    Policy("peer1", "branch_peer1", 180, office=0.99, outside=0.98, rss=1.0, thanks=0.95, median_minutes=12,
           slow=0.02, evenings=True, audience_replies=2.4, followups=0.75),
    Policy("peer2", "branch_peer2", 110, office=0.12, outside=0.06, rss=1.0, thanks=0.3,
           median_minutes=60 * 24 * 3, slow=0.5, evenings=False, audience_replies=0.5, followups=0.0),
)


def conversations(world: World) -> None:
    """Requests to each organization and their answers, then the two peers' exchanges."""
    for policy in POLICIES:
        target = world.accounts[policy.key]
        _audience(world, target, policy)
        for when in world.spread(policy.requests_per_year, "people"):
            _request(world, target, policy, when)
    _between_peers(world)


def _request(world: World, target: Account, policy: Policy, when: datetime) -> None:
    intent = world.rng.choices(list(INTENTS), list(INTENTS.values()))[0]
    branch = world.rng.choice(world.texts.vocab[policy.branches])
    text, core = world.texts.pair(f"request.{intent}", when=when, branch=branch)
    person = world.pick(world.people["x"])
    form = world.rng.choices(("reply", "addressed", "inline"), (0.3, 0.5, 0.2))[0]
    parent = _recent_post(world, target, when) if form == "reply" else None
    if form == "inline" or (form == "reply" and parent is None and intent == "thanks"):
        request = tweet(world, person, when, f"{text} @{target.handle}", mentions=[target], intent=intent)
    else:
        request = tweet(world, person, when, f"@{target.handle} {text}", mentions=[target], intent=intent,
                        reply_to=parent, kind="reply" if parent else "original",
                        addressed=None if parent else target)
    if request is not None:
        _maybe_answer(world, target, policy, request, core)


def _recent_post(world: World, target: Account, when: datetime) -> Post | None:
    recent = [p for p in world.by(target, ("original",)) if when - timedelta(days=10) < p.created < when]
    return world.rng.choice(recent) if recent else None


def _maybe_answer(world: World, target: Account, policy: Policy, request: Post, core: str) -> None:
    if not world.chance(_chance(policy, request)):
        return
    person = request.author
    text = world.texts.fill(world.texts.name(f"{policy.key}_answer"), first=person.first, core=core,
                            Core=core[:1].upper() + core[1:])
    answer = _answer(world, target, policy, request, text)
    if answer is not None and world.chance(0.25):
        _follow_up(world, target, policy, answer, person)


def _chance(policy: Policy, request: Post) -> float:
    local = request.created.astimezone(TZ)
    office = local.weekday() < 5 and 9 <= local.hour < 18
    p = policy.office if office else policy.outside
    if in_rss_period(request.created):
        p *= policy.rss
    if request.intent in ("thanks", "audience", "followup"):
        p *= policy.thanks
    return p


def _answer(world: World, target: Account, policy: Policy, request: Post, text: str) -> Post | None:
    when = answer_time(world, request.created, policy.median_minutes, evenings=policy.evenings,
                       slow=policy.slow)
    return tweet(world, target, when, f"@{request.author.handle} {text}", kind="reply", reply_to=request,
                 mentions=[request.author], source="Twitter Web App" if target.key == "org" else None,
                 extra={"category": "answer"})


def answer_time(world: World, asked: datetime, median_minutes: float, *, evenings: bool = False,
                slow: float = 0.0) -> datetime:
    """When someone at the organization sees a request and answers it: at once in working hours
    (or, with ``evenings``, from 8:00 to 22:00 every day), else from the next opening."""
    local = asked.astimezone(TZ)
    working = local.weekday() < 5 and 9 <= local.hour < 18
    awake = 8 <= local.hour < 22
    start = asked if working or (evenings and awake) else _next_opening(local, evenings)
    when = start + world.delay(median_minutes, 0.9)
    if world.chance(slow):
        when += timedelta(days=world.rng.randint(1, 4), minutes=world.rng.randint(0, 300))
    return when


def _next_opening(local: datetime, evenings: bool) -> datetime:
    day = local.date() + timedelta(days=1) if local.hour >= 9 else local.date()
    while not evenings and day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 8 if evenings else 9, 0, tzinfo=TZ).astimezone(local.tzinfo)


def _follow_up(world: World, target: Account, policy: Policy, answer: Post, person: Account) -> None:
    text = world.texts.choose("request.followup")
    thanks = tweet(world, person, answer.created + world.delay(25, 1.0), f"@{target.handle} {text}",
                   kind="reply", reply_to=answer, mentions=[target], intent="followup")
    if thanks is not None and policy.followups and world.chance(_chance(policy, thanks) * policy.followups):
        bank = f"{policy.key}.followup_answer"
        _answer(world, target, policy, thanks, world.texts.choose(bank, first=person.first))


def _audience(world: World, target: Account, policy: Policy) -> None:
    """Replies to the organization's questions to its audience, and its answers to them."""
    questions = [p for p in world.by(target, ("original",)) if p.extra.get("category") == "question"]
    for question in questions:
        for _ in range(_poisson(world, policy.audience_replies)):
            person = world.pick(world.people["x"])
            text = world.texts.choose("request.audience", when=question.created)
            reply = tweet(world, person, question.created + world.delay(80, 1.1), f"@{target.handle} {text}",
                          kind="reply", reply_to=question, mentions=[target], intent="audience")
            if reply is not None and world.chance(_chance(policy, reply)):
                answer = world.texts.choose(f"{policy.key}.audience_answer", first=person.first)
                _answer(world, target, policy, reply, answer)


def _poisson(world: World, mean: float) -> int:
    n, total = 0, world.rng.expovariate(1.0)
    while total < mean:
        n += 1
        total += world.rng.expovariate(1.0)
    return n


def _between_peers(world: World) -> None:
    """The organization and its first peer thank each other; each answers the other by its policy."""
    org, peer1 = world.accounts["org"], world.accounts["peer1"]
    pairs = ((org, peer1, POLICIES[1], "peer1.answer_org", ORG_X),
             (peer1, org, POLICIES[0], "org.answer_peer", PEER1_X))
    for author, other, policy, bank, handle in pairs:
        for post in [p for p in world.by(author) if p.extra.get("category") == "mention"]:
            if world.chance(_chance(policy, post)):
                text = f"@{handle} {world.texts.choose(bank)}"
                tweet(world, other, answer_time(world, post.created, policy.median_minutes, evenings=policy.evenings,
                                      slow=policy.slow), text, kind="reply", reply_to=post,
                      mentions=[author], source="Twitter Web App" if other.key == "org" else None,
                      extra={"category": "answer"})
