"""The named analyses: one definition each (doc, parameters, Cypher, networkx), in a registry.

Importing this package registers every analysis; ``QUERIES`` maps name → ``NamedQuery``.
"""

from __future__ import annotations

from . import alliance_gaps as _alliance_gaps  # noqa: F401  (registers)
from . import rd_scaleup_paths as _rd_scaleup_paths  # noqa: F401  (registers)
from . import sector_coverage as _sector_coverage  # noqa: F401  (registers)
from . import supply_list as _supply_list  # noqa: F401  (registers)
from . import supply_demand as _supply_demand  # noqa: F401  (registers)
from . import targets_2030 as _targets_2030  # noqa: F401  (registers)
from . import platform_scorecard as _platform_scorecard  # noqa: F401  (registers)
from . import subsidy_estimate as _subsidy_estimate  # noqa: F401  (registers)
from . import brokers as _brokers  # noqa: F401  (registers)
from . import partner_candidates as _partner_candidates  # noqa: F401  (registers)
from .alliance_gaps import alliance_gaps
from .brokers import brokers
from .partner_candidates import partner_candidates
from .platform_scorecard import platform_scorecard
from .sector_coverage import sector_coverage
from .subsidy_estimate import subsidy_estimate
from .supply_demand import supply_demand
from .supply_list import supply_list
from .targets_2030 import targets_2030
from .rd_scaleup_paths import rd_scaleup_paths
from .registry import QUERIES, NamedQuery, Param, get_query, named_query

__all__ = ["QUERIES", "NamedQuery", "Param", "get_query", "named_query", "rd_scaleup_paths", "alliance_gaps"]
__all__ += ["sector_coverage", "supply_list", "supply_demand", "partner_candidates", "brokers", "subsidy_estimate",
            "targets_2030", "platform_scorecard"]
