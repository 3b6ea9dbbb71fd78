"""The flow-log simulator: a topology, records exactly as AWS writes them, ground truth, and
the demo. Never ships to Lambda."""
