"""What is asked of the model: valuation, payoffs, negotiation, sweeps."""
