"""Indicators of the territory: the barometer of needs and partnership quality (aggregates)."""
