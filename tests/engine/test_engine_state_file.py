"""The seeded state: the packaged file, another file, and clear errors for bad ones."""

from __future__ import annotations

import textwrap

import pytest

from conformance.engine import EngineSettings, StateFileError, create_app

PASSWORD = "state-file-test"

VALID = """\
version: 1
clusters:
  - {id: 11111111-1111-4111-8111-111111111111, name: Default}
templates:
  - {id: 00000000-0000-0000-0000-000000000000, name: Blank}
vms:
  - id: 22222222-2222-4222-8222-222222222222
    name: only-vm
    status: down
    cluster: Default
    template: Blank
    created: "2024-01-01T00:00:00.000+00:00"
    memory: 1073741824
    cpu: {sockets: 1, cores: 1}
    disks:
      - {id: 33333333-3333-4333-8333-333333333333, alias: d1, provisioned_size: 1073741824}
    snapshots:
      - id: 44444444-4444-4444-8444-444444444444
        description: first
        date: "2024-02-01T00:00:00.000+00:00"
        configuration: {memory: 536870912}
    active_snapshot: {id: 55555555-5555-4555-8555-555555555555, date: "2024-02-01T00:00:01.000+00:00"}
"""


def _write(tmp_path, text: str) -> str:
    path = tmp_path / "state.yaml"
    path.write_text(text)
    return str(path)


def test_packaged_state_is_rich_enough(api):
    vms = list(api.xml(api.get("vms")).iterfind("vm"))
    assert len(vms) >= 3
    assert {vm.findtext("status/state") for vm in vms} >= {"up", "down"}
    for vm in vms:
        assert vm.find("cluster").get("id")
        regular = api.by_type(vm.get("id"), "regular")
        assert regular, f"{vm.findtext('name')} has no regular snapshot"


def test_another_state_file(tmp_path, make_engine, make_api):
    api = make_api(make_engine(state_file=_write(tmp_path, VALID)))
    (vm,) = api.xml(api.get("vms")).iterfind("vm")
    assert vm.findtext("name") == "only-vm"
    snapshots = api.snapshots(vm.get("id"))
    assert [s.get("id") for s in snapshots] == ["44444444-4444-4444-8444-444444444444", "55555555-5555-4555-8555-555555555555"]
    disks = api.xml(api.get(f"vms/{vm.get('id')}/snapshots/44444444-4444-4444-8444-444444444444/disks"))
    assert disks.find("disk/image_id").text != api.xml(api.get(f"vms/{vm.get('id')}/disks")).find("disk/image_id").text


def _broken(replace: str, by: str) -> str:
    assert replace in VALID, replace
    return VALID.replace(replace, by)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("version: [1", "not valid YAML", id="not-yaml"),
        pytest.param("- 1\n- 2\n", "(top level): must be a mapping", id="not-a-mapping"),
        pytest.param(_broken("version: 1\n", ""), "missing key(s) version", id="no-version"),
        pytest.param(_broken("version: 1", "version: 2"), "version: must be 1", id="wrong-version"),
        pytest.param(_broken("    status: down", "    status: down\n    colour: blue"), "vms[0]: unknown key(s) colour", id="unknown-key"),
        pytest.param(_broken("    status: down", "    status: sleeping"), "vms[0].status: must be up or down", id="bad-status"),
        pytest.param(
            _broken("id: 22222222-2222-4222-8222-222222222222", "id: 11111111-1111-4111-8111-111111111111"), "vms[0].id: id 11111111", id="duplicate-id"
        ),
        pytest.param(_broken("id: 22222222-2222-4222-8222-222222222222", "id: vm-1"), "vms[0].id: not a GUID", id="bad-guid"),
        pytest.param(
            _broken("2024-02-01T00:00:00.000+00:00", "2999-01-01T00:00:00.000+00:00"), "vms[0].snapshots[0].date: lies in the future", id="future-date"
        ),
        pytest.param(_broken("2024-02-01T00:00:00.000+00:00", "2024-02-01T00:00:00"), "needs a time-zone offset", id="naive-date"),
        pytest.param(
            _broken("2024-02-01T00:00:00.000+00:00", "2023-01-01T00:00:00.000+00:00"), "vms[0].snapshots[0].date: must be later", id="snapshot-before-vm"
        ),
        pytest.param(_broken("cluster: Default", "cluster: Elsewhere"), "vms[0].cluster: no cluster named 'Elsewhere'", id="unknown-cluster"),
        pytest.param(_broken("memory: 1073741824", "memory: lots"), "vms[0].memory: must be an integer", id="memory-text"),
        pytest.param(_broken("name: only-vm", "name: 'only vm!'"), "vms[0].name: a VM name", id="bad-name"),
        pytest.param(
            _broken("configuration: {memory: 536870912}", "configuration: {memory: 536870912, colour: red}"),
            "configuration: unknown key(s) colour",
            id="bad-configuration",
        ),
        pytest.param(
            _broken("    disks:\n", "    nics: [{id: 66666666-6666-4666-8666-666666666666, name: n, mac: 10:20:30:40:50:59}]\n    disks:\n"),
            "mac: must be a string",
            id="unquoted-mac",
        ),
        pytest.param(
            VALID + '    next_run: {id: 77777777-7777-4777-8777-777777777777, date: "2024-03-01T00:00:00.000+00:00"}\n',
            "vms[0].next_run: only a running VM",
            id="next-run-on-a-down-vm",
        ),
        pytest.param(
            VALID.replace("status: down", "status: up") + '    next_run: {id: 77777777-7777-4777-8777-777777777777, date: "2024-01-15T00:00:00.000+00:00"}\n',
            "vms[0].next_run.date: must not be earlier",
            id="next-run-before-the-active-snapshot",
        ),
        pytest.param("a: &x [1]\nb: *x\n", "aliases", id="yaml-alias"),
        pytest.param(_broken("vms:\n", "vms: []\nold_vms:\n"), "unknown key(s) old_vms", id="unknown-top-level"),
    ],
)
def test_bad_state_files_are_refused_clearly(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(StateFileError) as error:
        create_app(EngineSettings(password=PASSWORD, state_file=path))
    assert str(error.value).startswith(path)
    assert message in str(error.value)


def test_missing_state_file(tmp_path):
    with pytest.raises(StateFileError, match="cannot be read"):
        create_app(EngineSettings(password=PASSWORD, state_file=str(tmp_path / "nowhere.yaml")))


def test_the_documented_format_example_is_valid(tmp_path):
    text = textwrap.dedent(VALID)
    create_app(EngineSettings(password=PASSWORD, state_file=_write(tmp_path, text)))
