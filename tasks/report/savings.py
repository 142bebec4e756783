"""Each way to pay for the student against the teacher at today's volume: its day, the saving, break-even,
payback and a sensitivity table; the cheapest today is the one the headline numbers and the recommendation use.

The volume and tokens are those of the routes the student takes (costs.py picks them from the routing plan):
break-even and the sensitivity's volumes are requests per day on those routes, not the whole traffic.
"""

from tasks.report import cost_model as cm
from tasks.report.pricing import Option, how_priced, price_label

# The student's price is varied by these factors in each option's sensitivity table.
SENSITIVITY_FACTORS = (0.5, 1.0, 2.0)


def price_option(o: Option, teacher, teacher_t: cm.Traffic, student_t: cm.Traffic, volume: float,
                 pipeline_daily: float, per_night: float, deferred: cm.Deferred | None = None) -> dict:
    """One way to pay for the student at today's volume: its day, the saving, break-even and the sensitivity;
    `deferred`: the teacher's bill for the requests the student passes on is the student's to pay."""
    c = cm.compare(teacher, teacher_t, o.price, student_t, volume, pipeline_daily, deferred)
    be = cm.break_even_volume(teacher, teacher_t, o.price, student_t, pipeline_daily, deferred=deferred)
    volumes = sorted({round(volume * f) for f in (0.1, 0.5, 1, 2, 10)} | {10_000, 100_000})
    return {"option": o.key, "label": o.label, "how": how_priced(o.price), "daily": c.student_daily,
            "per_1k": c.student_daily / volume * 1000, "replicas": c.student_replicas, "saving_daily": c.saving_daily,
            "saving_monthly": c.saving_monthly, "cost_change": c.cost_change,
            "deferred_daily": c.deferred_daily,
            "inference_change": ((c.student_daily + c.deferred_daily - c.teacher_daily) / c.teacher_daily
                                 if c.teacher_daily else 0.0),
            "break_even_requests_per_day": None if be is None else round(be),
            "payback_days": one_decimal(cm.payback_days(per_night, c.saving_daily)),
            "sensitivity": {"columns": [price_label(cm.scaled(o.price, f)) for f in SENSITIVITY_FACTORS],
                            "rows": cm.sensitivity(teacher, teacher_t, o.price, student_t, pipeline_daily, volumes,
                                                   list(SENSITIVITY_FACTORS), deferred)}}


def cheapest(priced: list[dict]) -> dict:
    """The option with the smallest bill today; on a tie the first in config order (per token, dedicated, shared)."""
    return min(priced, key=lambda o: o["daily"] + o["deferred_daily"])


def rounded(o: dict) -> dict:
    """A priced option as the summary keeps it: cents for money, four places for rates."""
    money = ("daily", "deferred_daily", "saving_daily", "saving_monthly")
    return {**o, **{k: round(o[k], 2) for k in money}, "per_1k": round(o["per_1k"], 4),
            "cost_change": round(o["cost_change"], 4), "inference_change": round(o["inference_change"], 4)}


def one_decimal(x: float | None) -> float | None:
    """Days and months to one decimal; None (never) stays None."""
    return None if x is None else round(x, 1)
