"""The embedded reference engine: an oVirt engine's VM and snapshot API (v3 and v4 dialects).

A faithful reference, not a stub: VMs with power transitions, snapshots that lock while
they are taken, All-Content OVF, restore with the engine's id and deletion rules,
preview/commit/undo, faults with the engine's status codes, XML and JSON, HTTP Basic and
SSO tokens. It serves ``/ovirt-engine/api`` on loopback::

    with start_engine(EngineSettings(password="secret")) as engine:
        httpx.get(engine.url + "/vms", auth=("admin@internal", "secret"))

How it is built (one job per private module): ``_store`` holds the state behind one lock
(``_model`` its records, ``_seed`` the validated YAML it starts from, ``_ovf`` the OVF a
snapshot captures); ``_routes_*`` are the resources; ``_repr`` builds every document as a
neutral tree that ``_serialize`` turns into XML (``_xml``) or JSON (``_json``, which
documents the JSON mapping), and ``_repr_v4`` builds the v4 ones; ``_dialect`` picks a
request's dialect; ``_sso`` issues and revokes tokens; ``_faults`` says how every refusal
is answered; ``_middleware`` does authentication, dialect, negotiation and limits;
``_server`` runs uvicorn. ``_injection`` names the faults and variants that calibrate the
suite (``EngineSettings(faults=...)``), ``_injector`` makes them happen.
"""

from __future__ import annotations

from conformance.engine._app import create_app
from conformance.engine._injection import FAULTS, VARIANTS, Injectable
from conformance.engine._seed import StateFileError
from conformance.engine._server import EngineHandle, start_engine
from conformance.engine._settings import EngineSettings

__all__ = ["FAULTS", "VARIANTS", "EngineHandle", "EngineSettings", "Injectable", "StateFileError", "create_app", "start_engine"]
