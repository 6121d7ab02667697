"""
Writing an account's IVRs as an IVR file (``pull``), or bringing an existing one up to date so
that only what changed on the account changes in the file: comments, key order, quoting and
the person's spelling of unchanged values are kept (ruamel.yaml's round trip).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from .._account import Greeting, Group, PhoneNumber
from .._models import (
    KEYPRESSES,
    GroupOptions,
    Ivr,
    IvrMenu,
    IvrRoute,
    MenuOptions,
    PhoneNumberOptions,
    TextbackOptions,
    UnknownOptions,
    VoicemailOptions,
)
from .._tasks import first_error
from ..migration._references import read_account_objects
from ._problems import InvalidIvrFile
from ._schema import MODELINE
from ._yaml import dump, parse

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["dump_ivr_file", "pull_ivr_file"]

#: The comments pull writes itself, recognised so a re-pull can replace them.
_OWN_COMMENT: Final = re.compile(
    r"^#\s*(?:(?:group|greeting|phone number|menu) \d+ .*?(?:no longer exists|was deleted)"
    r"(?:;\s*)?)+$"
)
#: Block mappings pull merges key by key; everything else is a value, kept or replaced whole.
_NAMED_LISTS: Final = frozenset({"ivrs", "menus"})


class _Names:
    """What the account calls the objects routes point at, and why one has no name."""

    def __init__(
        self,
        groups: Iterable[Group],
        greetings: Iterable[Greeting],
        phone_numbers: Iterable[PhoneNumber],
    ) -> None:
        self.groups: dict[int, Group] = {g.id: g for g in groups}
        self.greetings = {g.id: g.name for g in greetings if isinstance(g.id, int)}
        self.numbers = {p.id: p.number for p in phone_numbers}

    def group(self, group_id: int, notes: list[str]) -> str | int:
        group = self.groups.get(group_id)
        if group is not None and not group.deleted:
            return group.name
        if group is not None:
            notes.append(f"group {group_id} ({group.name}) was deleted")
        else:
            notes.append(f"group {group_id} no longer exists")
        return group_id

    def greeting(self, greeting_id: int | str, notes: list[str]) -> str | int:
        if isinstance(greeting_id, str):
            return greeting_id  # a built-in greeting, the same in every account
        if greeting_id in self.greetings:
            return self.greetings[greeting_id]
        notes.append(f"greeting {greeting_id} no longer exists")
        return greeting_id

    def number(self, phone_id: int, notes: list[str]) -> str | int:
        if phone_id in self.numbers:
            number: str = DoubleQuotedScalarString(self.numbers[phone_id])
            return number
        notes.append(f"phone number {phone_id} no longer exists")
        return phone_id


def dump_ivr_file(
    ivrs: Iterable[Ivr],
    *,
    groups: Iterable[Group],
    greetings: Iterable[Greeting],
    phone_numbers: Iterable[PhoneNumber],
    existing: str | None = None,
    file: str = "the existing file",
) -> str:
    """
    *ivrs* as an IVR file, every reference by name: groups and greetings by their names in
    *groups* and *greetings*, Talk numbers by number (from *phone_numbers*), menus by name;
    IVRs in the order of their names, menus the default first (the first the account lists,
    should it flag two) and then by name, routes by
    keypress (``0``-``9``, ``*``, ``#``, ``default``). A
    reference to something with no name there (a deleted group) is written by id, with a
    comment saying it no longer exists; a built-in greeting by its id (``voicemail_en``).

    With *existing* (the text of the file as it is), the file is brought up to date instead:
    IVRs and menus are matched by name, routes by keypress, and only what differs is replaced,
    so comments, order and quoting stay wherever the data did not change. *file* names the
    existing file in problems.

    Raises:
        InvalidIvrFile: *existing* is not an IVR file (nothing is merged into it).
    """
    names = _Names(groups, greetings, phone_numbers)
    document = _document(tuple(ivrs), names)
    if existing is None:
        return dump(document)
    root = parse(existing, file=file).root
    if not (isinstance(root, CommentedMap) and isinstance(root.get("ivrs"), CommentedSeq)):
        raise InvalidIvrFile(f"{file} is not an IVR file (it has no ivrs list): not replaced")
    _merge_map(root, document)
    return dump(root)


async def pull_ivr_file(
    client: Client, *, existing: str | None = None, file: str = "the existing file"
) -> str:
    """
    The IVRs of *client*'s account as an IVR file (`dump_ivr_file`): the IVR tree and the
    account's groups, greetings and Talk numbers are read concurrently.
    """
    with first_error():
        async with asyncio.TaskGroup() as tasks:
            walking = tasks.create_task(client.walk())
            reading = tasks.create_task(read_account_objects(client))
    objects = reading.result()
    return dump_ivr_file(
        walking.result().ivrs,
        groups=objects.groups,
        greetings=objects.greetings,
        phone_numbers=objects.phone_numbers,
        existing=existing,
        file=file,
    )


# --- a fresh document ------------------------------------------------------------------


def _document(ivrs: tuple[Ivr, ...], names: _Names) -> CommentedMap:
    root = CommentedMap()
    root["version"] = 1
    # In an order of their own, not the account's (ids, creation), so that two accounts with
    # the same IVRs pull to the same file.
    root["ivrs"] = CommentedSeq(_ivr(ivr, names) for ivr in sorted(ivrs, key=lambda i: i.name))
    root.yaml_set_start_comment(MODELINE)
    return root


def _flow(items: Iterable[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _ivr(ivr: Ivr, names: _Names) -> CommentedMap:
    node = CommentedMap()
    node["name"] = ivr.name
    notes: list[str] = []
    node["phone_numbers"] = _flow(names.number(p, notes) for p in ivr.phone_number_ids)
    _note(node, "phone_numbers", notes)
    if ivr.menus:
        # The menu callers hear first leads; with two flagged default, the first the account
        # lists is the one a plan pairs with the account's default menu, so it must lead.
        first = ivr.default_menu
        menus = sorted(ivr.menus, key=lambda m: (m is not first, m.name))
        node["menus"] = CommentedSeq(_menu(menu, ivr, names) for menu in menus)
    return node


def _menu(menu: IvrMenu, ivr: Ivr, names: _Names) -> CommentedMap:
    node = CommentedMap()
    node["name"] = menu.name
    if menu.default:
        node["default"] = True
    if menu.greeting_id is not None:
        notes: list[str] = []
        node["greeting"] = names.greeting(menu.greeting_id, notes)
        _note(node, "greeting", notes)
    routes = CommentedMap()
    left_out = []
    order = {key: i for i, key in enumerate(KEYPRESSES)}
    for route in sorted(menu.routes, key=lambda r: order.get(r.keypress, len(order))):
        if route.keypress not in order:
            left_out.append(route.keypress)
            continue
        notes = []
        routes[DoubleQuotedScalarString(route.keypress)] = _route(route, ivr, names, notes)
        _note(routes, route.keypress, notes)
    if routes:
        node["routes"] = routes
    if left_out:
        keys = ", ".join(repr(k) for k in left_out)
        _eol(node, "name", f"# routes for keypresses no caller can press left out: {keys}")
    return node


def _route(route: IvrRoute, ivr: Ivr, names: _Names, notes: list[str]) -> CommentedMap:
    node = CommentedMap()
    node.fa.set_flow_style()
    options = route.options
    if isinstance(options, GroupOptions | VoicemailOptions):
        refs = [names.group(g, notes) for g in options.group_ids]
        node[options.action] = refs[0] if len(refs) == 1 else _flow(refs)
    elif isinstance(options, MenuOptions):
        node["menu"] = _menu_name(options.menu_id, ivr, notes)
    elif isinstance(options, PhoneNumberOptions):
        number = options.phone_number
        node["phone_number"] = None if number is None else DoubleQuotedScalarString(number)
    elif isinstance(options, TextbackOptions):
        sender = options.textback_phone_number_id
        node["textback"] = None if sender is None else names.number(sender, notes)
        if options.sms_text is not None:
            node["text"] = DoubleQuotedScalarString(options.sms_text)
    else:
        assert isinstance(options, UnknownOptions)
        node["action"] = options.action
        if options.data is not None:
            node["options"] = options.data
    if not isinstance(options, UnknownOptions) and options.tags is not None:
        node["tags"] = _flow(options.tags)
    if route.overflow_options:
        node["overflow"] = list(route.overflow_options)
    return node


def _menu_name(menu_id: int | None, ivr: Ivr, notes: list[str]) -> str | int | None:
    if menu_id is None:
        return None
    for menu in ivr.menus:
        if menu.id == menu_id:
            return menu.name
    notes.append(f"menu {menu_id} no longer exists")
    return menu_id


def _note(node: CommentedMap, key: str, notes: list[str]) -> None:
    if notes:
        _eol(node, key, "# " + "; ".join(notes))


def _eol(node: CommentedMap, key: Any, comment: str) -> None:
    """*comment* at the end of *key*'s line, two spaces after it (ruamel's own placing puts a
    second comment of a mapping one space after its line)."""
    slot = node.ca.items.setdefault(key, [None, None, None, None])
    slot[2] = CommentToken(f" {comment}", CommentMark(0), None)


# --- bringing an existing file up to date ---------------------------------------------


def _merge_map(old: CommentedMap, new: CommentedMap) -> None:
    """Make *old* say what *new* says, touching only the keys whose data differs."""
    by_text = {_key_text(key): key for key in old}
    for key in [k for k in old if _key_text(k) not in {_key_text(n) for n in new}]:
        _delete(old, key)
    previous: Any = None
    for key, value in new.items():
        old_key = by_text.get(_key_text(key))
        if old_key is None:
            position = 0 if previous is None else list(old).index(previous) + 1
            old.insert(position, key, value)
            _set_note(old, key, _note_of(new, key))
            previous = key
            continue
        previous = old_key
        current = old[old_key]
        if _key_text(key) in _NAMED_LISTS and isinstance(current, CommentedSeq):
            _merge_named(current, value)
        elif isinstance(current, CommentedMap) and not current.fa.flow_style():
            if isinstance(value, CommentedMap):
                _merge_map(current, value)
            else:
                old[old_key] = value
        elif _plain(current) != _plain(value):
            old[old_key] = value
            _set_note(old, old_key, _note_of(new, key))


def _merge_named(old: CommentedSeq, new: CommentedSeq) -> None:
    """
    IVRs or menus: matched by name and each merged; the file's order is kept, and a new one
    goes after the one it follows on the account.
    """
    matches: list[CommentedMap | None] = []
    unused = [item for item in old if isinstance(item, CommentedMap)]
    for item in new:
        found = next((c for c in unused if c.get("name") == item.get("name")), None)
        if found is not None:
            unused.remove(found)
        matches.append(found)
    for gone in unused:
        del old[_index(old, gone)]
    position = 0
    for item, found in zip(new, matches, strict=True):
        if found is None:
            old.insert(position, item)
            position += 1
        else:
            _merge_map(found, item)
            position = _index(old, found) + 1


def _index(items: CommentedSeq, item: Any) -> int:
    return next(i for i, candidate in enumerate(items) if candidate is item)


def _delete(node: CommentedMap, key: Any) -> None:
    """
    Delete *key* with its line and the comment lines right above it, which are about it; the
    comment lines under it introduce the next key and stay. (ruamel keeps the lines above a key
    either with the key or, after a line that has a comment of its own, with the key before.)
    """
    token = node.ca.items.get(key, [None, None, None, None])[2]
    following = token.value.partition("\n")[2] if token is not None else ""
    keys = list(node)
    index = keys.index(key)
    if index > 0:
        slot = node.ca.items.setdefault(keys[index - 1], [None, None, None, None])
        before = slot[2]
        if before is not None:
            own = before.value.partition("\n")[0]
            if own.strip() or following:
                before.value = f"{own}\n{following}"
            else:
                slot[2] = None
        elif following:
            slot[2] = CommentToken("\n" + following, token.start_mark, None)
    del node[key]


def _note_of(node: CommentedMap, key: Any) -> str | None:
    token = node.ca.items.get(key, [None, None, None, None])[2]
    return None if token is None else str(token.value).strip()


def _set_note(node: CommentedMap, key: Any, note: str | None) -> None:
    """Replace the comment pull wrote on *key*'s line (a person's own comment stays)."""
    slot = node.ca.items.get(key)
    token = slot[2] if slot else None
    if token is not None:
        own, newline, following = token.value.partition("\n")
        if not _OWN_COMMENT.match(own.strip()):
            return
        if note is None:
            token.value = ("\n" + following) if following else newline
            if not following:
                slot[2] = None
            return
        token.value = f"{note}\n{following}"
        return
    if note is not None:
        _eol(node, key, note)


def _key_text(key: Any) -> str:
    return str(key)


def _plain(value: Any) -> Any:
    """What *value* means, whatever its spelling: a single group is a list of one."""
    if isinstance(value, Mapping):
        return {
            _key_text(k): _plain(
                [v] if k in ("group", "voicemail") and not isinstance(v, list) else v
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    return value
