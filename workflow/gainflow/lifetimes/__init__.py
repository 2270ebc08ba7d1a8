"""Access events -> per-address data lifetimes, and GainSight's per-layer files (tables, aggregates, graphs)."""
