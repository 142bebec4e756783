"""student.training.routes: the training time goes to the routes named, and a route with no example is refused."""

import pytest

from tasks.training.loop import TrainError
from tasks.training.stage import trained_routes

ROWS = [{"route": r, "split": s} for r in ("ticket-triage", "invoice-extract", "support-reply") for s in ("train", "val")]


def test_only_the_named_routes_are_trained_and_empty_means_all():
    assert trained_routes(ROWS, []) == ROWS
    kept = trained_routes(ROWS, ["ticket-triage", "invoice-extract"])
    assert {r["route"] for r in kept} == {"ticket-triage", "invoice-extract"} and len(kept) == 4


def test_a_route_with_no_curated_example_is_skipped_and_none_at_all_is_a_config_mistake(caplog):
    kept = trained_routes(ROWS, ["ticket-triage", "ticket-triag"])
    assert {r["route"] for r in kept} == {"ticket-triage"} and "names ticket-triag, which has no curated example" in caplog.text
    with pytest.raises(TrainError, match="student.training.routes names ticket-triag, none of which has a curated example"):
        trained_routes(ROWS, ["ticket-triag"])
