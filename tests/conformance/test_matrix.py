"""docs/conformance.md is generated: it must match the cases, known.py and the profiles; and
what the profiles declare must agree with what planning the cases does."""

from __future__ import annotations

from pushdown.profiles import Semantics
from tests.conformance.known import KNOWN
from tests.conformance.matrix import (
    DOC,
    ENGINES,
    ROW_CONSTRUCTS,
    _short,
    declared,
    matrix,
    refused,
    rows,
)
from tests.conformance.model import semantics_constructs


def test_conformance_matrix_is_current() -> None:
    assert DOC.read_text() == matrix(), (
        "docs/conformance.md is stale: python -m tests.conformance.matrix > docs/conformance.md"
    )


def test_every_profile_construct_belongs_to_a_semantics_md_row() -> None:
    assert set(ROW_CONSTRUCTS) == set(semantics_constructs())
    mapped = {c for constructs in ROW_CONSTRUCTS.values() for c in constructs}
    assert mapped == set(Semantics.model_fields)


def test_declarations_agree_with_planning() -> None:
    """A construct a profile refuses is refused for every case of it; one it declares same or
    rewritten is planned for at least one case (the profile is what the planner reads)."""
    wrong = []
    for row, cases in rows().items():
        for engine in ENGINES:
            status = declared(engine, row)
            if status is None:
                continue
            refusals = [c.id for c in cases if c.id in refused(engine)]
            if status.startswith("refused") and len(refusals) != len(cases):
                wrong.append(f"{engine} {row}: declared refused, planned: "
                             f"{[c.id for c in cases if c.id not in refusals]}")
            if not status.startswith("refused") and len(refusals) == len(cases):
                wrong.append(f"{engine} {row}: declared {status}, every case refused")
    assert not wrong, "\n".join(wrong)


def test_every_reason_has_a_label() -> None:
    assert [r.text for r in KNOWN.values() if _short(r.text) == "?"] == []
