"""Concurrent clients: no lost or duplicated snapshots, always exactly one active one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor


def test_fifty_parallel_creates(make_engine, make_api):
    engine = make_engine(snapshot_lock_seconds=0)
    api = make_api(engine)
    vm = api.create_vm()
    clients = [make_api(engine) for _ in range(8)]

    def create(index: int) -> tuple[int, str]:
        response = clients[index % len(clients)].post(f"vms/{vm}/snapshots", f"<snapshot><description>parallel {index}</description></snapshot>")
        return response.status_code, api.xml(response, response.status_code).get("id")

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(create, range(50)))
    assert {status for status, _ in results} == {201}
    created = [snapshot_id for _, snapshot_id in results]
    assert len(set(created)) == 50
    snapshots = api.snapshots(vm)
    assert len(snapshots) == 51
    assert {s.get("id") for s in snapshots if s.findtext("type") == "regular"} == set(created)
    assert [s.findtext("type") for s in snapshots].count("active") == 1
    assert sorted(s.findtext("description") for s in snapshots if s.findtext("type") == "regular") == sorted(f"parallel {i}" for i in range(50))


def test_parallel_creates_while_locked_make_exactly_one(make_engine, make_api):
    engine = make_engine(snapshot_lock_seconds=30)
    api = make_api(engine)
    vm = api.create_vm()
    clients = [make_api(engine) for _ in range(8)]

    def create(index: int) -> int:
        return clients[index % len(clients)].post(f"vms/{vm}/snapshots", "<snapshot><description>race</description></snapshot>").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(create, range(20)))
    assert statuses == [202] + [409] * 19
    assert [s.findtext("type") for s in api.snapshots(vm)] == ["regular", "active"]


def test_mixed_operations_keep_the_invariants(make_engine, make_api):
    engine = make_engine(snapshot_lock_seconds=0, vm_transition_seconds=0)
    api = make_api(engine)
    vms = [api.create_vm() for _ in range(3)]
    clients = [make_api(engine) for _ in range(6)]

    def work(index: int) -> None:
        client = clients[index % len(clients)]
        vm = vms[index % len(vms)]
        response = client.post(f"vms/{vm}/snapshots", f"<snapshot><description>w{index}</description></snapshot>")
        if response.status_code == 409:  # a restore of this VM is under way: refused, as it should
            return
        snapshot_id = client.xml(response, 201).get("id")
        if index % 3 == 0:
            assert client.delete(f"vms/{vm}/snapshots/{snapshot_id}").status_code in (200, 404, 409)
        elif index % 3 == 1:
            assert client.post(f"vms/{vm}/snapshots/{snapshot_id}/restore").status_code in (200, 404, 409)
        client.get(f"vms/{vm}/snapshots", headers={"All-Content": "true"})

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(work, range(60)))
    for vm in vms:
        snapshots = api.snapshots(vm)
        assert [s.findtext("type") for s in snapshots].count("active") == 1
        ids = [s.get("id") for s in snapshots]
        assert len(set(ids)) == len(ids)
        assert all(s.findtext("snapshot_status") == "ok" for s in snapshots)
