"""docs/conformance.md is generated: it must match the cases, known.py and the profiles."""

from __future__ import annotations

from tests.conformance.matrix import DOC, matrix


def test_conformance_matrix_is_current() -> None:
    assert DOC.read_text() == matrix(), (
        "docs/conformance.md is stale: python -m tests.conformance.matrix > docs/conformance.md"
    )
