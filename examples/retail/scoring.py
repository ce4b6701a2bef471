"""The demo's Python step: a churn-risk score per customer, computed on Arrow batches."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

AS_OF = dt.date(2026, 1, 1)


def score(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Risk rises with days since the last order and falls with order count and spend."""
    days = pc.days_between(batch.column("last_order"), pa.scalar(AS_OF, pa.date32()))
    recency = pc.min_element_wise(pc.divide(days.cast(pa.float64()), 180.0), 1.0)
    frequency = pc.divide(1.0, pc.add(batch.column("orders").cast(pa.float64()), 1.0))
    spend = pc.divide(1.0, pc.add(pc.log10(pc.add(batch.column("revenue"), 1.0)), 1.0))
    risk = pc.round(
        pc.add(
            pc.multiply(recency, 0.6),
            pc.add(pc.multiply(frequency, 0.25), pc.multiply(spend, 0.15)),
        ),
        4,
    )
    return pa.RecordBatch.from_arrays(
        [batch.column("customer_id"), batch.column("name"), batch.column("revenue"), risk],
        names=["customer_id", "name", "revenue", "churn_risk"],
    )
