"""Adapting the coming weeks of a plan to what was run: the decisions of `progsync adapt`.

Pure: the compiled sessions, the review of what was run up to today (`workouts.review`) and
today go in; frozen `Proposal`s come out, each naming the session it changes (before → after),
its reason and its rule code (`rules.ADAPT_RULES`, what `progsync explain` prints). Applying
proposals to the plan's TOML text is `adapt_toml.apply_proposals`, also pure (tomlkit keeps comments,
order and every untouched line byte for byte). docs/adapt.md explains every rule and its
source.

Idempotent by construction: every rule proposes a change only when the plan does not already
do what the rule asks (the coming week is already at most the bridge/rebuild/down-week load, the
cue is already in the session's notes, the pace already matches the evidence, the sessions of
a race's rest are already gone). Only sessions from today on are changed, so the review of
the past — and with it every rule's evidence — is the same on a second run, which therefore
proposes nothing.

Loads are running time (seconds), in the plan's weeks (counted from its `start`).

Why this module is long: every rule works on the same draft of the coming weeks (`_Draft`,
which keeps each change and its reason together) and in a fixed order, since a later rule
reads what an earlier one changed; one rule per function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any, Literal

from .activity import Activity
from .adjust import scale_steps
from .facts import is_easy, is_quality, race_distance, session_facts
from .generate import RACE_METRES, RECOVERY, RECOVERY_RUN_S, format_step
from .model import Block, End, PaceTarget, Repeat, Session, Step
from .profile import Profile
from .review import Review
from .rules import Settings
from .units import Units, format_clock, format_pace

# -- the coaching numbers (docs/adapt.md gives their sources) ----------------------------------
#: A broken week: this many sessions missed, or less than this share of the planned time run.
BRIDGE_MISSED = 2
BRIDGE_SHARE = 0.6
#: Week over week the load rises at most this much (under weekly-load's 30%, so the adapted
#: plan passes `check` after rounding to whole minutes).
LOAD_STEP = 0.25
#: ...and at most this ratio to the average of the four weeks before (weekly-load: 1.3).
AVERAGE_RATIO = 1.25
#: Days without a run that make time off, and the share of the last full week to rebuild at.
TIME_OFF_DAYS = 7
TIME_OFF_SHARE = 0.6
#: A quality session of the first days back becomes an easy run of its length, at most this.
EASY_INSTEAD_MAX_S = 2700.0
#: A week run in full: at least this share of its planned time.
FULL_WEEK = 0.8
#: No quality in this many first days back.
NO_QUALITY_DAYS = 3
#: A down week after this many rising weeks, at this share of the peak; a coming week at most
#: `DOWN_ENOUGH` of the peak already is one.
RISING_WEEKS = 3
DOWN_SHARE = 0.75
DOWN_ENOUGH = 0.8
#: Quality runs faster than target at steady heart rate this many times → new paces.
PACE_EVIDENCE = 3
#: A pace differs when it is this many s/km away.
PACE_GAP = 2.0
#: An activity is a race of a distance when it is this close to it (GPS reads long).
RACE_DISTANCE_SLACK = (0.99, 1.04)
#: Runs of the easy days after a race are at most this long.
RECOVERY_MAX_S = RECOVERY_RUN_S
#: A lighter week keeps its easy share this much above the easy-share rule's minimum.
EASY_MARGIN = 0.02
#: Easy steps scale down at most to this share (adjust.SCALE_RANGE).
MIN_FACTOR = 0.3
#: The coming weeks a rule changes (the build-back and a race's rest may reach further).
DEFAULT_WEEKS = 2

MISSED_QUALITY = "adapt-missed-quality"
BRIDGE = "adapt-bridge-week"
TIME_OFF = "adapt-time-off"
BUILD_BACK = "adapt-build-back"
PROGRESSION_CUE = "adapt-progression-cue"
EASY_PACE = "adapt-easy-pace"
RACE_REST = "adapt-race-rest"
DOWN_WEEK = "adapt-down-week"
PACES = "adapt-paces"

CUE_FINISH = "Controlled finish: the last stage at its planned pace, never faster."
CUE_STAGES = "Each stage a little faster than the one before."
EASY_NOTE = "Easy means easy: stay in the easy range, even if it feels slow."

Kind = Literal["steps", "notes", "remove", "paces", "keep"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Proposal:
    """One change to the plan: to a session (`identity`, its `date`, `name`, `source_line`),
    or to the `[athlete]` paces. `kind` says what changes: `steps` (with `steps`, and `name`
    and `tags` when the session becomes another one), `notes`, `remove`, `paces`, or `keep`
    (nothing changes; the reason says why, e.g. a missed quality session not crammed)."""

    code: str
    kind: Kind
    reason: str
    before: str
    after: str
    identity: str | None = None
    date: dt.date | None = None
    name: str | None = None
    source_line: int | None = None
    steps: tuple[Block, ...] | None = None
    new_name: str | None = None
    tags: tuple[str, ...] | None = None
    notes: str | None = None
    paces: tuple[tuple[str, float], ...] = ()

    @property
    def changes(self) -> bool:
        return self.kind != "keep"


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What the rules read besides the review: the profile and `[checks]` settings of the plan,
    its week anchor (the plan's `start`) and its units."""

    profile: Profile
    settings: Settings
    anchor: dt.date
    units: Units = "km"


# -- helpers ----------------------------------------------------------------------------------
def _describe(session: Session, units: Units) -> str:
    steps = " · ".join(_block_text(b, units) for b in session.steps)
    return f"{format_clock(session.estimated_duration_s)}: {steps}"


def _block_text(block: Block, units: Units) -> str:
    if isinstance(block, Repeat):
        inner = ", ".join(_block_text(b, units) for b in block.steps)
        return f"{block.count} × ({inner})"
    return format_step(block, units)


class _Draft:
    """The coming sessions as the proposals so far leave them."""

    def __init__(
        self,
        sessions: Sequence[Session],
        ctx: Context,
        estimate: Callable[[tuple[Block, ...]], float],
    ) -> None:
        self.ctx = ctx
        self.estimate = estimate
        self.sessions: dict[str, Session] = {s.identity: s for s in sessions}
        self.removed: set[str] = set()
        self.proposals: list[Proposal] = []

    def week(self, day: dt.date) -> int:
        return (day - self.ctx.anchor).days // 7

    def week_start(self, index: int) -> dt.date:
        return self.ctx.anchor + dt.timedelta(days=7 * index)

    def live(self) -> list[Session]:
        return sorted(
            (s for k, s in self.sessions.items() if k not in self.removed),
            key=lambda s: (s.date, s.slot),
        )

    def in_week(self, index: int) -> list[Session]:
        return [s for s in self.live() if self.week(s.date) == index]

    def load(self, index: int) -> float:
        return sum(s.estimated_duration_s for s in self.in_week(index) if s.sport == "run")

    def quality(self, session: Session) -> bool:
        return is_quality(session_facts(session, self.ctx.profile), self.ctx.settings)

    def easy_step(self, step: Step) -> bool:
        return is_easy(step, self.ctx.profile) is True and step.kind != "rest"

    def scalable(self, session: Session) -> Callable[[Step], bool]:
        """The steps of `session` a lighter week shortens: its easy steps (adjust.scale_steps
        keeps repeats as written), but of a progression run only the cool-down — its easy
        opening is what makes it one (progression-patient-start)."""
        if session_facts(session, self.ctx.profile).shape is not None:
            return lambda step: step.kind == "cooldown" and self.easy_step(step)
        return self.easy_step

    # -- changes
    def _propose(self, session: Session, code: str, kind: Kind, reason: str, **fields: Any) -> None:
        self.proposals.append(
            Proposal(
                code=code,
                kind=kind,
                reason=reason,
                identity=session.identity,
                date=session.date,
                name=session.name,
                source_line=session.source_line,
                **fields,
            )
        )

    def set_steps(
        self,
        session: Session,
        blocks: tuple[Block, ...],
        code: str,
        reason: str,
        name: str | None = None,
        tags: tuple[str, ...] | None = None,
    ) -> Session:
        blocks = tuple(
            replace(new, source=None) if isinstance(new, Step) and new != old else new
            for new, old in zip(blocks, (*session.steps, *([None] * len(blocks))), strict=False)
        )
        seconds = self.estimate(blocks)
        after = replace(
            session,
            steps=blocks,
            estimated_duration_s=seconds,
            progression=None,
            workout=None,
            name=name or session.name,
            tags=session.tags if tags is None else tags,
        )
        if after.steps == session.steps and after.name == session.name:
            return session
        units = self.ctx.units
        self._propose(
            session,
            code,
            "steps",
            reason,
            before=_describe(session, units),
            after=(f"{after.name} " if name else "") + _describe(after, units),
            steps=blocks,
            new_name=name,
            tags=tags,
        )
        self.sessions[session.identity] = after
        return after

    def add_note(self, session: Session, note: str, code: str, reason: str) -> None:
        current = session.notes or ""
        if note in current:
            return
        notes = f"{current.rstrip()} {note}".strip()
        self._propose(
            session, code, "notes", reason, before=current or "(no notes)", after=notes, notes=notes
        )
        self.sessions[session.identity] = replace(session, notes=notes)

    def remove(self, session: Session, code: str, reason: str) -> None:
        self._propose(
            session,
            code,
            "remove",
            reason,
            before=_describe(session, self.ctx.units),
            after="(rest day)",
        )
        self.removed.add(session.identity)

    def keep(self, session: Session, code: str, reason: str) -> None:
        text = _describe(session, self.ctx.units)
        self._propose(session, code, "keep", reason, before=text, after="(not moved)")

    def easy_run(self, session: Session, seconds: float, code: str, reason: str) -> Session:
        minutes = max(10, int(round(seconds / 60)))
        easy = self.ctx.profile.paces.get("easy")
        end = End(kind="time", value=minutes * 60.0)
        step = (
            Step(
                kind="run", end=end, target=PaceTarget(fast=easy.fast, slow=easy.slow, label="easy")
            )
            if easy is not None
            else Step(kind="run", end=end)
        )
        return self.set_steps(session, (step,), code, reason, name="Easy run", tags=("easy",))

    def scale_week(self, index: int, target: float, code: str, reason: str, today: dt.date) -> bool:
        """Shorten the easy steps of week `index`'s coming runs so the week's running is about
        `target` seconds; whether anything changed. When that would leave less easy running
        than the easy-share rule asks, the quality sessions lose a repeat at a time (kept, but
        shorter) before the easy steps shrink further."""
        sessions = [s for s in self.in_week(index) if s.sport == "run" and s.date >= today]
        if self.load(index) <= target + 60:
            return False
        cuts: dict[str, int] = {}
        chosen: dict[str, tuple[Block, ...]] = {}
        for _ in range(3 * len(sessions) + 1):
            chosen = self._scaled(sessions, cuts, target, index)
            if self._easy_share_ok(index, chosen):
                break
            cut = self._next_cut(sessions, cuts)
            if cut is None:
                break
            cuts[cut] = cuts.get(cut, 0) + 1
        changed = False
        for session in sessions:
            blocks = chosen.get(session.identity, session.steps)
            if blocks != session.steps:
                self.set_steps(session, blocks, code, reason)
                changed = True
        return changed

    def _cut(self, session: Session, cuts: int) -> tuple[Block, ...]:
        """`session`'s steps with its largest repeat `cuts` rounds shorter (at least 2 left)."""
        blocks = list(session.steps)
        for _ in range(cuts):
            repeats = [
                (b.count, i) for i, b in enumerate(blocks) if isinstance(b, Repeat) and b.count > 2
            ]
            if not repeats:
                break
            _, where = max(repeats)
            block = blocks[where]
            assert isinstance(block, Repeat)
            blocks[where] = replace(block, count=block.count - 1)
        return tuple(blocks)

    def _next_cut(self, sessions: Sequence[Session], cuts: Mapping[str, int]) -> str | None:
        best: tuple[int, str] | None = None
        for session in sessions:
            if not self.quality(session):
                continue
            blocks = self._cut(session, cuts.get(session.identity, 0))
            counts = [b.count for b in blocks if isinstance(b, Repeat) and b.count > 2]
            if counts and (best is None or max(counts) > best[0]):
                best = (max(counts), session.identity)
        return None if best is None else best[1]

    def _scaled(
        self, sessions: Sequence[Session], cuts: Mapping[str, int], target: float, index: int
    ) -> dict[str, tuple[Block, ...]]:
        cut = {s.identity: self._cut(s, cuts.get(s.identity, 0)) for s in sessions}
        others = self.load(index) - sum(s.estimated_duration_s for s in sessions)
        easy_s = fixed = 0.0
        for session in sessions:
            scalable = self.scalable(session)
            for block in cut[session.identity]:
                seconds = self.estimate((block,))
                if (
                    isinstance(block, Step)
                    and scalable(block)
                    and block.end.kind
                    in (
                        "time",
                        "distance",
                    )
                ):
                    easy_s += seconds
                else:
                    fixed += seconds
        factor = 1.0
        if easy_s > 0:
            factor = max(MIN_FACTOR, min(1.0, (target - others - fixed) / easy_s))
        out = {}
        for session in sessions:
            blocks, _ = scale_steps(
                cut[session.identity], factor, self.ctx.units, self.scalable(session)
            )
            out[session.identity] = blocks
        return out

    def _easy_share_ok(self, index: int, chosen: Mapping[str, tuple[Block, ...]]) -> bool:
        settings = self.ctx.settings
        if not settings.enabled("easy-share"):
            return True
        runs = [s for s in self.in_week(index) if s.sport == "run"]
        if len(runs) < settings.number("easy-share", "min_sessions"):
            return True
        easy = run = 0.0
        for session in runs:
            blocks = chosen.get(session.identity, session.steps)
            facts = session_facts(replace(session, steps=blocks), self.ctx.profile)
            easy += facts.easy_seconds
            run += facts.run_seconds
        return run <= 0 or easy / run >= settings.number("easy-share", "min_share") + EASY_MARGIN


# -- the rules --------------------------------------------------------------------------------
def _runs(review: Review) -> list[Activity]:
    return sorted(
        (
            r.activity
            for r in review.sessions
            if r.activity is not None and r.activity.sport == "run"
        ),
        key=lambda a: a.start,
    )


def _actual(review: Review, draft: _Draft) -> dict[int, float]:
    out: dict[int, float] = {}
    for activity in _runs(review):
        index = draft.week(activity.date)
        out[index] = out.get(index, 0.0) + activity.seconds
    return out


def _planned_past(review: Review, draft: _Draft, index: int) -> tuple[float, int]:
    seconds = 0.0
    missed = 0
    for r in review.sessions:
        if r.session is None or r.session.sport != "run" or draft.week(r.session.date) != index:
            continue
        seconds += r.session.estimated_duration_s
        missed += r.status == "missed"
    return seconds, missed


def _missed_quality(review: Review, draft: _Draft, today: dt.date) -> None:
    for r in review.sessions:
        if r.status != "missed" or r.session is None or r.session.date < today - dt.timedelta(7):
            continue
        if draft.quality(r.session):
            draft.keep(
                r.session,
                MISSED_QUALITY,
                "missed; not squeezed into the coming days: next to the next quality session "
                "it would break quality spacing and add to the week's load — the plan goes on",
            )


def _time_off(review: Review, draft: _Draft, today: dt.date, first: int) -> float | None:
    """The rebuilt first week's load after time off, or None."""
    runs = _runs(review)
    last = runs[-1].date if runs else None
    if last is None:
        return None
    days = (today - last).days - 1
    planned_in_gap = [
        r for r in review.sessions if r.session is not None and last < r.session.date < today
    ]
    if days < TIME_OFF_DAYS or not planned_in_gap:
        return None
    actual = _actual(review, draft)
    full = 0.0
    for index in range(draft.week(last), draft.week(last) - 4, -1):
        planned, _ = _planned_past(review, draft, index)
        if planned > 0 and actual.get(index, 0.0) >= FULL_WEEK * planned:
            full = actual[index]
            break
    else:  # no week before the break was run in full: what the plan asked of its last week
        full, _ = _planned_past(review, draft, draft.week(last))
    return full * TIME_OFF_SHARE if full > 0 else None


def _rebuild(review: Review, draft: _Draft, today: dt.date, first: int) -> None:
    actual = _actual(review, draft)
    off = _time_off(review, draft, today, first)
    if off is not None:
        last = _runs(review)[-1].date
        gap = (today - last).days - 1
        reason = (
            f"{gap} days without running since {last:%a %d %b}: rebuilt at about "
            f"{format_clock(off)} ({TIME_OFF_SHARE:.0%} of the last full week), "
            f"no quality in the first {NO_QUALITY_DAYS} days"
        )
        first_days = today + dt.timedelta(days=NO_QUALITY_DAYS)
        for session in draft.in_week(first):
            if today <= session.date < first_days and draft.quality(session):
                seconds = min(session.estimated_duration_s, EASY_INSTEAD_MAX_S)
                draft.easy_run(session, seconds, TIME_OFF, reason)
        draft.scale_week(first, off, TIME_OFF, reason, today)
        return
    previous = draft.week(today - dt.timedelta(days=1))
    if previous == first:  # today is mid-week: judge the week before
        previous -= 1
    planned, missed = _planned_past(review, draft, previous)
    ran = actual.get(previous, 0.0)
    if planned <= 0 or (missed < BRIDGE_MISSED and ran >= BRIDGE_SHARE * planned):
        return
    target = ran * (1 + LOAD_STEP)
    why = (
        f"{missed} sessions missed" if missed >= BRIDGE_MISSED else f"only {ran / planned:.0%} run"
    )
    reason = (
        f"the week of {draft.week_start(previous):%d %b} broke ({why}: {format_clock(ran)} of "
        f"{format_clock(planned)}): this week is a bridge from what was run, at most "
        f"{format_clock(target)} (+{LOAD_STEP:.0%}); quality kept but shorter, the long run "
        "not longer"
    )
    draft.scale_week(first, target, BRIDGE, reason, today)


def _down_week(review: Review, draft: _Draft, today: dt.date, first: int) -> None:
    actual = _actual(review, draft)
    previous = first - 1
    loads = [actual.get(i, 0.0) for i in range(previous - RISING_WEEKS + 1, previous + 1)]
    if len(loads) < RISING_WEEKS or not all(b > a > 0 for a, b in pairwise(loads)):
        return
    peak = loads[-1]
    if draft.load(first) <= peak * DOWN_ENOUGH:
        return
    target = peak * DOWN_SHARE
    reason = (
        f"{RISING_WEEKS} weeks of rising running ("
        + " → ".join(format_clock(x) for x in loads)
        + f"): a down week at about {format_clock(target)} ({1 - DOWN_SHARE:.0%} less)"
    )
    draft.scale_week(first, target, DOWN_WEEK, reason, today)


def _build_back(draft: _Draft, today: dt.date, first: int, last_week: int) -> None:
    """After a week adapt made lighter, the next weeks go back to the plan within the
    weekly-load limits (the rule `check` applies, with a margin)."""
    changed = {
        draft.week(p.date) for p in draft.proposals if p.date and p.kind in ("steps", "remove")
    }
    if not changed:
        return
    index = min(changed) + 1
    follows_change = True
    while index <= last_week and follows_change:
        previous = draft.load(index - 1)
        history = [draft.load(i) for i in range(index - 4, index) if draft.load(i) > 0]
        limits = []
        if previous > 0:
            limits.append(previous * (1 + LOAD_STEP))
        if len(history) >= 2:
            limits.append(sum(history) / len(history) * AVERAGE_RATIO)
        did = False
        if limits and draft.load(index) > min(limits) + 60:
            reason = (
                f"back to the plan gradually: at most {format_clock(min(limits))} after "
                f"{format_clock(previous)} the week before (weekly-load)"
            )
            did = draft.scale_week(index, min(limits), BUILD_BACK, reason, today)
        follows_change = did or index in changed
        index += 1


def _progression_cue(review: Review, draft: _Draft, today: dt.date, until: dt.date) -> None:
    done = [
        r
        for r in review.sessions
        if r.progression is not None and r.status in ("done", "moved", "partial")
    ]
    if not done:
        return
    latest = done[-1]
    prog = latest.progression
    assert prog is not None
    cues = []
    if prog.controlled_finish is False:
        cues.append((CUE_FINISH, "finished faster than the planned top pace"))
    if prog.each_faster is False:
        cues.append((CUE_STAGES, "a stage was slower than the stage before"))
    if not cues:
        return
    coming = [
        s
        for s in draft.live()
        if today <= s.date < until and s.progression is None and _is_progression(s, draft)
    ] + [s for s in draft.live() if today <= s.date < until and s.progression is not None]
    coming.sort(key=lambda s: s.date)
    if not coming:
        return
    target = coming[0]
    for cue, what in cues:
        draft.add_note(
            target,
            cue,
            PROGRESSION_CUE,
            f"the progression on {latest.date:%a %d %b} {what}; paces kept, with a cue",
        )


def _is_progression(session: Session, draft: _Draft) -> bool:
    return session_facts(session, draft.ctx.profile).shape is not None


def _easy_pace(review: Review, draft: _Draft, today: dt.date, until: dt.date) -> None:
    minimum = draft.ctx.settings.number("easy-share", "min_share")
    low = [
        w for w in review.weeks if w.actual_easy_share is not None and w.actual_easy_share < minimum
    ]
    if not low:
        return
    fast: list[float] = []
    for r in review.sessions:
        if r.activity is None or _race_of(r.activity, draft.ctx.profile) is not None:
            continue
        for st in r.steps:
            if st.pace_mark == "fast" and draft.easy_step(st.planned.step) and st.pace:
                fast.append(st.pace)
        if r.whole is not None and r.whole.pace_mark == "fast" and r.activity.pace:
            target = r.whole.target
            if target is not None and is_easy(
                Step(kind="run", end=End(kind="lap"), target=target), draft.ctx.profile
            ):
                fast.append(r.activity.pace)
    if not fast:
        return
    week = low[-1]
    reason = (
        f"easy running was {week.actual_easy_share:.0%} of the week of {week.start:%d %b} "
        f"(at least {minimum:.0%}); easy steps ran at about "
        f"{format_pace(sum(fast) / len(fast), draft.ctx.units)}: targets unchanged, a note"
    )
    for session in draft.live():
        if today <= session.date < until and session.sport == "run" and not draft.quality(session):
            draft.add_note(session, EASY_NOTE, EASY_PACE, reason)


def _race_of(activity: Activity, profile: Profile) -> str | None:
    if activity.sport != "run" or not activity.metres or activity.pace is None:
        return None
    easy = profile.paces.get("easy")
    if easy is not None and activity.pace >= easy.fast - profile.pace_tolerance:
        return None
    for name, metres in sorted(RACE_METRES.items(), key=lambda kv: -kv[1]):
        if RACE_DISTANCE_SLACK[0] * metres <= activity.metres <= RACE_DISTANCE_SLACK[1] * metres:
            return name
    return None


def _races(
    review: Review, draft: _Draft, sessions: Sequence[Session], today: dt.date
) -> list[tuple[dt.date, str, Activity | None]]:
    out: list[tuple[dt.date, str, Activity | None]] = []
    for r in review.sessions:
        if r.activity is None:
            continue
        kind = race_distance(r.session) if r.session is not None else None
        if kind is None:
            kind = _race_of(r.activity, draft.ctx.profile)
        if kind is not None:
            out.append((r.activity.date, kind, r.activity))
    for s in sessions:
        kind = race_distance(s)
        if kind is not None and s.date >= today:
            out.append((s.date, kind, None))
    return out


def _race_rest(review: Review, draft: _Draft, sessions: Sequence[Session], today: dt.date) -> None:
    for day, kind, _ in _races(review, draft, sessions, today):
        off, easy = RECOVERY[kind]
        rest_end = day + dt.timedelta(days=off)
        easy_end = rest_end + dt.timedelta(days=easy)
        label = "half marathon" if kind == "half" else kind
        for session in draft.live():
            if session.date < today or session.date <= day or session.date > easy_end:
                continue
            if session.date <= rest_end:
                draft.remove(
                    session,
                    RACE_REST,
                    f"the {label} on {day:%a %d %b}: {off} days without running after it",
                )
            elif session.sport == "run" and (
                draft.quality(session) or session.estimated_duration_s > RECOVERY_MAX_S + 30
            ):
                draft.easy_run(
                    session,
                    RECOVERY_MAX_S,
                    RACE_REST,
                    f"the {label} on {day:%a %d %b}: then {easy} days of short easy runs, "
                    "no quality",
                )


def _paces(review: Review, draft: _Draft, sessions: Sequence[Session], today: dt.date) -> None:
    profile = draft.ctx.profile
    evidence: dict[str, list[tuple[dt.date, float, int | None]]] = {}
    for r in review.sessions:
        if r.session is None or r.status not in ("done", "moved") or not draft.quality(r.session):
            continue
        seen: set[str] = set()
        for st in r.steps:
            target = st.planned.step.target
            if (
                not isinstance(target, PaceTarget)
                or target.label not in profile.paces
                or target.label in ("easy", "recovery")
                or st.pace is None
            ):
                continue
            if st.pace_mark != "fast" or st.hr_mark == "high":
                continue
            if target.label in seen:
                continue
            seen.add(target.label)
            paces = [x.pace for x in r.steps if x.planned.step.target == target and x.pace]
            evidence.setdefault(target.label, []).append(
                (r.date, sum(paces) / len(paces), st.avg_hr)
            )
    proposed: dict[str, tuple[float, str]] = {}
    for label, items in evidence.items():
        if len(items) < PACE_EVIDENCE:
            continue
        pace = float(round(sum(p for _, p, _ in items) / len(items)))
        current = profile.paces[label]
        if abs(current.centre - pace) < PACE_GAP:
            continue
        runs = ", ".join(
            f"{d:%d %b} {format_pace(p, draft.ctx.units)}" + (f" HR {h}" if h else "")
            for d, p, h in items
        )
        proposed[label] = (
            float(pace),
            f"{len(items)} quality runs faster than {label} at steady heart rate: {runs}",
        )
    for day, kind, activity in _races(review, draft, sessions, today):
        if activity is None or activity.pace is None or kind not in profile.paces:
            continue
        pace = float(round(activity.pace))
        if abs(profile.paces[kind].centre - pace) >= PACE_GAP:
            proposed[kind] = (
                float(pace),
                f"raced the {kind} on {day:%a %d %b} in {format_clock(activity.seconds)} "
                f"({format_pace(activity.pace, draft.ctx.units)})",
            )
    for label, (pace, why) in sorted(proposed.items()):
        current = profile.paces[label]
        draft.proposals.append(
            Proposal(
                code=PACES,
                kind="paces",
                reason=why + " (applied only with --write)",
                before=f"{label} = {format_pace(current.centre, draft.ctx.units, suffix=False)}",
                after=f"{label} = {format_pace(pace, draft.ctx.units, suffix=False)}",
                paces=((label, pace),),
            )
        )


def adapt(
    sessions: Sequence[Session],
    review: Review,
    today: dt.date,
    ctx: Context,
    estimate: Callable[[tuple[Block, ...]], float],
    weeks: int = DEFAULT_WEEKS,
) -> tuple[Proposal, ...]:
    """Proposals for the sessions from `today` to `weeks` weeks later (the build-back after a
    lighter week, and a race's rest, may reach further) from the `review` of what was run
    before today. `estimate(steps)` is the plan's own duration estimate of a session."""
    draft = _Draft(sessions, ctx, estimate)
    first = draft.week(today)
    until = draft.week_start(first + weeks)
    last_week = max((draft.week(s.date) for s in sessions), default=first)
    _missed_quality(review, draft, today)
    _race_rest(review, draft, sessions, today)
    resting = any(
        p.code == RACE_REST and p.date is not None and draft.week(p.date) == first
        for p in draft.proposals
    )
    if not resting:  # a race's rest is this week's load already
        _rebuild(review, draft, today, first)
        if not any(p.code in (BRIDGE, TIME_OFF) for p in draft.proposals):
            _down_week(review, draft, today, first)
    _build_back(draft, today, first, last_week)
    _progression_cue(review, draft, today, until)
    _easy_pace(review, draft, today, until)
    _paces(review, draft, sessions, today)
    return tuple(draft.proposals)
