"""Node trees as XML documents (the v3 default representation)."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from conformance.engine._nodes import Node, Scalar

__all__ = ["render_xml", "xml_scalar", "xs_datetime"]


def xs_datetime(value: datetime) -> str:
    """An ``xs:dateTime`` with milliseconds and an offset, as the engine's JAXB writes it."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


def xml_scalar(value: Scalar) -> str:
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, datetime):
        return xs_datetime(value)
    return str(value)


#: the declaration JAXB writes, as recorded from 3.6 to 4.4
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def render_xml(node: Node) -> bytes:
    """``node`` as real engines write it (recorded): JAXB's declaration, 4-space indents,
    attributes in the node's order (``el`` puts them in name order, ``href`` before ``id``)."""
    root = _element(node, None)
    etree.indent(root, space="    ")
    return _DECLARATION + etree.tostring(root, encoding="UTF-8") + b"\n"


def _element(node: Node, parent: etree._Element | None) -> etree._Element:
    element = etree.Element(node.name) if parent is None else etree.SubElement(parent, node.name)
    for key, value in node.attrs.items():
        element.set(key, xml_scalar(value))
    if node.text is not None:
        # lxml escapes markup (an OVF document becomes &lt;ovf:Envelope ...).
        element.text = xml_scalar(node.text)
    for child in node.children:
        _element(child, element)
    return element
