"""
Dangling references: what a desired state points at that does not exist where it came from. A
``menu`` route to a menu its IVR does not have (the audit's dead key) and, when the export says
what the source account had (its ``references``), a group, greeting or phone number the source
no longer had. No id map can translate them, since there is nothing to translate to: a plan
refuses them by name, or leaves them out when asked to.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

from attrs import frozen

__all__ = ["DanglingKind", "DanglingReference"]

DanglingKind: TypeAlias = Literal["menu", "group", "greeting", "phone_number"]


@frozen(kw_only=True)
class DanglingReference:
    """
    A reference to an object that does not exist in the desired state's own account.

    Attributes:
        kind: what it points at: ``"menu"`` (a route to a menu its IVR lacks), ``"group"``,
            ``"greeting"`` or ``"phone_number"`` (one the source account did not have).
        id: the id it points at.
        ivr: the name of the IVR holding it.
        menu: the name of the menu holding it; None for an IVR's phone number.
        keypress: the key of the route holding it; None for a menu's greeting or an IVR's
            phone number.
        key: the step key of the object holding it (``ivr[Support]/menu[Billing]/route[1]``).

    Left out of a plan (``skip_dangling``), a route holding one is not created, changed or
    pruned; a menu keeps whatever greeting it has; an IVR goes without that phone number.
    """

    kind: DanglingKind
    id: int
    ivr: str
    menu: str | None
    keypress: str | None
    key: str

    def __str__(self) -> str:
        where = f"IVR {self.ivr!r}"
        if self.menu is not None:
            where += f", menu {self.menu!r}"
        if self.keypress is not None:
            where += f", key {self.keypress}"
        return f"{where} -> {self.kind.replace('_', ' ')} {self.id}"

    def describe(self) -> str:
        """The line a plan shows for it once left out, such as ``skip ivr[A]/...: ...``."""
        thing = self.kind.replace("_", " ")
        if self.kind == "menu":
            return f"skip {self.key}: its menu {self.id} is not a menu of IVR {self.ivr!r}"
        missing = f"{thing} {self.id} was not in the source account"
        if self.keypress is not None:
            return f"skip {self.key}: {missing}"
        return f"skip the {thing} {self.id} of {self.key}: {missing}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "ivr": self.ivr,
            "menu": self.menu,
            "keypress": self.keypress,
            "key": self.key,
        }
