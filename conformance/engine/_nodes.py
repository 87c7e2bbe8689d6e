"""A neutral document tree, rendered to XML or JSON by ``_serialize``.

Representations are built once as :class:`Node` trees (``_repr``) and only then turned
into bytes, so XML and JSON can never disagree on content, and a later dialect (or a
deliberately broken engine) changes one builder or one renderer, not every route.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Node", "Scalar", "el"]

#: a leaf value: each renderer spells it its own way (``true`` / ``true``, dates ...)
Scalar = str | int | bool | datetime


@dataclass
class Node:
    name: str
    text: Scalar | None = None
    attrs: dict[str, Scalar] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    #: JSON: this element is one entry of an array (links, collection members)
    repeated: bool = False
    #: JSON: this element is a collection of ``items`` elements, an array even when empty
    items: str | None = None

    def add(self, *children: Node | None) -> Node:
        """Append the children that are not None; returns self for chaining."""
        self.children.extend(child for child in children if child is not None)
        return self


def el(
    name: str,
    text: Scalar | None = None,
    *children: Node | None,
    repeated: bool = False,
    items: str | None = None,
    **attrs: Scalar | None,
) -> Node:
    """A node; attributes given as None are left out, the others in name order (as JAXB writes them)."""
    node = Node(name, text, {k: v for k, v in sorted(attrs.items()) if v is not None}, repeated=repeated, items=items)
    return node.add(*children)
