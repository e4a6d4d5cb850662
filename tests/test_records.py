"""`@record` classes behave as the `@dataclass(frozen=True, ...)` they replace (start-up, #27)."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from progsync.workouts import records
from progsync.workouts.checks import run_checks
from progsync.workouts.facts import session_facts
from progsync.workouts.plan import compile_plan
from progsync.workouts.records import record

from .support import EXAMPLES


def is_record(cls: type) -> bool:
    return getattr(cls.__setattr__, "__module__", None) == records.__name__


def twin(cls: type) -> type:
    """The same class built by the stdlib's `@dataclass(frozen=True, ...)`."""
    specs = []
    for f in dataclasses.fields(cls):
        options: dict[str, Any] = {"kw_only": f.kw_only}
        if f.default is not dataclasses.MISSING:
            options["default"] = f.default
        if f.default_factory is not dataclasses.MISSING:
            options["default_factory"] = f.default_factory
        specs.append((f.name, f.type, dataclasses.field(**options)))
    bases = tuple(b for b in cls.__bases__ if b is not object)
    made = dataclasses.make_dataclass(
        cls.__name__, specs, bases=bases, frozen=True, slots="__slots__" in cls.__dict__
    )
    made.__qualname__ = cls.__qualname__
    return made


def walk(value: Any, seen: set[int]) -> Iterator[Any]:
    """Every record instance reachable from `value`."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if is_record(type(value)):
            yield value
        for f in dataclasses.fields(value):
            yield from walk(getattr(value, f.name), seen)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from walk(item, seen)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from walk(item, seen)


WARNED = (  # a plan that compiles with a warning and fails a coaching check
    '[plan]\nstart = 2026-11-23\n[[session]]\nday = "tue"\nsteps = ["10m", "15min @easy", "10min @4:45", "10min @4:00"]\n'
    '[athlete]\npaces = { easy = "5:20", threshold = "3:58" }\n'
)


def compiled_examples() -> list[Any]:
    texts = [(path.name, path.read_text()) for path in sorted(EXAMPLES.glob("*.toml"))]
    out: list[Any] = []
    for name, text in [*texts, ("warned.toml", WARNED)]:
        compiled = compile_plan(text, name, {})
        out.append(compiled)
        out.extend(run_checks([compiled]))
        out.extend(session_facts(s, compiled.profile) for s in compiled.plan.sessions)
    return out


def test_every_record_instance_reprs_hashes_and_compares_as_the_stdlib_dataclass() -> None:
    instances = list(walk(compiled_examples(), set()))
    kinds = {type(obj) for obj in instances}
    assert len(kinds) >= 10, kinds  # the model, facts, issues and profiles of the examples
    twins: dict[type, type] = {}
    for obj in instances:
        cls = type(obj)
        other_cls = twins.setdefault(cls, twin(cls))
        values = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        other = other_cls(**values)
        assert repr(obj) == repr(other)
        try:
            expected: Any = hash(other)
        except TypeError as exc:  # a dict or list field: unhashable in both
            expected = str(exc)
        try:
            got: Any = hash(obj)
        except TypeError as exc:
            got = str(exc)
        assert got == expected
        again = cls(**values)
        assert again == obj and again is not obj
        assert (again != obj) is False  # __ne__ follows __eq__
        assert obj != other  # different classes compare unequal, as between two dataclasses
        assert dataclasses.replace(obj) == obj


def test_frozen_errors_are_the_stdlibs() -> None:
    @record(kw_only=True, slots=True)
    class Pace:
        """A pace."""

        slow: float
        label: str = "x"

    @record
    class Loose:
        """Positional, no slots."""

        a: int
        b: tuple[int, ...] = ()

    cases: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = [(Pace, (), {"slow": 1.0}), (Loose, (1,), {})]
    for cls, args, kwargs in cases:
        obj, other = cls(*args, **kwargs), twin(cls)(*args, **kwargs)
        name = "label" if cls is Pace else "b"
        actions: list[tuple[Callable[..., None], tuple[Any, ...]]] = [
            (setattr, (name, "y")),
            (delattr, (name,)),
            (setattr, ("other", 1)),
            (delattr, ("other",)),
        ]
        for action, extra in actions:
            with pytest.raises(AttributeError) as ours:
                action(obj, *extra)
            try:
                action(other, *extra)
            except AttributeError as theirs:
                assert (type(ours.value), str(ours.value)) == (type(theirs), str(theirs))
            except TypeError:
                # Python 3.11's frozen slots dataclass fails on a name that is not a field
                # (its __setattr__ names the class from before slots); a record says frozen.
                assert cls is Pace and type(ours.value) is dataclasses.FrozenInstanceError


def test_init_has_the_stdlib_signature_and_errors() -> None:
    @record(kw_only=True, slots=True)
    class Step:
        """A step."""

        kind: str
        tags: tuple[str, ...] = ()
        notes: list[str] = dataclasses.field(default_factory=list)

    @record
    class Pair:
        """Positional."""

        a: int
        b: int = 2

    shapes: list[tuple[Any, dict[str, Any]]] = [(Step, {"kind": "run"}), (Pair, {"a": 1})]
    for cls, good in shapes:
        stdlib = twin(cls)
        assert cls(**good) == cls(**good)  # compiles the real __init__
        ours = inspect.signature(cls).parameters.values()
        theirs = inspect.signature(stdlib).parameters.values()
        assert [(p.name, p.kind, repr(p.default)) for p in ours] == [
            (p.name, p.kind, repr(p.default)) for p in theirs
        ]
        for bad_args, bad_kwargs in (((), {}), ((1, 2, 3), {}), ((), {**good, "zz": 1})):
            with pytest.raises(TypeError) as mine:
                cls(*bad_args, **bad_kwargs)
            with pytest.raises(TypeError) as std:
                stdlib(*bad_args, **bad_kwargs)
            # The same message after the function's name (the stdlib's reads __create_fn__...).
            assert str(mine.value).split("()", 1)[1] == str(std.value).split("()", 1)[1]
    first, second = Step(kind="a"), Step(kind="a")
    assert first.notes == [] and first.notes is not second.notes  # a fresh default each time


def test_copy_and_pickle_keep_records_equal() -> None:
    from progsync.workouts.model import End, PaceTarget, Step

    step = Step(kind="run", end=End(kind="time", value=60.0), target=PaceTarget(slow=300, fast=290, label="easy"))
    assert copy.copy(step) == step and copy.deepcopy(step) == step
    assert pickle.loads(pickle.dumps(step)) == step


def test_what_record_cannot_mirror_is_refused() -> None:
    with pytest.raises(TypeError, match="docstring"):

        @record
        class NoDoc:
            a: int

    with pytest.raises(TypeError, match="__post_init__"):

        @record
        class Post:
            """Doc."""

            a: int

            def __post_init__(self) -> None:
                pass

    with pytest.raises(TypeError, match="field options"):

        @record
        class Hidden:
            """Doc."""

            a: int = dataclasses.field(repr=False)
