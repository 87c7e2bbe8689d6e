"""The embedded reference engine: an oVirt engine's VM and snapshot API (v3 dialect).

A faithful reference, not a stub: VMs with power transitions, snapshots that lock while
they are taken, All-Content OVF, restore with the engine's id and deletion rules,
preview/commit/undo, faults with the engine's status codes, XML and JSON. It serves
``/ovirt-engine/api`` on loopback::

    with start_engine(EngineSettings(password="secret")) as engine:
        httpx.get(engine.url + "/vms", auth=("admin@internal", "secret"))

How it is built (one job per private module): ``_store`` holds the state behind one lock
(``_model`` its records, ``_seed`` the validated YAML it starts from, ``_ovf`` the OVF a
snapshot captures); ``_routes_*`` are the resources; ``_repr`` builds every document as a
neutral tree that ``_serialize`` turns into XML (``_xml``) or JSON (``_json``, which
documents the v3 JSON mapping); ``_faults`` says how every refusal is answered;
``_middleware`` does authentication, negotiation and limits; ``_server`` runs uvicorn.
"""

from __future__ import annotations

from conformance.engine._app import create_app
from conformance.engine._seed import StateFileError
from conformance.engine._server import EngineHandle, start_engine
from conformance.engine._settings import EngineSettings

__all__ = ["EngineHandle", "EngineSettings", "StateFileError", "create_app", "start_engine"]
