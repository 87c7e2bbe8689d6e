"""The public surface of conformance.checks stays honest: __all__ lists what exists, and
every check names its requirement in its docstring."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from conformance import checks

MODULES = ["documents", "lexical", "representation", "json_", "all_content", "negotiation"]


@pytest.mark.parametrize("name", MODULES)
def test_module_all_is_honest(name):
    module = importlib.import_module(f"conformance.checks.{name}")
    for exported in module.__all__:
        assert hasattr(module, exported), exported
    public = {n for n, v in vars(module).items() if inspect.isfunction(v) and v.__module__ == module.__name__ and not n.startswith("_")}
    assert public <= set(module.__all__), public - set(module.__all__)


@pytest.mark.parametrize("name", MODULES)
def test_package_reexports_every_module_export(name):
    module = importlib.import_module(f"conformance.checks.{name}")
    for exported in module.__all__:
        if exported.startswith(("OVF_", "RASD_")):
            continue  # namespace constants stay in their module
        assert exported in checks.__all__, exported
        assert getattr(checks, exported) is getattr(module, exported)
    assert "RequirementFailure" in checks.__all__


BRIEF = [
    "parse_xml_answer",
    "parse_json_answer",
    "snapshot_id",
    "media_type",
    "parse_xs_datetime",
    "check_collection_answer",
    "check_vm_links_snapshots",
    "check_guid",
    "check_guid_lower_case",
    "check_href",
    "check_same_snapshot",
    "check_vm_reference",
    "check_restore_link",
    "prev_link",
    "check_prev_link",
    "check_type",
    "check_one_active",
    "check_date",
    "check_date_offset",
    "check_status",
    "check_memory_flag",
    "check_schema",
    "check_list_matches_get",
    "check_unique_ids",
    "check_json_collection_answer",
    "check_json_matches_xml",
    "configuration_data",
    "check_no_configuration_data",
    "check_configuration_present",
    "check_ovf_xml",
    "check_ovf_json",
    "check_ovf_describes_vm",
    "check_default_xml",
    "check_not_acceptable",
]


@pytest.mark.parametrize("name", BRIEF)
def test_agreed_names_exist(name):
    assert callable(getattr(checks, name))


@pytest.mark.parametrize("name", [n for n in checks.__all__ if n.startswith("check_")])
def test_every_check_names_its_requirement(name):
    doc = inspect.getdoc(getattr(checks, name)) or ""
    assert re.search(r"SNAP-[A-Z]+-\d\d", doc), f"{name}: {doc!r}"
