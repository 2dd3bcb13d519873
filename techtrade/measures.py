"""The World Bank's other measures, declared once: what each indicator is, the file it comes in, its id
in the numbers table, and how the report's sentences and figures name and colour it. Read by the
loading (ingest/wdi.py), the numbers (analysis/metrics.py), the figures (analysis/plots.py) and the
prose (report/story.py). None of them is Rosstat's form 1-TB: they are context, never evidence.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    code: str            # the World Bank's indicator code
    title: str           # its name, as the World Bank gives it
    unit: str            # as in the files: USD or percent
    file: str            # the raw file it comes in: "wdi" (fetched by --refresh-wdi) or "wdi_ict"
    name: str = ""       # its id in the numbers table (ict_exports.2020); "" when the report does not use it
    label: str = ""      # in the numbers table's label column
    words: str = ""      # in a sentence of the report, where the report compares its growth ("" if never)
    legend: str = ""     # in a figure's legend, where it is drawn ("" if never)
    colour: str = ""     # in the figures, where it is drawn


MEASURES = (
    Measure("BX.GSR.CCIS.CD", "ICT service exports (BoP, current US$)", "USD", "wdi_ict", "ict_exports",
            "ICT service exports", "ICT service exports", "ICT service exports", "#7a5195"),
    Measure("BX.GSR.ROYL.CD", "Charges for the use of intellectual property, receipts (BoP, current US$)", "USD",
            "wdi", "ip_receipts", "charges for the use of intellectual property, receipts",
            "receipts for the use of intellectual property", "IP receipts", "#c2185b"),
    Measure("BM.GSR.ROYL.CD", "Charges for the use of intellectual property, payments (BoP, current US$)", "USD",
            "wdi", "ip_payments", "charges for the use of intellectual property, payments"),
    Measure("TX.VAL.TECH.CD", "High-technology exports (current US$)", "USD", "wdi", "hightech_exports",
            "high-technology goods exports", "high-technology goods exports"),
    Measure("TX.VAL.TECH.MF.ZS", "High-technology exports (% of manufactured exports)", "percent", "wdi"),
    Measure("GB.XPD.RSDV.GD.ZS", "Research and development expenditure (% of GDP)", "percent", "wdi"),
)

BY_CODE = {m.code: m for m in MEASURES}
#: in the numbers table (each level by year, ratios between years)
IN_NUMBERS = tuple(m for m in MEASURES if m.name)
#: named in sentences that compare growth
IN_PROSE = tuple(m for m in MEASURES if m.words)
#: drawn beside form 1-TB in the measures figure, in this order
DRAWN = tuple(m for m in MEASURES if m.legend)
#: fetched from the World Bank API by --refresh-wdi (the indicators of the main World Bank file)
FETCHED = tuple(m for m in MEASURES if m.file == "wdi")
