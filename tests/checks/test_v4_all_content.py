"""SNAP-ALLC checks in the v4 dialect, and SNAP-ALLC-06: the query ``all_content=true``
has the same effect as the header."""

from __future__ import annotations

import pytest

from conformance import checks
from conformance.checks import all_content as all_content_module
from conformance.checks import (
    check_all_content_query,
    check_configuration_present,
    check_no_configuration_data,
    check_ovf_describes_vm,
    check_ovf_json,
    check_ovf_xml,
    configuration_data,
)
from conformance.resources import read_fixture

REG = "a209216d-2909-4802-8886-02aad55dccc8"
ACT = "9b2f6c1e-4d7a-4f0b-8c3e-1a5d7e9f2b64"
OVF = read_fixture("documents/ovf-vm01.xml").decode("utf-8").rstrip("\n")
NAME = "&lt;Name&gt;VM_01&lt;/Name&gt;"
ACTIVE_DATE = "<date>2015-02-10T09:15"
#: configuration data for the active snapshot (put before its date)
ACTIVE_WITH_DATA = (
    ACTIVE_DATE,
    "<initialization><configuration><data>&lt;x/&gt;</data><type>ovf</type></configuration></initialization>" + ACTIVE_DATE,
)


@pytest.fixture
def by_header(document):
    return list(document("v4/snapshots-all-content.xml"))


# --- SNAP-ALLC-01 .. -05 with v4 documents --------------------------------------------------------------


def test_v4_all_content_passes(by_header, json_document, v4):
    for snapshot in by_header:
        check_configuration_present(snapshot, v4)  # the active one returns quietly
    assert configuration_data(by_header[0]) == OVF
    assert configuration_data(by_header[1]) is None
    envelope = check_ovf_xml(by_header[0])
    check_ovf_describes_vm(envelope, "VM_01")
    check_ovf_json(json_document("v4/snapshots-all-content.json")["snapshot"][0], OVF)


def test_v4_list_without_all_content_carries_no_data(document):
    check_no_configuration_data(list(document("v4/snapshots-collection.xml")))


def test_v4_configuration_needs_data_whatever_its_place(document, fails, v4):
    """v4 writes ``data`` before ``type``; the check reads them by name."""
    snapshot = document("v4/snapshots-all-content.xml", ("<type>ovf</type>", "<type>ova</type>"))[0]
    with fails("SNAP-ALLC-02") as info:
        check_configuration_present(snapshot, v4)
    assert "not of type ovf" in info.value.title


def test_v4_active_snapshot_is_told_by_snapshot_type(document, fails, v3, v4):
    """The active snapshot is exempt by ``snapshot_type`` in v4, by ``type`` in v3."""
    active = document("v4/snapshots-collection.xml")[1]
    check_configuration_present(active, v4)
    with fails("SNAP-ALLC-02"):
        check_configuration_present(active, v3)
    with fails("SNAP-ALLC-02"):
        check_configuration_present(document("v4/snapshot-v3-type.xml"), v4)


# --- SNAP-ALLC-06 -------------------------------------------------------------------------------------


def test_query_with_the_headers_effect_passes(document, by_header, v4):
    check_all_content_query(list(document("v4/snapshots-all-content.xml")), by_header, v4)


@pytest.mark.parametrize(
    "replacement",
    [
        pytest.param(('ovf:version="3.5.0.0"', "ovf:version='3.5.0.0'"), id="other-quotes"),
        pytest.param(("&lt;?xml version='1.0' encoding='UTF-8'?&gt;\n", ""), id="no-xml-declaration"),
        pytest.param((NAME, "&lt;Name &gt;VM_01&lt;/Name&gt;"), id="space-in-a-tag"),
        pytest.param(("&lt;References&gt;", "&lt;References &gt;"), id="space-in-a-start-tag"),
        pytest.param(("&lt;/Content&gt;", "&lt;/Content &gt;"), id="space-in-an-end-tag"),
        pytest.param(('ovf:description="Active VM"/&gt;', 'ovf:description="Active VM"&gt;&lt;/File&gt;'), id="empty-element-written-out"),
    ],
)
def test_query_ovf_may_differ_in_spelling(document, by_header, v4, replacement):
    """The same document, written otherwise: equal canonical XML (C14N)."""
    check_all_content_query(list(document("v4/snapshots-all-content.xml", replacement)), by_header, v4)


def test_query_ignored_fails(document, by_header, fails, v4):
    with fails("SNAP-ALLC-06") as info:
        check_all_content_query(list(document("v4/snapshots-collection.xml")), by_header, v4)
    assert "ignored" in info.value.title
    assert REG in info.value.received
    assert "0 regular snapshot(s) with the query, 1 with the header" in info.value.received


def test_query_with_another_ovf_fails(document, by_header, fails, v4):
    by_query = list(document("v4/snapshots-all-content.xml", (NAME, "&lt;Name&gt;VM_02&lt;/Name&gt;")))
    with fails("SNAP-ALLC-06") as info:
        check_all_content_query(by_query, by_header, v4)
    assert REG in info.value.title
    assert "VM_02" in info.value.received
    assert "query" in info.value.received
    assert "header" in info.value.received


def test_query_with_data_for_a_snapshot_the_header_left_bare_fails(document, by_header, fails, v4):
    """Data only with the query: the query's effect is not the header's either."""
    with fails("SNAP-ALLC-06") as info:
        check_all_content_query(by_header, list(document("v4/snapshots-collection.xml")), v4)
    assert "different snapshots" in info.value.title
    assert f"only with the query: {REG}" in info.value.received


def test_query_dropping_a_snapshot_fails(by_header, fails, v4):
    with fails("SNAP-ALLC-06") as info:
        check_all_content_query(by_header[1:], by_header, v4)
    assert REG in info.value.received


@pytest.mark.parametrize(
    "data",
    [pytest.param("<data/>", id="empty"), pytest.param("<data>  </data>", id="blank")],
)
def test_empty_data_with_the_query_counts_as_none(document, by_header, fails, v4, data):
    text = read_fixture("documents/v4/snapshots-all-content.xml").decode("utf-8")
    start, end = text.index("<data>"), text.index("</data>") + len("</data>")
    by_query = list(document("v4/snapshots-all-content.xml", (text[start:end], data)))
    with fails("SNAP-ALLC-06"):
        check_all_content_query(by_query, by_header, v4)


def test_the_active_snapshot_is_left_out(document, by_header, v4):
    """Configuration data of the active snapshot, in one list only, is no difference."""
    by_query = list(document("v4/snapshots-all-content.xml", ACTIVE_WITH_DATA))
    assert configuration_data(by_query[1]) == "<x/>"
    check_all_content_query(by_query, by_header, v4)


def test_ids_compare_without_regard_to_case(document, by_header, v4):
    by_query = list(document("v4/snapshots-all-content.xml", (f'id="{REG}"', f'id="{REG.upper()}"')))
    check_all_content_query(by_query, by_header, v4)


def test_texts_that_are_no_documents_compare_as_text(document, fails, v4):
    broken = list(document("v4/snapshots-all-content.xml", ("&lt;/ovf:Envelope&gt;", "")))
    check_all_content_query(broken, broken, v4)
    with fails("SNAP-ALLC-06") as info:
        check_all_content_query(broken, list(document("v4/snapshots-all-content.xml")), v4)
    assert "texts differ" in info.value.received


def test_the_type_element_follows_the_dialect(document, by_header, fails, v3):
    """Read as v3, the v4 documents have no ``type``: the active snapshot then counts as a
    regular one, and its data in one list only is a difference."""
    with fails("SNAP-ALLC-06") as info:
        check_all_content_query(list(document("v4/snapshots-all-content.xml", ACTIVE_WITH_DATA)), by_header, v3)
    assert f"only with the query: {ACT}" in info.value.received


def test_both_lists_without_data_pass(document, v4):
    """Whether the header gave data is SNAP-ALLC-02's concern; ALLC-06 compares."""
    bare = list(document("v4/snapshots-collection.xml"))
    check_all_content_query(bare, bare, v4)
    check_all_content_query([], [], v4)


def test_exported():
    assert "check_all_content_query" in checks.__all__
    assert checks.check_all_content_query is all_content_module.check_all_content_query
    assert "check_all_content_query" in all_content_module.__all__
