"""The named analyses: one definition each (doc, parameters, Cypher, networkx), in a registry.

Importing this package registers every analysis (importing each module runs its ``@named_query``);
``QUERIES`` maps name → ``NamedQuery``.
"""

from __future__ import annotations

from .alliance_gaps import alliance_gaps
from .brokers import brokers
from .partner_candidates import partner_candidates
from .platform_scorecard import platform_scorecard
from .sector_coverage import sector_coverage
from .subsidy_estimate import subsidy_estimate
from .supply_demand import supply_demand
from .supply_list import supply_list
from .rd_scaleup_paths import rd_scaleup_paths
from .targets_2030 import targets_2030
from .registry import QUERIES, NamedQuery, Param, get_query, named_query

__all__ = ["QUERIES", "NamedQuery", "Param", "get_query", "named_query", "rd_scaleup_paths", "alliance_gaps",
           "sector_coverage", "supply_list", "supply_demand", "partner_candidates", "brokers", "subsidy_estimate",
           "targets_2030", "platform_scorecard"]
