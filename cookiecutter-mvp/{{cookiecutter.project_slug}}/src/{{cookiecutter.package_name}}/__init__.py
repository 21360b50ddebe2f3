"""The ML MVP described by ``mvp.yaml``."""
