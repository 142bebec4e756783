"""The work of each pipeline stage as Prefect tasks and the plain functions they wrap.

Every task uses `cache_policy=NO_CACHE`: each stage reuses its own committed outputs, keyed on the bytes
of its inputs and the knobs it reads (distillery/store.py `reusable_record`). Prefect's input cache would key
on run ids and summaries instead, and needs persisted results; a wrong cache hit there trains on stale data.
"""
