"""The deal model: specs, futures, the tariff model, plan, simulation, gains, metrics."""
