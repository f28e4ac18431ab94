"""The bundled data: taxonomy, service catalogue, region tree, subsidy rules and the real dataset.

Every file here is a CSV with a ``source`` column; ``README.md`` beside them says where each comes
from. They are read through the same loaders as a user's folder (``loaders.read_bundled``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_DIR", "DATASET_DIR", "SECTORS_CSV", "SERVICES_CSV", "REGIONS_CSV", "SUBSIDY_RULES_CSV"]

DATA_DIR = Path(__file__).resolve().parent
#: the bundled dataset: a data folder in the contract's format
DATASET_DIR = DATA_DIR / "bundled"
SECTORS_CSV = DATA_DIR / "sectors.csv"
SERVICES_CSV = DATA_DIR / "services.csv"
REGIONS_CSV = DATA_DIR / "regions.csv"
SUBSIDY_RULES_CSV = DATA_DIR / "subsidy_rules.csv"
