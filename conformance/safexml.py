"""Safe, bounded parsing of XML that comes from the network.

Every XML document the project reads from an engine or a client goes through
:func:`parse`: no entity expansion, no DTD, no network access, a size bound, and a
DOCTYPE is refused outright (it is never needed by the oVirt API and is the door for
billion-laughs and external-entity attacks).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

__all__ = ["DEFAULT_MAX_BYTES", "UnsafeOrMalformedXML", "parse"]

DEFAULT_MAX_BYTES = 8 * 1024 * 1024


class UnsafeOrMalformedXML(ValueError):
    """The bytes are not a well-formed, safe XML document; ``str()`` says why."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse ``data`` into an element tree, or raise :class:`UnsafeOrMalformedXML`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise UnsafeOrMalformedXML(f"document of {len(raw)} bytes exceeds the limit of {max_bytes} bytes")
    if not raw.strip():
        raise UnsafeOrMalformedXML("empty document")
    try:
        root = etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise UnsafeOrMalformedXML(f"not well-formed XML: {error}") from None
    docinfo: Any = root.getroottree().docinfo  # lxml-stubs lack DocInfo.doctype
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnsafeOrMalformedXML("a DOCTYPE declaration is not allowed")
    return root
