"""Regenerate tickets.csv: a seeded, synthetic table of support tickets and their team.

The team that finally solved a ticket depends on the menu option the customer chose
(often wrong), the product, the plan, whether there is an order and an attachment,
and the channel. Many tickets are routed well by the menu option alone, so the
rule is a strong opponent; the linear model must earn its place. Run:

    python examples/tickets/make_data.py
"""

from pathlib import Path

import numpy as np
import pandas as pd

ROWS = 3000
SEED = 5
TEAMS = np.array(["billing", "technical", "account", "shipping"])


def make_tickets(rows: int = ROWS, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2025-01-06") + pd.to_timedelta(rng.integers(0, 200 * 24, rows),
                                                           unit="h")
    product = rng.choice(["app", "web shop", "hardware"], rows, p=[0.4, 0.35, 0.25])
    plan = rng.choice(["free", "plus", "business"], rows, p=[0.5, 0.35, 0.15])
    has_order = rng.random(rows) < np.where(product == "web shop", 0.8, 0.3)
    attachment = rng.random(rows) < 0.3
    channel = rng.choice(["email", "chat", "phone"], rows, p=[0.5, 0.35, 0.15])
    previous = rng.poisson(1.0, rows)
    logits = np.column_stack([
        0.8 * (plan != "free") + 0.6 * (channel == "phone") + 0.2 * previous,    # billing
        1.3 * (product != "web shop") + 1.0 * attachment - 0.3 * (plan == "free"),  # technical
        0.6 + 0.5 * (plan == "business") + 0.3 * previous - 0.8 * has_order,   # account
        2.0 * has_order + 0.8 * (product == "hardware") - 0.5 * attachment,     # shipping
    ]) + rng.gumbel(0, 0.9, (rows, 4))
    team = TEAMS[logits.argmax(axis=1)]
    # The customer's menu choice is right two times in three, otherwise a guess.
    menu = np.where(rng.random(rows) < 0.66, team, rng.choice(TEAMS, rows))
    frame = pd.DataFrame({
        "ticket_id": [f"T{70000 + i}" for i in range(rows)],
        "created_at": created.strftime("%Y-%m-%d %H:%M"),
        "menu_option": menu,
        "product": product,
        "plan": plan,
        "has_order": np.where(has_order, "yes", "no"),
        "has_attachment": np.where(attachment, "yes", "no"),
        "channel": channel,
        "previous_tickets": previous,
        "team": team,
    })
    return frame.sort_values("created_at", kind="stable").reset_index(drop=True)


if __name__ == "__main__":
    out = Path(__file__).with_name("tickets.csv")
    make_tickets().to_csv(out, index=False)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
