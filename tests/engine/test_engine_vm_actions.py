"""VM actions: start, stop, shutdown, freeze and thaw, with status transitions."""

from __future__ import annotations

import pytest


def test_start_goes_through_powering_up(make_engine, make_api, poll):
    engine = make_engine(vm_transition_seconds=0.2)
    api = make_api(engine)
    vm = api.create_vm()
    api.completed(api.post(f"vms/{vm}/start"))
    assert api.vm_status(vm) == "powering_up"
    poll(lambda: api.vm_status(vm), lambda s: s == "up")
    vm_element = api.vm(vm)
    assert vm_element.findtext("start_time")
    api.completed(api.post(f"vms/{vm}/stop"))
    assert api.vm_status(vm) == "powering_down"
    poll(lambda: api.vm_status(vm), lambda s: s == "down")


def test_zero_transition_time_is_immediate(make_engine, make_api):
    api = make_api(make_engine(vm_transition_seconds=0))
    vm = api.create_vm()
    api.completed(api.post(f"vms/{vm}/start"))
    assert api.vm_status(vm) == "up"
    api.completed(api.post(f"vms/{vm}/shutdown"))
    assert api.vm_status(vm) == "down"


def test_start_and_stop(api, vm):
    api.start_vm(vm)
    api.stop_vm(vm)


def test_start_a_running_vm_is_refused_as_an_action(api, up_vm):
    _, detail = api.failed_action(api.post(f"vms/{up_vm}/start"), 409)
    assert "running" in detail
    assert api.vm_status(up_vm) == "up"


def test_stop_a_down_vm_is_refused_as_an_action(api, vm):
    _, detail = api.failed_action(api.post(f"vms/{vm}/stop"), 409)
    assert "not running" in detail
    assert api.vm_status(vm) == "down"


@pytest.mark.parametrize("action", ["freezefilesystems", "thawfilesystems"])
def test_quiesce_an_up_vm(api, up_vm, action):
    api.completed(api.post(f"vms/{up_vm}/{action}"))


@pytest.mark.parametrize("action", ["freezefilesystems", "thawfilesystems"])
def test_quiesce_a_down_vm_is_refused(api, vm, action):
    api.failed_action(api.post(f"vms/{vm}/{action}"), 409)


def test_action_without_body_is_accepted(api, vm, poll):
    api.completed(api.post(f"vms/{vm}/start", None))
    poll(lambda: api.vm_status(vm), lambda s: s == "up")
    api.completed(api.post(f"vms/{vm}/thawfilesystems", None))


def test_action_with_json_body(api, vm):
    api.completed(api.request("POST", f"vms/{vm}/start", json_body={}))


@pytest.mark.parametrize("body", ["<action>", "<snapshot/>", "not xml at all"])
def test_action_with_malformed_body_is_400(api, vm, body):
    api.fault(api.post(f"vms/{vm}/start", body), 400)
    assert api.vm_status(vm) == "down"


def test_actions_are_post_only(api, vm):
    response = api.get(f"vms/{vm}/start")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"POST", "OPTIONS"}


def test_unknown_action_is_404(api, vm):
    api.not_found(api.post(f"vms/{vm}/explode"))


def test_action_on_unknown_vm_is_404(api):
    api.not_found(api.post("vms/6f1d0d0a-0000-4000-8000-000000000001/start"))


def test_every_linked_action_exists(api, seeded):
    """Each action a VM links answers POST (a refusal is fine, a missing route is not)."""
    vm = api.vm(seeded.web_01)
    for link in vm.iterfind("actions/link"):
        response = api.request("OPTIONS", link.get("href"))
        assert response.status_code == 200, link.get("rel")
        assert "POST" in response.headers["allow"]
