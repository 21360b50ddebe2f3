"""Regenerate customers.csv: a seeded, synthetic customer table for the churn example.

Churn depends on contract, tenure, support calls, charges and recent logins, with
noise, so a linear model beats a one-column rule without being perfect. Run:

    python examples/churn/make_data.py
"""

from pathlib import Path

import numpy as np
import pandas as pd

ROWS = 5000
SEED = 7


def make_customers(rows: int = ROWS, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    signup = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 900, rows), unit="D")
    tenure = ((pd.Timestamp("2025-07-01") - signup).days // 30).astype(int)
    contract = rng.choice(["monthly", "annual", "two-year"], rows, p=[0.55, 0.3, 0.15])
    plan = rng.choice(["basic", "standard", "premium"], rows, p=[0.5, 0.35, 0.15])
    charges = np.round(np.select([plan == "basic", plan == "standard"], [25.0, 45.0], 70.0)
                       + rng.normal(0, 6, rows), 2)
    calls = rng.poisson(1.2, rows)
    last_login = np.round(rng.exponential(9, rows)).astype(int)
    payment = rng.choice(["card", "bank transfer", "invoice"], rows, p=[0.5, 0.3, 0.2])
    region = rng.choice(["north", "south", "east", "west"], rows)
    score = (-2.4 + 1.3 * (contract == "monthly") - 0.9 * (contract == "two-year")
             - 0.045 * tenure + 0.45 * calls + 0.02 * (charges - 40) + 0.06 * last_login
             + rng.normal(0, 0.8, rows))
    churned = np.where(rng.random(rows) < 1 / (1 + np.exp(-score)), "yes", "no")
    frame = pd.DataFrame({
        "customer_id": [f"C{100000 + i}" for i in range(rows)],
        "household_id": [f"H{h}" for h in rng.integers(10000, 14500, rows)],
        "signup_date": signup.strftime("%Y-%m-%d"),
        "tenure_months": tenure,
        "contract": contract,
        "plan": plan,
        "monthly_charges": charges,
        "support_calls_90d": calls,
        "days_since_last_login": last_login,
        "payment_method": payment,
        "region": region,
        "churned": churned,
    })
    # Real extracts have holes: a few missing charges and payment methods.
    frame.loc[rng.random(rows) < 0.02, "monthly_charges"] = np.nan
    frame.loc[rng.random(rows) < 0.01, "payment_method"] = None
    return frame


if __name__ == "__main__":
    out = Path(__file__).with_name("customers.csv")
    make_customers().to_csv(out, index=False)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
