"""What the user hands in: term sheets, assumptions, the embedded data."""
