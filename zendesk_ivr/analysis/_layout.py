"""
Call flows as SVG, laid out and drawn by Graphviz's ``dot`` engine as the ``graphviz-pure``
wheel ships it (the ``report`` extra): a program installed by pip, with the same output on every
platform. ``docs/report.md`` says why this engine (the measurements of the candidates).

The engine runs as a child process, once for any number of graphs: it reads their DOT, one after
the other, and writes one SVG document per graph.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from typing import Final

from .._exceptions import InvalidArgument, ZendeskError
from .._models import Ivr
from ._graph import Names, dot_text, draw
from ._rules import Finding

__all__ = ["LayoutEngineError", "render_svg"]

#: The distribution, and the program it installs.
ENGINE: Final = "graphviz-pure"
INSTALL_HINT: Final = "pip install 'zendesk-ivr[report]'"
#: Seconds the engine may take: a start, then a little per graph (300 take about 1 s).
_TIMEOUT_BASE: Final = 60.0
_TIMEOUT_PER_GRAPH: Final = 1.0


class LayoutEngineError(ZendeskError):
    """
    The layout engine that draws SVG (``graphviz-pure``, installed by the ``report`` extra) is
    not installed, could not run, or failed on a graph; the message says which, and what to
    install when it is missing.
    """


def engine_path() -> str:
    """
    Where the engine's program is: the one the ``graphviz-pure`` distribution installed beside
    this package (found through its metadata, so a virtualenv that is not activated still finds
    it), else ``graphviz-pure`` on the PATH (``pipx install graphviz-pure``).
    """
    # Here, not at the top: the command line imports this package at start-up.
    import importlib.metadata  # noqa: PLC0415
    import shutil  # noqa: PLC0415

    try:
        files = importlib.metadata.distribution(ENGINE).files or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for file in files:
        if file.name in (ENGINE, f"{ENGINE}.exe"):
            path = os.fspath(file.locate())
            if os.access(path, os.X_OK):
                return path
    found = shutil.which(ENGINE)
    if found is None:
        raise LayoutEngineError(f"drawing SVG needs the layout engine {ENGINE}: {INSTALL_HINT}")
    return found


def layout(dot_texts: Sequence[str]) -> list[str]:
    """
    Each DOT graph of *dot_texts* laid out and drawn as an SVG document, in order, by one run of
    the engine (one process per core was no faster on the 300-IVR sandbox: docs/report.md).
    """
    if not dot_texts:
        return []
    engine = engine_path()
    timeout = _TIMEOUT_BASE + _TIMEOUT_PER_GRAPH * len(dot_texts)
    try:
        done = subprocess.run(
            [engine, "-Tsvg"],
            input="".join(dot_texts).encode(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LayoutEngineError(
            f"the layout engine {ENGINE} took more than {timeout:.0f} s for {len(dot_texts)} graphs"
        ) from None
    except OSError as exc:
        raise LayoutEngineError(f"cannot run the layout engine {engine}: {exc}") from None
    if done.returncode != 0:
        problem = done.stderr.decode(errors="replace").strip().splitlines()
        raise LayoutEngineError(
            f"the layout engine {ENGINE} failed (exit {done.returncode}): "
            f"{problem[0] if problem else 'no message'}"
        )
    # Every document starts with its XML declaration.
    svgs = ["<?xml" + part for part in done.stdout.decode().split("<?xml")[1:]]
    if len(svgs) != len(dot_texts):
        raise LayoutEngineError(
            f"the layout engine {ENGINE} drew {len(svgs)} graphs of {len(dot_texts)}"
        )
    return svgs


# What a page that holds many drawings does without: the XML prolog, comments (the engine's
# version, the node ids), titles (node ids, shown as tooltips), ids (``node1`` in every drawing,
# which would repeat in the page), and the font of every text (the page's style sets it once).
# The engine escapes text and attribute values, so none of these patterns can match inside one.
_NOT_INLINE: Final = re.compile(
    r"<!--.*?-->\n?|<title>[^<]*</title>\n?"
    r'| id="[^"]*"| font-family="Helvetica,sans-Serif" font-size="14\.00"',
    re.DOTALL,
)


def inline_svg(svg: str) -> str:
    """*svg*, a document the engine wrote, as an ``<svg>`` element to put in an HTML page."""
    return _NOT_INLINE.sub("", svg[svg.index("<svg") :]).strip()


def names(
    group_names: Mapping[int, str] | None, greeting_names: Mapping[int | str, str] | None
) -> Names:
    """The names a caller passed, checked: mappings of ids to names, or None."""
    for argument, value in (("group_names", group_names), ("greeting_names", greeting_names)):
        if value is None:
            continue
        if not isinstance(value, Mapping) or not all(isinstance(n, str) for n in value.values()):
            raise InvalidArgument(
                f"{argument} must be a mapping of ids to names (str), or None; got {value!r}"
            )
    return Names(groups=group_names, greetings=greeting_names)


def render_svg(
    ivr: Ivr,
    findings: Sequence[Finding] = (),
    *,
    group_names: Mapping[int, str] | None = None,
    greeting_names: Mapping[int | str, str] | None = None,
) -> str:
    """
    *ivr* drawn as an SVG document by the layout engine, with *findings* of the audit marked
    as `render_dot` marks them; groups and greetings by name where *group_names* and
    *greeting_names* (id to name, as the account lists them) are given.

    Raises:
        LayoutEngineError: the engine (``pip install 'zendesk-ivr[report]'``) is missing or
            failed.
        InvalidArgument: (a ValueError) an *ivr* that is not an `Ivr`, *findings* that are not
            `Finding` objects, or names that are not mappings of ids to strings.
    """
    drawing = draw(ivr, findings, names(group_names, greeting_names))
    (svg,) = layout([dot_text(drawing, classes=True)])
    return svg
