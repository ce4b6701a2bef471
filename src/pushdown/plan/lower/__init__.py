"""Lowering: one module per recipe kind, each turning a recipe into plan nodes (named like the
recipe's ``type``), behind the one dispatch table in :mod:`pushdown.plan.build`."""
