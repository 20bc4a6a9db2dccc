"""The parse tree of native HCL in classes of our own, so that a cached parse loads without lark.

python-hcl2's grammar is parsed by lark into ``lark.Tree`` and ``lark.Token`` objects;
:func:`from_lark` copies such a tree once into :class:`Node` and :class:`Leaf`, which answer what the
walkers of :mod:`.syntax`, :mod:`.evaluate` and :mod:`.scope` ask of a tree, the way lark answers it:

- a ``Node`` has ``data`` (the rule name: a ``Leaf`` of type RULE, as lark's is a Token),
  ``children`` (nodes, leaves and ``None`` placeholders) and ``meta`` with ``line``,
  ``end_line``, ``start_pos``, ``end_pos`` and ``empty`` (True when the rule matched no text: then
  there are no positions); equality, hashing and ``repr`` are lark's;
- a ``Leaf`` is the token's text (a ``str``) with its terminal name in ``type``; it has no ``meta``.

Nothing here imports lark: :mod:`.syntax` pickles these trees into computefit's cache folder and
reads them back on the next run without loading lark or python-hcl2 at all.
"""

from __future__ import annotations

from typing import Any


class Node:
    """A rule's match. The node is its own ``meta`` (one object a node instead of two)."""

    __slots__ = ("data", "children", "line", "end_line", "start_pos", "end_pos")

    def __init__(self, data: str, children: list, line: int | None = None, end_line: int | None = None,
                 start_pos: int | None = None, end_pos: int | None = None) -> None:
        self.data = data
        self.children = children
        self.line = line
        self.end_line = end_line
        self.start_pos = start_pos
        self.end_pos = end_pos

    @property
    def meta(self) -> "Node":
        return self

    @property
    def empty(self) -> bool:
        return self.start_pos is None

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"  # as lark prints a tree (data: a RULE Leaf)

    def __eq__(self, other: Any) -> bool:
        try:
            return self.data == other.data and self.children == other.children
        except AttributeError:
            return False

    def __hash__(self) -> int:
        return hash((self.data, tuple(self.children)))


class Leaf(str):
    """A token: its text, and the name of the terminal that matched it in ``type``."""

    __slots__ = ("type",)

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {str(self)!r})"  # as lark prints a token

    def __reduce_ex__(self, protocol: Any) -> tuple:
        # str's own reduction would keep the text but lose ``type``
        return _leaf, (self.type, str(self))


def _leaf(type_: str, text: str) -> Leaf:
    out = Leaf(text)
    out.type = type_
    return out


class gc_paused:
    """``with gc_paused():`` the cyclic garbage collector does not run. For the steps that make
    thousands of objects and no cycle (parsing, copying, pickling and unpickling a tree): the
    collections they trigger find nothing and took 20% of a parse, half of a copy or a pickling,
    and 85% of an unpickling. Objects are still freed as usual (by reference counting)."""

    __slots__ = ("was",)

    def __enter__(self) -> None:
        import gc

        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: Any) -> None:
        if self.was:
            import gc

            gc.enable()


def from_lark(tree: Any) -> Any:
    """A lark tree (or token) copied into Node / Leaf, iteratively (a deeply nested expression does
    not recurse)."""
    if not hasattr(tree, "children"):
        if tree is None:
            return None
        out = Leaf(tree)
        out.type = str(tree.type)
        return out
    with gc_paused():
        return _copy(tree)


def _copy(tree: Any) -> Node:
    new = Node.__new__
    names: dict[int, Any] = {}  # lark's rule names (one Token a rule, shared by its trees) -> ours

    def node(t: Any) -> Node:
        n = new(Node)
        data = t.data
        name = names.get(id(data))
        if name is None:
            name = names[id(data)] = from_lark(data) if hasattr(data, "type") else str(data)
        n.data = name
        n.children = []
        meta = t.meta
        if getattr(meta, "empty", True):
            n.line = n.end_line = n.start_pos = n.end_pos = None
        else:
            n.line, n.end_line = meta.line, meta.end_line
            n.start_pos, n.end_pos = meta.start_pos, meta.end_pos
        return n

    root = node(tree)
    stack = [(tree, root)]
    pop, push = stack.pop, stack.append
    while stack:
        src, dst = pop()
        out = dst.children
        add = out.append
        for c in src.children:
            if c is None:
                add(None)
            elif hasattr(c, "children"):
                n = node(c)
                add(n)
                push((c, n))
            else:
                leaf = Leaf(c)
                leaf.type = c.type
                add(leaf)
    return root
