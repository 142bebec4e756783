"""The work of each pipeline stage as Prefect tasks and the plain functions they wrap."""
