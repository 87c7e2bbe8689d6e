"""SNAP-ALLC checks: the OVF with and without All-Content, in XML and JSON."""

from __future__ import annotations

import copy

import pytest

from conformance.checks import (
    check_configuration_present,
    check_no_configuration_data,
    check_ovf_describes_vm,
    check_ovf_json,
    check_ovf_xml,
    configuration_data,
)
from conformance.checks.all_content import OVF_NAMESPACE
from conformance.resources import read_fixture

REG = "a209216d-2909-4802-8886-02aad55dccc8"
OVF = read_fixture("documents/ovf-vm01.xml").decode("utf-8").rstrip("\n")
DATA_OPEN = "<data>&lt;?xml version='1.0' encoding='UTF-8'?&gt;"


@pytest.fixture
def all_content(document):
    return list(document("snapshots-all-content.xml"))


@pytest.fixture
def json_items(json_document):
    return json_document("snapshots-all-content.json")["snapshot"]


# --- SNAP-ALLC-01 -----------------------------------------------------------------------------------


def test_no_configuration_without_all_content(document):
    snapshots = list(document("snapshots-collection.xml"))
    check_no_configuration_data(snapshots)
    assert [configuration_data(s) for s in snapshots] == [None, None]


def test_configuration_data_without_all_content_fails(all_content, fails):
    with fails("SNAP-ALLC-01") as info:
        check_no_configuration_data(all_content)
    assert REG in info.value.title


def test_even_an_empty_data_element_counts(document, fails):
    snapshot = document("snapshot-regular.xml", ("<vm ", "<initialization><configuration><type>ovf</type><data/></configuration></initialization><vm "))
    with fails("SNAP-ALLC-01"):
        check_no_configuration_data([snapshot])


# --- SNAP-ALLC-02 -----------------------------------------------------------------------------------


def test_configuration_present(all_content, v3):
    for snapshot in all_content:
        check_configuration_present(snapshot, v3)  # the active one returns quietly
    assert configuration_data(all_content[0]) == OVF  # unescaped by the XML parser
    assert configuration_data(all_content[1]) is None


@pytest.mark.parametrize(
    ("replacements", "in_title"),
    [
        pytest.param([("<initialization>", "<!--"), ("</initialization>", "-->")], "no configuration", id="no-initialization"),
        pytest.param([("<configuration>", "<!--"), ("</configuration>", "-->")], "no configuration", id="no-configuration"),
        pytest.param([("<type>ovf</type>", "<type>OVF</type>")], "not of type ovf", id="type-upper-case"),
        pytest.param([("<type>ovf</type>", "")], "not of type ovf", id="type-absent"),
        pytest.param([(DATA_OPEN, "<!--"), ("</data>", "-->")], "no data", id="data-absent"),
        pytest.param([(DATA_OPEN, "<data>  <!--"), ("</data>", "--></data>")], "empty data", id="data-blank"),
    ],
)
def test_configuration_failures(document, fails, v3, replacements, in_title):
    snapshot = document("snapshots-all-content.xml", *replacements)[0]
    with fails("SNAP-ALLC-02") as info:
        check_configuration_present(snapshot, v3)
    assert in_title in info.value.title
    assert REG in info.value.title


@pytest.mark.parametrize("kind", ["regular", "stateless", "preview"])
def test_every_snapshot_but_the_active_needs_a_configuration(document, fails, v3, kind):
    snapshot = document("snapshot-regular.xml", ("<type>regular</type>", f"<type>{kind}</type>"))
    with fails("SNAP-ALLC-02"):
        check_configuration_present(snapshot, v3)


def test_ovf_as_children_passes_allc_02_and_fails_allc_03(document, fails, v3):
    snapshot = document("snapshot-ovf-children.xml")
    check_configuration_present(snapshot, v3)
    with fails("SNAP-ALLC-03") as info:
        check_ovf_xml(snapshot)
    assert "elements instead of character data" in info.value.title
    assert f"{{{OVF_NAMESPACE}}}Envelope" in info.value.received


# --- SNAP-ALLC-03 -------------------------------------------------------------------------------------


def test_ovf_xml_returns_the_envelope(all_content):
    envelope = check_ovf_xml(all_content[0])
    assert envelope.tag == f"{{{OVF_NAMESPACE}}}Envelope"


def test_ovf_in_cdata_is_character_data(document):
    escaped_ovf = document("snapshots-all-content.xml")[0].find("initialization/configuration/data").text
    cdata = f"<initialization><configuration><type>ovf</type><data><![CDATA[{escaped_ovf}]]></data></configuration></initialization>"
    snapshot = document("snapshot-regular.xml", ("<vm ", cdata + "<vm "))
    check_ovf_xml(snapshot)


@pytest.mark.parametrize(
    ("name", "replacements", "in_title"),
    [
        pytest.param("snapshot-ovf-wrong-namespace.xml", [], "root is not ovf:Envelope", id="wrong-namespace"),
        pytest.param("snapshot-ovf-children.xml", [], "elements instead", id="children"),
        pytest.param("snapshot-regular.xml", [], "no OVF", id="no-data"),
        pytest.param("snapshots-all-content.xml", [("&lt;/ovf:Envelope&gt;", "")], "not a well-formed", id="truncated-ovf"),
        pytest.param("snapshots-all-content.xml", [("&lt;ovf:Envelope", "&amp;lt;ovf:Envelope")], "not a well-formed", id="double-escaped"),
        pytest.param(
            "snapshots-all-content.xml",
            [("&lt;ovf:Envelope", '&lt;!DOCTYPE x [&lt;!ENTITY a "aaaaaaaa"&gt;]&gt;&lt;ovf:Envelope')],
            "DOCTYPE",
            id="doctype-inside-the-ovf",
        ),
    ],
)
def test_ovf_xml_failures(document, fails, name, replacements, in_title):
    snapshot = document(name, *replacements)
    if snapshot.tag == "snapshots":
        snapshot = snapshot[0]
    with fails("SNAP-ALLC-03") as info:
        check_ovf_xml(snapshot)
    assert in_title in info.value.title


# --- SNAP-ALLC-04 -------------------------------------------------------------------------------------


def test_ovf_json_is_the_xml_ovf(json_items):
    check_ovf_json(json_items[0], OVF)


def test_ovf_json_may_differ_in_spelling_not_in_content(json_items):
    """C14N comparison: attribute quotes, the declaration, empty-element form and
    character references do not matter."""
    spelled = (
        OVF.replace("<?xml version='1.0' encoding='UTF-8'?>\n", "")
        .replace('ovf:version="3.5.0.0"', "ovf:version='3.5.0.0'")
        .replace("<rasd:Caption>1 virtual cpu</rasd:Caption>", "<rasd:Caption>1 virtual&#32;cpu</rasd:Caption>")
        .replace(' ovf:description="Active VM"/>', ' ovf:description="Active VM"></File>')
    )
    assert spelled != OVF
    check_ovf_json(json_items[0], spelled)


def test_entity_escaped_json_fails(json_document, fails):
    items = json_document("snapshots-json-escaped.json")["snapshot"]
    with fails("SNAP-ALLC-04") as info:
        check_ovf_json(items[0], OVF)
    assert "entity-escaped" in info.value.title
    assert "&lt;" in info.value.received


@pytest.mark.parametrize(
    ("data", "in_title"),
    [
        pytest.param(None, "not a string", id="null"),
        pytest.param({"ovf:Envelope": {}}, "not a string", id="object"),
        pytest.param("", "not markup", id="empty"),
        pytest.param("OVF", "not markup", id="plain-text"),
        pytest.param("<ovf:Envelope", "not a well-formed", id="truncated"),
        pytest.param('<Envelope xmlns="urn:other"/>', "root is not ovf:Envelope", id="wrong-root"),
        pytest.param(OVF.replace("<Name>VM_01</Name>", "<Name>VM_02</Name>"), "not the XML one", id="other-document"),
        pytest.param(OVF.replace("<Name>VM_01</Name>", "<Name> VM_01</Name>"), "not the XML one", id="whitespace-in-text"),
    ],
)
def test_ovf_json_failures(json_items, fails, data, in_title):
    item = copy.deepcopy(json_items[0])
    item["initialization"]["configuration"]["data"] = data
    with fails("SNAP-ALLC-04") as info:
        check_ovf_json(item, OVF)
    assert in_title in info.value.title


def test_ovf_json_without_initialization_fails(json_items, fails):
    item = copy.deepcopy(json_items[0])
    del item["initialization"]
    with fails("SNAP-ALLC-04"):
        check_ovf_json(item, OVF)


def test_ovf_json_difference_is_located(json_items, fails):
    item = copy.deepcopy(json_items[0])
    item["initialization"]["configuration"]["data"] = OVF.replace("<Name>VM_01</Name>", "<Name>VM_02</Name>")
    with fails("SNAP-ALLC-04") as info:
        check_ovf_json(item, OVF)
    assert "VM_02" in info.value.received
    assert "VM_01" in info.value.received


def test_ovf_json_allows_escaped_text_inside_the_ovf(json_items):
    """Only escaped *markup* is refused: an ``&lt;`` in the OVF's own text is legitimate."""
    ovf = OVF.replace("<Info>List of Virtual Disks</Info>", "<Info>a &lt; b</Info>")
    item = copy.deepcopy(json_items[0])
    item["initialization"]["configuration"]["data"] = ovf
    check_ovf_json(item, ovf)


# --- SNAP-ALLC-05 -------------------------------------------------------------------------------------


def test_ovf_describes_vm(all_content):
    check_ovf_describes_vm(check_ovf_xml(all_content[0]), "VM_01")


def test_dmtf_style_virtual_system_is_understood(document):
    ovf = (
        f'<ovf:Envelope xmlns:ovf="{OVF_NAMESPACE}" xmlns="{OVF_NAMESPACE}" '
        'xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">'
        "<VirtualSystem ovf:id='vm'><Name>VM_01</Name><VirtualHardwareSection>"
        "<Item><rasd:ResourceType>3</rasd:ResourceType></Item><Item><rasd:ResourceType> 4 </rasd:ResourceType></Item>"
        "</VirtualHardwareSection></VirtualSystem></ovf:Envelope>"
    )
    from conformance import safexml

    check_ovf_describes_vm(safexml.parse(ovf), "VM_01")


@pytest.mark.parametrize(
    ("replacement", "in_received"),
    [
        pytest.param(("<Name>VM_01</Name>", "<Name>VM_02</Name>"), "Name 'VM_02'", id="other-name"),
        pytest.param(("<Name>VM_01</Name>", ""), "Name absent", id="no-name"),
        pytest.param(("<rasd:ResourceType>3</rasd:ResourceType>", "<rasd:ResourceType>5</rasd:ResourceType>"), "ResourceTypes 17, 4, 5", id="no-cpu"),
        pytest.param(("<rasd:ResourceType>4</rasd:ResourceType>", "<rasd:ResourceType>40</rasd:ResourceType>"), "ResourceTypes 17, 3, 40", id="no-memory"),
        pytest.param(('xsi:type="ovf:VirtualHardwareSection_Type"', 'xsi:type="ovf:OtherSection_Type"'), "no VirtualHardwareSection", id="no-hardware"),
        pytest.param(('xsi:type="ovf:VirtualSystem_Type"', 'xsi:type="ovf:VirtualSystemCollection_Type"'), "no VirtualSystem", id="no-virtual-system"),
    ],
)
def test_ovf_describes_vm_failures(fails, replacement, in_received):
    from conformance import safexml

    old, new = replacement
    assert old in OVF
    with fails("SNAP-ALLC-05") as info:
        check_ovf_describes_vm(safexml.parse(OVF.replace(old, new, 1)), "VM_01")
    assert in_received in info.value.received
