"""The checks: small pure functions over parsed engine answers.

Each check reads one requirement of the catalogue (``specs/requirements.yaml``) and, when
the engine breaks it, raises the one failure type::

    AssertionError
     └── RequirementFailure      requirement, title, received, expected

Modules by requirement group: :mod:`.representation` (SNAP-REPR), :mod:`.json_`
(SNAP-JSON), :mod:`.all_content` (SNAP-ALLC), :mod:`.negotiation` (SNAP-NEG),
:mod:`.lifecycle` (create, PUT, delete, restore, errors, authentication);
:mod:`.documents` turns answers into documents, :mod:`.lexical` holds the value grammars.
Checks do no I/O and know nothing of HTTP clients: an answer is anything shaped like
:class:`HTTPAnswer`.
"""

from conformance.checks._failure import RequirementFailure
from conformance.checks.all_content import (
    check_configuration_present,
    check_no_configuration_data,
    check_ovf_describes_vm,
    check_ovf_json,
    check_ovf_xml,
    configuration_data,
)
from conformance.checks.documents import (
    HTTPAnswer,
    child_text,
    header,
    media_type,
    parse_json_answer,
    parse_xml_answer,
    parse_xml_text,
    snapshot_id,
)
from conformance.checks.json_ import check_json_collection_answer, check_json_matches_xml, json_instant
from conformance.checks.lexical import (
    collapse_whitespace,
    has_offset,
    is_guid,
    is_xs_boolean,
    is_xs_datetime,
    parse_xs_boolean,
    parse_xs_datetime,
)
from conformance.checks.lifecycle import (
    check_action_complete,
    check_answer_status,
    check_create_answer,
    check_created_listed,
    check_date_in_window,
    check_empty_or_fault,
    check_expect_201,
    check_fault_answer,
    check_memory_state,
    check_no_server_error,
    check_nothing_created,
    check_put_405,
    check_status_sequence,
    check_unauthorized,
    check_unchanged_snapshot,
    compared_fields,
)
from conformance.checks.negotiation import check_default_xml, check_not_acceptable
from conformance.checks.representation import (
    SNAPSHOT_STATUSES,
    SNAPSHOT_TYPES,
    check_collection_answer,
    check_date,
    check_date_offset,
    check_guid,
    check_guid_lower_case,
    check_href,
    check_list_matches_get,
    check_memory_flag,
    check_one_active,
    check_prev_link,
    check_restore_link,
    check_same_snapshot,
    check_schema,
    check_status,
    check_type,
    check_unique_ids,
    check_vm_links_snapshots,
    check_vm_reference,
    prev_link,
    same_id,
    same_instant,
)

__all__ = [
    "SNAPSHOT_STATUSES",
    "SNAPSHOT_TYPES",
    "HTTPAnswer",
    "RequirementFailure",
    "check_action_complete",
    "check_answer_status",
    "check_collection_answer",
    "check_configuration_present",
    "check_create_answer",
    "check_created_listed",
    "check_date",
    "check_date_in_window",
    "check_date_offset",
    "check_default_xml",
    "check_empty_or_fault",
    "check_expect_201",
    "check_fault_answer",
    "check_guid",
    "check_guid_lower_case",
    "check_href",
    "check_json_collection_answer",
    "check_json_matches_xml",
    "check_list_matches_get",
    "check_memory_flag",
    "check_memory_state",
    "check_no_configuration_data",
    "check_no_server_error",
    "check_not_acceptable",
    "check_nothing_created",
    "check_one_active",
    "check_ovf_describes_vm",
    "check_ovf_json",
    "check_ovf_xml",
    "check_prev_link",
    "check_put_405",
    "check_restore_link",
    "check_same_snapshot",
    "check_schema",
    "check_status",
    "check_status_sequence",
    "check_type",
    "check_unauthorized",
    "check_unchanged_snapshot",
    "check_unique_ids",
    "check_vm_links_snapshots",
    "check_vm_reference",
    "child_text",
    "collapse_whitespace",
    "compared_fields",
    "configuration_data",
    "has_offset",
    "header",
    "is_guid",
    "is_xs_boolean",
    "is_xs_datetime",
    "json_instant",
    "media_type",
    "parse_json_answer",
    "parse_xml_answer",
    "parse_xml_text",
    "parse_xs_boolean",
    "parse_xs_datetime",
    "prev_link",
    "same_id",
    "same_instant",
    "snapshot_id",
]
