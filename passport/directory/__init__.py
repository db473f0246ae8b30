"""The partner directory on the data·inclusion standard, the territory and the finder."""
