"""One machine, one heavy job: a global Prefect concurrency limit around teacher serving, training and the
student's evaluation, so a UI run and the nightly run never load models onto the same GPU (or 2 CPU cores)
at once. The second one waits for the slot; its light stages (sampling, reports) still run."""

from contextlib import contextmanager

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectNotFound

MACHINE_SLOT = "distillery-machine"


def ensure_machine_slot() -> None:
    """Create the limit (1 slot) when missing; never change one an operator set (e.g. 2 on a 2-GPU box)."""
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(MACHINE_SLOT)
        except ObjectNotFound:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=MACHINE_SLOT, limit=1))


@contextmanager
def machine_slot():
    """Hold the machine's slot for the block; strict, so a missing limit fails loudly instead of being skipped."""
    with concurrency(MACHINE_SLOT, occupy=1, strict=True):
        yield
