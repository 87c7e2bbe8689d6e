"""The offline judge: recorded traffic (HAR, VCR) judged with the suite's checks.

``snapshot-conformance check PATH...`` runs these tests through the same plugin as a live
run (``--recorded PATH``), so the catalogue, the verdict and the report files are the
same; a requirement no recorded exchange can judge is *not tested*. ``_traffic`` reads the
files, ``_judging`` indexes the exchanges and judges them, the ``test_*`` modules hold one
test per requirement.
"""

__all__: list[str] = []
