"""The query pack: `queries/*.sql` with their header contract, derived forms, and the runners
that send them to the local engine or to Athena (with scan estimates)."""
