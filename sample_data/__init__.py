"""Deterministic generator of a realistic company whose customer data lives in five source systems."""

from sample_data.generator import generate
from sample_data.manifest import Manifest

__all__ = ["Manifest", "generate"]
