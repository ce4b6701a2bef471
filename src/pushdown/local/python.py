"""Python steps: a user function from ``pyarrow.RecordBatch`` to ``pyarrow.RecordBatch``."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from pushdown.errors import PythonStepError
from pushdown.plan.nodes import PythonStep


def _conform(batch: object, schema: pa.Schema, recipe: str) -> pa.RecordBatch:
    if isinstance(batch, pa.Table):
        batch = batch.combine_chunks().to_batches()[0] if batch.num_rows else None
        if batch is None:
            return pa.RecordBatch.from_pylist([], schema=schema)
    if not isinstance(batch, pa.RecordBatch):
        raise PythonStepError(recipe, f"returned {type(batch).__name__}, not a RecordBatch")
    missing = [c for c in schema.names if c not in batch.schema.names]
    if missing:
        raise PythonStepError(
            recipe,
            f"returned batch lacks declared column(s) {missing}; it has {batch.schema.names}",
        )
    extra = [c for c in batch.schema.names if c not in schema.names]
    if extra:
        raise PythonStepError(
            recipe, f"returned undeclared column(s) {extra}; add them to the recipe's schema"
        )
    arrays = []
    for field in schema:
        array = batch.column(batch.schema.get_field_index(field.name))
        if array.type != field.type:
            try:
                array = array.cast(field.type, safe=True)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
                raise PythonStepError(
                    recipe,
                    f"column {field.name!r} is {array.type}, declared {field.type}, "
                    f"and does not convert: {err}",
                ) from None
        arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def run_python_step(step: PythonStep, data: pa.Table) -> pa.Table:
    """Apply ``step``'s function to every record batch of ``data``."""
    return python_stream(step, data).read_all()


def python_stream(step: PythonStep, data: pa.Table | pa.RecordBatchReader) -> pa.RecordBatchReader:
    """``step``'s function applied to each record batch of ``data`` as it is read (an empty
    input gives the function one empty batch): a stream of ``step.schema``."""
    assert step.callable is not None
    reader = data if isinstance(data, pa.RecordBatchReader) else None
    source = reader if reader is not None else data.to_batches()

    def batches() -> Iterator[pa.RecordBatch]:
        seen = False
        for batch in source:
            seen = True
            yield _apply(step, batch)
        if not seen:
            yield _apply(step, pa.RecordBatch.from_pylist([], schema=data.schema))

    return pa.RecordBatchReader.from_batches(step.schema, batches())


def _apply(step: PythonStep, batch: pa.RecordBatch) -> pa.RecordBatch:
    assert step.callable is not None
    try:
        result = step.callable(batch)
    except Exception as err:
        raise PythonStepError(step.recipe, f"{type(err).__name__}: {err}") from err
    return _conform(result, step.schema, step.recipe)
