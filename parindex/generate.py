"""Synthetic criteria sets and submissions at any scale, deterministic for a seed.

Used by ``parindex generate`` (files on disk, like the sample province) and by the benchmarks
(in memory). Every rule kind, evidence, "did not arise" both ways, appraisal rounds and survey
results appear; the data is marked ``sample: true``.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

import yaml

from parindex.rules import KINDS as RULE_KINDS
from parindex.rules import kind_of

YEAR = 2025
BLOCKS = (
    ("so-nganh", "Sở, ban, ngành (tổng hợp)", 0.1),
    ("huyen", "UBND cấp huyện (tổng hợp)", 0.1),
    ("xa", "UBND cấp xã (tổng hợp)", 0.8),
)
#: the self-scored kinds, each used in turn by the generated leaves
KINDS = tuple(k for k in RULE_KINDS if k.self_scored)
SURVEYS = ("sipas-tiep-can", "sipas-tthc", "sipas-cong-chuc", "sipas-ket-qua", "khao-sat-lanh-dao")


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _rule(kind: str, mx: Decimal, rng: random.Random) -> dict[str, Any]:
    return {"kind": kind, "wording": f"Quy tắc {kind} (tổng hợp)"} | kind_of(kind).sample_rule(
        mx, YEAR, rng
    )


def synthetic_set(block: str, block_name: str, leaves: int = 100, seed: int = 0) -> dict[str, Any]:
    """A valid 100-point criteria set with ``leaves`` sub-criteria: 8 fields (the last from
    surveys, 30 points), every rule kind, a bonus and a penalty section."""
    rng = random.Random(f"{seed}-{block}")
    survey_leaves = len(SURVEYS)
    appraised = leaves - survey_leaves
    fields: list[dict[str, Any]] = []
    # 70 appraised points over `appraised` leaves: 0.5 or 1 point each, adjusted to sum 70
    per_field = [appraised // 7 + (1 if i < appraised % 7 else 0) for i in range(7)]
    points_left = Decimal(70)
    counter = 0
    for f in range(7):
        n = per_field[f]
        f_points = Decimal(10)
        maxima = [Decimal("0.5")] * n
        extra = f_points - Decimal("0.5") * n
        i = 0
        while extra > 0:
            step = min(extra, Decimal("1.5"))
            maxima[i % n] += step
            extra -= step
            i += 1
        criteria = []
        for c in range(0, n, 4):
            chunk = maxima[c : c + 4]
            ccode = f"{f + 1}.{c // 4 + 1}"
            subs = []
            for j, mx in enumerate(chunk):
                kind = KINDS[counter % len(KINDS)].name
                counter += 1
                leaf: dict[str, Any] = {
                    "code": f"{ccode}.{j + 1}",
                    "name": f"Tiêu chí {kind}",
                    "max": mx,
                    "rule": _rule(kind, mx, rng),
                }
                if counter % 11 == 0:
                    leaf["did_not_arise"] = "full-points"
                subs.append(leaf)
            criteria.append(
                {
                    "code": ccode,
                    "name": f"Tiêu chí {ccode}",
                    "max": sum((s["max"] for s in subs), Decimal(0)),
                    "subcriteria": subs,
                }
            )
        fields.append(
            {"code": str(f + 1), "name": f"Lĩnh vực {f + 1}", "max": f_points, "criteria": criteria}
        )
        points_left -= f_points
    survey_subs = [
        {
            "code": f"8.1.{i + 1}",
            "name": f"Khảo sát {key}",
            "max": Decimal(6),
            "survey": True,
            "evidence": "none",
            "rule": {"kind": "survey", "survey": key, "wording": "Điều tra XHH"},
        }
        for i, key in enumerate(SURVEYS)
    ]
    fields.append(
        {
            "code": "8",
            "name": "Tác động của CCHC",
            "max": Decimal(30),
            "criteria": [
                {
                    "code": "8.1",
                    "name": "Mức độ hài lòng",
                    "max": Decimal(30),
                    "subcriteria": survey_subs,
                }
            ],
        }
    )
    return {
        "id": f"{block}-{YEAR}-tong-hop",
        "year": YEAR,
        "block": block,
        "block_name": block_name,
        "title": f"Bộ tiêu chí tổng hợp (dữ liệu sinh tự động) — {block_name}",
        "sample": True,
        "did_not_arise": "excluded",
        "bands": [
            {"name": "Tốt", "at_least": Decimal(90)},
            {"name": "Khá", "at_least": 80},
            {"name": "Trung bình", "at_least": 65},
            {"name": "Yếu", "at_least": 0},
        ],
        "bonus": {
            "cap": Decimal(2),
            "items": [
                {
                    "code": "T.1",
                    "name": "Sáng kiến",
                    "max": Decimal(2),
                    "rule": {
                        "kind": "per-item",
                        "points_each": Decimal("0.5"),
                        "wording": "0,5/sáng kiến",
                    },
                }
            ],
        },
        "penalty": {
            "cap": Decimal(3),
            "items": [
                {
                    "code": "TR.1",
                    "name": "Vi phạm",
                    "max": Decimal(3),
                    "rule": {"kind": "per-item", "points_each": Decimal(1), "wording": "1/vi phạm"},
                }
            ],
        },
        "fields": fields,
    }


def synthetic_entry(
    rule: dict[str, Any], mx: Decimal, policy: str | None, rng: random.Random
) -> dict[str, Any]:
    """Facts for one leaf; sometimes "did not arise", evidence, an appraisal round."""
    good = rng.random() < 0.75
    entry: dict[str, Any] = kind_of(rule["kind"]).sample_facts(rule, mx, good, rng)
    if policy == "full-points" and rng.random() < 0.2:
        entry = {"did_not_arise": "Không phát sinh trong năm"}
    if rng.random() < 0.9 and "did_not_arise" not in entry:
        entry["evidence"] = [
            {
                "number": f"{rng.randint(1, 999)}/KH-UBND",
                "date": dt.date(YEAR, rng.randint(1, 12), rng.randint(1, 28)),
                "issuer": "UBND",
                "title": "Kế hoạch",
                "location": "trang 1",
                "file": "minh-chung.pdf",
            }
        ]
    elif "did_not_arise" not in entry:
        entry["explanation"] = "Đang bổ sung tài liệu"
    if rng.random() < 0.05 and "did_not_arise" not in entry:
        entry["appraisal"] = {
            "round1": {"score": _q(mx / 2), "reason": "Thiếu tài liệu kiểm chứng"}
        }
    return entry


def synthetic_submission(
    criteria: dict[str, Any], agency: str, rng: random.Random
) -> dict[str, Any]:
    leaves: dict[str, Any] = {}
    for f in criteria["fields"]:
        for c in f["criteria"]:
            for leaf in c["subcriteria"]:
                if not kind_of(leaf["rule"]["kind"]).self_scored:
                    continue
                leaves[leaf["code"]] = synthetic_entry(
                    leaf["rule"], leaf["max"], leaf.get("did_not_arise"), rng
                )
    leaves["T.1"] = {"count": rng.randint(0, 3), "explanation": "Sáng kiến"}
    if rng.random() < 0.1:
        leaves["TR.1"] = {"count": 1, "explanation": "Có vi phạm"}
    return {"agency": agency, "year": YEAR, "sample": True, "leaves": leaves}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe dumping (libyaml's emitter when built) with exact decimals."""


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v)))


def write_dataset(
    out: Path,
    agencies: int,
    seed: int = 0,
    leaves: int = 100,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write ``out/criteria/<year>/``, ``out/submissions/<year>/`` for ``agencies`` agencies."""
    rng = random.Random(seed)
    cdir = out / "criteria" / str(YEAR)
    sdir = out / "submissions" / str(YEAR)
    cdir.mkdir(parents=True, exist_ok=True)
    sdir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    sets = {}
    for block, name, share in BLOCKS:
        data = synthetic_set(block, name, leaves, seed)
        sets[block] = data
        (cdir / f"{block}.yaml").write_text(
            yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        counts[block] = max(1, round(agencies * share)) if agencies >= 3 else 0
    counts["xa"] = agencies - counts["so-nganh"] - counts["huyen"]
    with (
        (sdir / "agencies.csv").open("w", encoding="utf-8", newline="") as fa,
        (sdir / "surveys.csv").open("w", encoding="utf-8", newline="") as fs,
    ):
        wa = csv.writer(fa, lineterminator="\n")
        ws = csv.writer(fs, lineterminator="\n")
        wa.writerow(["id", "name", "block"])
        ws.writerow(["agency", "survey", "result", "sample_size"])
        for block, _, _ in BLOCKS:
            (sdir / block).mkdir(exist_ok=True)
            for i in range(counts[block]):
                agency = f"{block}-{i + 1:06d}"
                wa.writerow([agency, f"Đơn vị {block} số {i + 1}", block])
                sub = synthetic_submission(sets[block], agency, rng)
                (sdir / block / f"{agency}.yaml").write_text(
                    yaml.dump(sub, Dumper=_Dumper, allow_unicode=True, sort_keys=False),
                    encoding="utf-8",
                )
                for key in SURVEYS:
                    ws.writerow([agency, key, f"{rng.uniform(60, 100):.2f}", rng.randint(30, 400)])
                if progress:
                    progress(1)
    return counts


def synthetic_records(loaded: Any, agencies: int, seed: int = 0) -> tuple[Any, Any]:
    """Records (see parindex.facts) and survey results for ``agencies`` agencies of one set,
    generated column-wise with numpy — millions of rows in seconds, for the benchmarks."""
    import numpy as np
    import pandas as pd

    from parindex.units import to_cents

    rng = np.random.default_rng(seed)
    m = loaded.model
    leaves = [leaf for _, _, leaf in m.leaves() if kind_of(leaf.rule).self_scored]
    ids = np.array([f"a{i:07d}" for i in range(agencies)], dtype=object)
    cols: dict[str, list[Any]] = {
        c: []
        for c in (
            "agency",
            "leaf",
            "done",
            "date",
            "numerator",
            "denominator",
            "count",
            "level",
            "score_c",
            "round1_c",
            "round2_c",
            "did_not_arise",
            "has_evidence",
            "has_explanation",
        )
    }
    na_int = pd.array([pd.NA] * agencies, dtype="Int64")
    for leaf in leaves:
        good = rng.random(agencies) < 0.75
        cols["agency"].append(ids)
        cols["leaf"].append(np.full(agencies, leaf.code, dtype=object))
        made = kind_of(leaf.rule).sample_columns(leaf.rule, leaf.max, good, rng)
        done, num, den, count, score = (
            pd.array(made[c], dtype="Int64") if c in made else na_int
            for c in ("done", "numerator", "denominator", "count", "score_c")
        )
        date = made.get("date", pd.Series(pd.NaT, index=range(agencies), dtype="datetime64[ns]"))
        level = made.get("level", np.full(agencies, None, dtype=object))
        cols["done"].append(done)
        cols["date"].append(date.to_numpy())
        cols["numerator"].append(num)
        cols["denominator"].append(den)
        cols["count"].append(count)
        cols["level"].append(level)
        cols["score_c"].append(score)
        r1 = np.where(rng.random(agencies) < 0.05, to_cents(leaf.max) // 2, -1)
        r1_values = pd.array(r1, dtype="Int64")
        r1_values[r1 < 0] = pd.NA
        cols["round1_c"].append(r1_values)
        cols["round2_c"].append(na_int)
        cols["did_not_arise"].append(np.full(agencies, None, dtype=object))
        evidence = rng.random(agencies) < 0.9
        cols["has_evidence"].append(evidence)
        cols["has_explanation"].append(~evidence)

    # agency-major order (each agency's leaves together, as submissions come), built column by
    # column: the leaf-major parts are stacked as a leaves × agencies matrix and transposed
    def agency_major(parts: list[Any]) -> Any:
        return np.stack([np.asarray(p) for p in parts]).T.ravel()

    ints = ("done", "numerator", "denominator", "count", "score_c", "round1_c", "round2_c")
    data: dict[str, Any] = {
        # agency, leaf and level as Categoricals: the compact in-memory form (strings work too)
        "agency": pd.Categorical.from_codes(
            np.repeat(np.arange(agencies), len(leaves)), categories=pd.Index(ids, dtype=object)
        ),
        "leaf": pd.Categorical.from_codes(
            np.tile(np.arange(len(leaves)), agencies),
            categories=pd.Index([leaf.code for leaf in leaves], dtype=object),
        ),
        "level": pd.Categorical(agency_major(cols["level"])),
    }
    for c, parts in cols.items():
        if c in ints:
            data[c] = pd.arrays.IntegerArray(
                agency_major([pd.array(p).to_numpy("int64", na_value=0) for p in parts]),
                agency_major([pd.array(p).isna() for p in parts]),
            )
        elif c not in data:
            data[c] = agency_major(parts)
    frame = pd.DataFrame({c: data[c] for c in cols}, copy=False)
    survey_keys = sorted(loaded.survey_keys())
    surveys = pd.DataFrame(
        {
            "agency": np.repeat(ids, len(survey_keys)),
            "survey_key": np.tile(np.array(survey_keys, dtype=object), agencies),
            "result_u": rng.integers(600_000, 1_000_001, agencies * len(survey_keys)),
        }
    )
    return frame, surveys
