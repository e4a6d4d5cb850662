"""`@record`: a frozen dataclass that is cheap to define, for the modules every command imports.

`@record` is `@dataclass(frozen=True)` and `@record(kw_only=True, slots=True)` is
`@dataclass(frozen=True, kw_only=True, slots=True)`: the class it returns is a real dataclass
(`dataclasses.fields`, `replace`, `asdict` and `is_dataclass` work on it) with the same
`__init__`, `__repr__`, `__eq__`, `__hash__` and the same `FrozenInstanceError` on assignment.

Why not `@dataclass` itself: on Python 3.11 it writes the source of those six methods for every
class and compiles each with `exec`, about 0.25–0.5 ms per class, and `progsync check` defines
some 40 frozen classes before it reads a line of a plan (half of its own start-up; issue #27,
docs/performance.md). Here the stdlib builds only the fields and the slots, with no generated
code; `__repr__`, `__eq__`, `__hash__`, `__setattr__` and `__delattr__` are closures over the
field names (the same expressions the stdlib generates, so equal objects hash the same as
before), and `__init__` is compiled the first time the class is instantiated, from the same
source the stdlib would write (so its signature, its errors and its speed are the stdlib's). A
class that is only named, never built, in a run costs no compilation at all.

Only what progsync's records use is supported; anything else (`__post_init__`, `InitVar`,
fields with `init`, `repr`, `compare` or `hash` changed, a class that defines one of the six
methods itself) is refused when the class is defined, so it cannot silently differ from
`@dataclass`. Mutable dataclasses stay plain `@dataclass`. Two differences remain, neither
reachable from a command: until its first instance, `inspect.signature` of a record shows the
stub `(*args, **kwargs)`; and assigning a name that is not a field to a record with slots raises
`FrozenInstanceError`, where Python 3.11's own frozen slots dataclass fails with a TypeError
(its `__setattr__` names the class from before slots were added).
"""

from __future__ import annotations

import dataclasses
import operator
import reprlib
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")

_OWN = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")


class _Factory:
    """The default of a parameter whose field has a `default_factory` (shown as the stdlib's)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"


_HAS_FACTORY = _Factory()


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, kw_only: bool = False, slots: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, eq_default=True, field_specifiers=(dataclasses.field, Field))
def record(
    cls: type[T] | None = None, /, *, kw_only: bool = False, slots: bool = False
) -> type[T] | Callable[[type[T]], type[T]]:
    """`@dataclass(frozen=True, kw_only=..., slots=...)`, defined without compiling code."""

    def wrap(cls: type[T]) -> type[T]:
        return _build(cls, kw_only=kw_only, slots=slots)

    return wrap if cls is None else wrap(cls)


def _build(cls: type[T], *, kw_only: bool, slots: bool) -> type[T]:
    own = [name for name in _OWN if name in cls.__dict__ and cls.__dict__[name] is not None]
    if own or "__post_init__" in cls.__dict__:
        raise TypeError(f"@record {cls.__qualname__} defines {own or '__post_init__'}; use @dataclass")
    if not cls.__dict__.get("__doc__"):
        raise TypeError(f"@record {cls.__qualname__} needs a docstring")  # stdlib would compute one
    built: Any = dataclasses.dataclass(
        cls, init=False, repr=False, eq=False, kw_only=kw_only, slots=slots
    )
    fields = dataclasses.fields(built)
    defaulted = False
    for f in fields:
        if not (f.init and f.repr and f.compare and f.hash is None):
            raise TypeError(f"@record {cls.__qualname__}.{f.name}: field options need @dataclass")
        has_default = f.default is not MISSING or f.default_factory is not MISSING
        if defaulted and not has_default and not f.kw_only:  # the stdlib's own check
            raise TypeError(f"non-default argument {f.name!r} follows default argument")
        defaulted = defaulted or (has_default and not f.kw_only)
    if len(built.__dataclass_fields__) != len(fields):  # an InitVar
        raise TypeError(f"@record {cls.__qualname__}: InitVar fields need @dataclass")
    names = tuple(f.name for f in fields)
    values = _getter(names)

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({inner})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(values(self))

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is built or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(built, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is built or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(built, self).__delattr__(name)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        real = _compile_init(built, fields)
        built.__init__ = real
        real(self, *args, **kwargs)

    methods: dict[str, Callable[..., Any]] = {
        "__init__": __init__,
        "__repr__": __repr__,
        "__eq__": __eq__,
        "__hash__": __hash__,
        "__setattr__": __setattr__,
        "__delattr__": __delattr__,
    }
    for name, method in methods.items():
        method.__qualname__ = f"{built.__qualname__}.{name}"
        setattr(built, name, method)
    if slots:  # what the stdlib adds to a frozen class with slots, for pickle and copy
        built.__getstate__ = _getstate
        built.__setstate__ = _setstate
    return built  # type: ignore[no-any-return]


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The field values as a tuple: what the stdlib's generated `__eq__` and `__hash__` compare."""
    if len(names) >= 2:
        return operator.attrgetter(*names)
    if names:
        one = operator.attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _compile_init(cls: type, fields: tuple[Field[Any], ...]) -> Callable[..., None]:
    """The `__init__` the stdlib writes for a frozen dataclass, compiled on first use."""
    scope: dict[str, Any] = {"__record_setattr": object.__setattr__, "__record_factory": _HAS_FACTORY}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for f in fields:
        if f.default is not MISSING:
            scope[f"__record_default_{f.name}"] = f.default
            param = f"{f.name}=__record_default_{f.name}"
            value = f.name
        elif f.default_factory is not MISSING:
            scope[f"__record_make_{f.name}"] = f.default_factory
            param = f"{f.name}=__record_factory"
            value = f"__record_make_{f.name}() if {f.name} is __record_factory else {f.name}"
        else:
            param = value = f.name
        (keyword if f.kw_only else positional).append(param)
        body.append(f"  __record_setattr(self, {f.name!r}, {value})")
    params = ["self", *positional, *(["*", *keyword] if keyword else [])]
    source = f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or "  pass") + "\n"
    namespace: dict[str, Any] = {}
    exec(source, scope, namespace)  # our own source, written from the field names
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, f.name) for f in dataclasses.fields(self)]


def _setstate(self: Any, state: list[Any]) -> None:
    for f, value in zip(dataclasses.fields(self), state, strict=False):
        object.__setattr__(self, f.name, value)
