"""compilers stage."""
