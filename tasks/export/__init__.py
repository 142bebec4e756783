"""The export stage: the run's adapter merged into its dequantized NF4 base and parity-gated (tasks/export/stage.py)."""
