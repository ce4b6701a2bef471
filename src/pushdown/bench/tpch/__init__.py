"""TPC-H-shaped data, a handful of TPC-H queries written as flows, and their official texts."""
