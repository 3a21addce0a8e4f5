"""Charts of the Results view (pyqtgraph lives only in this package).

Each chart takes plain numpy series and small frozen records, creates its plot items once and then
only updates them; each has a hover read-out with units and follows a light or dark palette.
"""

from ui.charts.base import DARK, LIGHT, PALETTES, ChartWidget, Palette, compact_money
from ui.charts.cost import BreakdownChart, Crossing, CumulativeCostChart, UtilisationChart, UtilisationSeries
from ui.charts.memory import MemoryBar, MemoryChart
from ui.charts.risk import MonteCarloChart, TornadoChart, TornadoRow

__all__ = [
    "DARK",
    "LIGHT",
    "PALETTES",
    "BreakdownChart",
    "ChartWidget",
    "Crossing",
    "CumulativeCostChart",
    "MemoryBar",
    "MemoryChart",
    "MonteCarloChart",
    "Palette",
    "TornadoChart",
    "TornadoRow",
    "UtilisationChart",
    "UtilisationSeries",
    "compact_money",
]
