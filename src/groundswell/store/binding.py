"""Operations that take a store first, bound to one: how a front door offers them without handing out its store.

class Accounts:
    add_user = store_bound(users.add_user)   # Accounts(store).add_user(name, role, ...)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

from groundswell.store.base import Store

P = ParamSpec("P")
R = TypeVar("R")


class HoldsStore(Protocol):
    store: Store


class store_bound(Generic[P, R]):  # noqa: N801 - used like a decorator
    """A class attribute that hands ``function`` its instance's ``store`` as the first argument."""

    def __init__(self, function: Callable[Concatenate[Store, P], R]) -> None:
        self.function = function
        functools.update_wrapper(self, function)  # type: ignore[arg-type]

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> store_bound[P, R]: ...
    @overload
    def __get__(self, instance: HoldsStore, owner: type[Any]) -> Callable[P, R]: ...
    def __get__(self, instance: HoldsStore | None, owner: type[Any]) -> store_bound[P, R] | Callable[P, R]:
        if instance is None:
            return self
        return functools.partial(self.function, instance.store)
