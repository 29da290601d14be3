"""The kata tooling: exercise registry, stub generator, oracles and the in-process transport."""
