"""Tell the time: read analog clocks (real data loader, synthetic generator,
models with circular outputs, and the common-sense error)."""
