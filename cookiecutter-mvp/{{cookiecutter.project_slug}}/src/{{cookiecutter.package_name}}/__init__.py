"""The ML MVP that mvp.yaml describes: its features (features.py) and contenders (models.py)."""
