"""planner stage."""
