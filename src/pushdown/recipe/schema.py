"""The JSON Schema of flow files as shipped: ``flow.schema.json`` beside this module.

It is generated from the models in :mod:`pushdown.recipe.spec` (``tests/test_flow_files.py``
keeps the two equal), so ``pushdown schema`` prints it without importing pydantic and building
the models, which is most of that command's time.  Regenerate it after changing the models::

    python -m pushdown.recipe.schema
"""

from __future__ import annotations

from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("flow.schema.json")


def generated_text() -> str:
    """The schema as :func:`pushdown.json_schema` builds it from the models, as JSON text."""
    import json

    from pushdown.recipe.spec import json_schema

    return json.dumps(json_schema(), indent=2) + "\n"


def schema_text() -> str:
    """The schema as JSON text: the shipped file, or built from the models when it is missing."""
    try:
        return SCHEMA_FILE.read_text(encoding="utf-8")
    except OSError:
        return generated_text()


if __name__ == "__main__":
    SCHEMA_FILE.write_text(generated_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
