"""The top of the house: the `distillery` command line, `distillery doctor`, and the Prefect server the demo uses."""
