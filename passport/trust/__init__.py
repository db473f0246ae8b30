"""Trust: canonical JSON, hash chain, signatures, encryption at rest, export and verify."""
