"""Write the bundled sample province (DỮ LIỆU MẪU — not real agencies' results).

Deterministic: the same criteria files and seed give byte-identical submissions. Run from the
repository root:  python scripts/make_sample.py
It reads criteria/2025/*.yaml and writes submissions/2025/ (agencies.csv, one YAML per agency,
surveys.csv) and submissions/2024/ket-qua-2024.csv (last year's published results).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from parindex.criteria import Leaf, LoadedSet, load_criteria
from parindex.rules import kind_of

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025
SEED = 2025

DEPARTMENTS = [
    ("so-noi-vu", "Sở Nội vụ", "SNV"),
    ("so-tu-phap", "Sở Tư pháp", "STP"),
    ("so-tai-chinh", "Sở Tài chính", "STC"),
    ("so-xay-dung", "Sở Xây dựng", "SXD"),
    ("so-nong-nghiep-moi-truong", "Sở Nông nghiệp và Môi trường", "SNNMT"),
    ("so-cong-thuong", "Sở Công Thương", "SCT"),
    ("so-y-te", "Sở Y tế", "SYT"),
    ("so-giao-duc-dao-tao", "Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("so-van-hoa-the-thao-du-lich", "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
    ("so-khoa-hoc-cong-nghe", "Sở Khoa học và Công nghệ", "SKHCN"),
    ("so-dan-toc-ton-giao", "Sở Dân tộc và Tôn giáo", "SDTTG"),
    ("so-ngoai-vu", "Sở Ngoại vụ", "SNgV"),
    ("thanh-tra-tinh", "Thanh tra tỉnh", "TTr"),
    ("van-phong-ubnd-tinh", "Văn phòng UBND tỉnh", "VP"),
    ("ban-quan-ly-khu-kinh-te", "Ban Quản lý Khu kinh tế", "BQLKKT"),
    ("ban-qlda-xay-dung", "Ban Quản lý dự án đầu tư xây dựng tỉnh", "BQLDA"),
    ("dai-phat-thanh-truyen-hinh", "Đài Phát thanh và Truyền hình tỉnh", "ĐPTTH"),
    ("quy-dau-tu-phat-trien", "Quỹ Đầu tư phát triển tỉnh", "QĐTPT"),
    ("trung-tam-phuc-vu-hanh-chinh-cong", "Trung tâm Phục vụ hành chính công tỉnh", "TTPVHCC"),
    ("lien-minh-hop-tac-xa", "Liên minh Hợp tác xã tỉnh", "LMHTX"),
    ("truong-cao-dang-tinh", "Trường Cao đẳng tỉnh", "TCĐ"),
    ("ban-quan-ly-cac-kcn", "Ban Quản lý các khu công nghiệp", "BQLKCN"),
]
DISTRICTS = [
    ("tp-hoa-binh", "UBND thành phố Hòa Bình", "UBND"),
    ("tx-an-phu", "UBND thị xã An Phú", "UBND"),
    ("huyen-tan-thanh", "UBND huyện Tân Thạnh", "UBND"),
    ("huyen-phu-my", "UBND huyện Phú Mỹ", "UBND"),
    ("huyen-long-hai", "UBND huyện Long Hải", "UBND"),
    ("huyen-cao-lanh", "UBND huyện Cao Lãnh", "UBND"),
    ("huyen-thap-muoi", "UBND huyện Tháp Mười", "UBND"),
    ("huyen-tam-nong", "UBND huyện Tam Nông", "UBND"),
    ("huyen-thanh-binh", "UBND huyện Thanh Bình", "UBND"),
    ("huyen-lai-vung", "UBND huyện Lai Vung", "UBND"),
    ("huyen-chau-thanh", "UBND huyện Châu Thành", "UBND"),
]
COMMUNES = [
    (f"{slug}", f"UBND {kind} {name}", "UBND")
    for slug, kind, name in [
        ("phuong-1", "phường", "Phú Lợi"),
        ("phuong-2", "phường", "Mỹ Phú"),
        ("phuong-3", "phường", "Hòa Thuận"),
        ("phuong-4", "phường", "An Bình"),
        ("phuong-5", "phường", "Tân Quy"),
        ("phuong-6", "phường", "Thới Hòa"),
        ("xa-ta-dung", "xã", "Tà Đùng"),
        ("xa-my-an", "xã", "Mỹ An"),
        ("xa-tan-hoi", "xã", "Tân Hội"),
        ("xa-binh-thanh", "xã", "Bình Thành"),
        ("xa-phong-hoa", "xã", "Phong Hòa"),
        ("xa-long-thang", "xã", "Long Thắng"),
        ("xa-tan-my", "xã", "Tân Mỹ"),
        ("xa-phu-hiep", "xã", "Phú Hiệp"),
        ("xa-an-long", "xã", "An Long"),
        ("xa-my-hiep", "xã", "Mỹ Hiệp"),
        ("xa-binh-hang", "xã", "Bình Hàng"),
        ("xa-hoa-an", "xã", "Hòa An"),
        ("xa-thanh-my", "xã", "Thanh Mỹ"),
        ("xa-truong-xuan", "xã", "Trường Xuân"),
        ("xa-my-quy", "xã", "Mỹ Quý"),
        ("xa-lang-bien", "xã", "Láng Biển"),
        ("xa-tan-kieu", "xã", "Tân Kiều"),
        ("xa-phu-cuong", "xã", "Phú Cường"),
        ("xa-an-hoa", "xã", "An Hòa"),
        ("xa-dinh-an", "xã", "Định An"),
        ("xa-vinh-thoi", "xã", "Vĩnh Thới"),
        ("xa-hoa-long", "xã", "Hòa Long"),
        ("xa-dak-som", "xã", "Đắk Som"),
        ("xa-quang-tri", "xã", "Quảng Trị"),
        ("xa-ninh-gia", "xã", "Ninh Gia"),
        ("xa-lien-hiep", "xã", "Liên Hiệp"),
    ]
]
BLOCKS = {"so-nganh": DEPARTMENTS, "huyen": DISTRICTS, "xa": COMMUNES}
ISSUERS = {"so-nganh": "{name}", "huyen": "{name}", "xa": "{name}"}
#: 2025 reorganisation: this year's agency → (change, last year's agencies)
MAPPING_2025: dict[str, tuple[str, list[str]]] = {
    "so-tai-chinh": ("merged", ["so-tai-chinh-2024", "so-ke-hoach-dau-tu"]),
    "so-nong-nghiep-moi-truong": ("merged", ["so-nong-nghiep-ptnt", "so-tai-nguyen-moi-truong"]),
    "so-xay-dung": ("merged", ["so-xay-dung-2024", "so-giao-thong-van-tai"]),
    "so-dan-toc-ton-giao": ("renamed", ["ban-dan-toc"]),
    "tx-an-phu": ("renamed", ["huyen-an-phu"]),
    "xa-quang-tri": ("merged", ["xa-quang-an", "xa-quang-loc"]),
    "trung-tam-phuc-vu-hanh-chinh-cong": ("new", []),
}
PREVIOUS_NAMES = {
    "so-tai-chinh-2024": "Sở Tài chính (trước hợp nhất)",
    "so-ke-hoach-dau-tu": "Sở Kế hoạch và Đầu tư",
    "so-nong-nghiep-ptnt": "Sở Nông nghiệp và Phát triển nông thôn",
    "so-tai-nguyen-moi-truong": "Sở Tài nguyên và Môi trường",
    "so-xay-dung-2024": "Sở Xây dựng (trước hợp nhất)",
    "so-giao-thong-van-tai": "Sở Giao thông vận tải",
    "ban-dan-toc": "Ban Dân tộc tỉnh",
    "huyen-an-phu": "UBND huyện An Phú",
    "xa-quang-an": "UBND xã Quảng An",
    "xa-quang-loc": "UBND xã Quảng Lộc",
}
#: (block, agency that copies, agency copied): identical filings → an exact tie in the ranking
TIES = [("so-nganh", "so-ngoai-vu", "so-dan-toc-ton-giao"), ("xa", "xa-my-an", "xa-tan-hoi")]


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:float", str(value))


_Dumper.add_representer(Decimal, _represent_decimal)


def _evidence(
    rng: random.Random, leaf: Leaf, agency: tuple[str, str, str], n: int, date: dt.date
) -> dict[str, Any]:
    slug, name, abbr = agency
    kind = rng.choice(["KH", "BC", "QĐ", "CV", "TB"])
    number = f"{rng.randint(5, 480)}/{kind}-{abbr}"
    titles = {
        "KH": f"Kế hoạch {leaf.name[:60].lower()} năm {YEAR}",
        "BC": f"Báo cáo kết quả {leaf.name[:60].lower()}",
        "QĐ": f"Quyết định ban hành văn bản về {leaf.name[:50].lower()}",
        "CV": f"Công văn triển khai {leaf.name[:55].lower()}",
        "TB": f"Thông báo về {leaf.name[:60].lower()}",
    }
    item: dict[str, Any] = {
        "number": number,
        "date": date,
        "issuer": name,
        "title": titles[kind],
        "location": rng.choice(
            [
                "toàn văn",
                f"trang {rng.randint(1, 9)}",
                f"mục {rng.choice(['I', 'II', 'III'])}.{rng.randint(1, 4)}",
            ]
        ),
    }
    if n % 5 == 4:
        item["url"] = f"https://vanban.tinhmau.gov.vn/{slug}/{number.replace('/', '-')}"
    else:
        item["file"] = f"minh-chung/{slug}/{number.replace('/', '-')}.pdf"
    return item


def _facts(rng: random.Random, s: LoadedSet, leaf: Leaf, quality: float) -> dict[str, Any] | None:
    """Facts for one leaf, as its rule kind makes them for the sample; ``None`` leaves it out."""
    good = rng.random() < quality
    return kind_of(leaf.rule).province_facts(leaf.rule, leaf.max, s.model.policy(leaf), good, rng)


def _appraise(
    rng: random.Random, s: LoadedSet, leaf: Leaf, facts: dict[str, Any], entry: dict[str, Any]
) -> None:
    """Panel rounds on a few leaves: lower or confirm, with a reason."""
    if not kind_of(leaf.rule).self_scored or "did_not_arise" in entry or rng.random() > 0.06:
        return
    step = getattr(leaf.rule, "step", Decimal("0.25"))  # a manual score's step
    lowered = max(Decimal(0), _q(leaf.max - step * rng.randint(1, 2)))
    entry["appraisal"] = {
        "round1": {
            "score": lowered,
            "reason": rng.choice(
                [
                    "Tài liệu kiểm chứng không thể hiện đủ nội dung theo yêu cầu",
                    "Văn bản ban hành sau thời hạn quy định",
                    "Số liệu báo cáo không khớp với Hệ thống thông tin giải quyết TTHC",
                ]
            ),
        }
    }
    if rng.random() < 0.4:
        entry["appraisal"]["round2"] = {
            "score": leaf.max if rng.random() < 0.5 else lowered,
            "reason": "Đơn vị đã giải trình và bổ sung tài liệu kiểm chứng; Hội đồng thống nhất",
        }


def make_submission(
    rng: random.Random, s: LoadedSet, agency: tuple[str, str, str], quality: float
) -> dict[str, Any]:
    leaves: dict[str, Any] = {}
    all_leaves = [leaf for _, _, leaf in s.model.leaves()]
    items = all_leaves + list(s.model.bonus.items) + list(s.model.penalty.items)
    for n, leaf in enumerate(items):
        if not kind_of(leaf.rule).self_scored:
            continue
        is_extra = leaf.code in s.extra_by_code
        if is_extra:
            section = s.extra_by_code[leaf.code][0]
            chance = quality - 0.55 if section == "bonus" else 0.9 - quality
            if rng.random() > chance:
                continue
        elif rng.random() < 0.015:
            continue  # left empty: reported, scored 0
        entry: dict[str, Any] = {}
        policy = s.model.policy(leaf)
        if not is_extra and policy != "not-allowed" and rng.random() < 0.03:
            entry["did_not_arise"] = rng.choice(
                [
                    "Trong năm không phát sinh hồ sơ thuộc phạm vi tiêu chí này",
                    "Đơn vị không được giao nhiệm vụ này trong năm đánh giá",
                    "Không có phản ánh, kiến nghị của cá nhân, tổ chức trong năm",
                ]
            )
        else:
            facts = _facts(rng, s, leaf, quality)
            if facts is None:
                continue
            entry.update(facts)
        if leaf.evidence != "none" and "did_not_arise" not in entry:
            r = rng.random()
            if r < 0.04:
                pass  # missing evidence, no explanation: reported for the panel
            elif r < 0.07:
                entry["explanation"] = (
                    "Tài liệu đang trình ký, đơn vị sẽ bổ sung trong thời gian giải trình"
                )
            else:
                when = entry.get("date") or dt.date(YEAR, rng.randint(1, 11), rng.randint(1, 28))
                entry["evidence"] = [_evidence(rng, leaf, agency, n, when)]
        _appraise(rng, s, leaf, entry, entry)
        leaves[leaf.code] = entry
    return {"agency": agency[0], "year": YEAR, "sample": True, "leaves": leaves}


def main() -> None:
    rng = random.Random(SEED)
    sets = {
        p.stem: load_criteria(p) for p in sorted((ROOT / "criteria" / str(YEAR)).glob("*.yaml"))
    }
    out = ROOT / "submissions" / str(YEAR)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    agencies_rows = []
    survey_rows = []
    generated: dict[str, dict[str, Any]] = {}
    survey_by_agency: dict[str, dict[str, Decimal]] = {}
    for block, agencies in BLOCKS.items():
        s = sets[block]
        keys = (kind_of(leaf.rule).survey_key(leaf.rule) for _, _, leaf in s.model.leaves())
        survey_keys = sorted({key for key in keys if key})
        (out / block).mkdir()
        for agency in agencies:
            slug, name, _ = agency
            agencies_rows.append({"id": slug, "name": name, "block": block})
            quality = rng.uniform(0.55, 0.97)
            generated[slug] = make_submission(rng, s, agency, quality)
            survey_by_agency[slug] = {
                key: Decimal(str(round(rng.uniform(70 + 20 * quality, 99.5), rng.choice([1, 2]))))
                for key in survey_keys
            }
        for tie_block, copier, copied in TIES:
            if tie_block == block:
                clone = yaml.safe_load(yaml.dump(generated[copied], Dumper=_Dumper))
                clone["agency"] = copier
                generated[copier] = clone
                survey_by_agency[copier] = dict(survey_by_agency[copied])
        for agency in agencies:
            slug = agency[0]
            text = yaml.dump(
                generated[slug], Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
            )
            header = (
                f"# Hồ sơ tự đánh giá năm {YEAR} — {agency[1]}\n"
                "# DỮ LIỆU MẪU: tỉnh mẫu, do scripts/make_sample.py sinh ra; không phải số liệu"
                " thật.\n"
            )
            (out / block / f"{slug}.yaml").write_text(header + text, encoding="utf-8")
            for key, value in survey_by_agency[slug].items():
                survey_rows.append(
                    {
                        "agency": slug,
                        "survey": key,
                        "result": value,
                        "sample_size": rng.randint(60, 400),
                    }
                )
    # one commune has no result for one survey yet (reported, scored 0)
    survey_rows = [
        r
        for r in survey_rows
        if not (r["agency"] == "xa-lien-hiep" and r["survey"] == "khao-sat-lanh-dao")
    ]
    with (out / "agencies.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "name", "block"], lineterminator="\n")
        w.writeheader()
        w.writerows(agencies_rows)
    with (out / "surveys.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(
            fh, fieldnames=["agency", "survey", "result", "sample_size"], lineterminator="\n"
        )
        w.writeheader()
        w.writerows(survey_rows)
    # last year's published results (for the year-over-year comparison), in parindex's own
    # CSV columns; the 2025 reorganisation merged departments and communes (mapping.csv)
    last = ROOT / "submissions" / str(YEAR - 1)
    last.mkdir(exist_ok=True)
    previous_agencies: dict[str, list[tuple[str, str]]] = {}
    for block, agencies in BLOCKS.items():
        previous_agencies[block] = [
            (slug, name) for slug, name, _ in agencies if slug not in MAPPING_2025
        ]
    for slug, (_change, before) in MAPPING_2025.items():
        block = next(b for b, ags in BLOCKS.items() if any(a[0] == slug for a in ags))
        previous_agencies[block] += [(p, PREVIOUS_NAMES[p]) for p in before]
    rows = []
    for block, agencies_prev in previous_agencies.items():
        scored = [
            (Decimal(str(round(rng.uniform(68, 95), 2))), slug, name)
            for slug, name in agencies_prev
        ]
        scored.sort(key=lambda t: (-t[0], t[2]))
        for i, (index, slug, name) in enumerate(scored, start=1):
            rows.append(
                {
                    "year": YEAR - 1,
                    "block": block,
                    "rank": i,
                    "agency": slug,
                    "name": name,
                    "index": f"{index:.2f}",
                }
            )
    with (last / f"ket-qua-{YEAR - 1}.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(
            fh, fieldnames=["year", "block", "rank", "agency", "name", "index"], lineterminator="\n"
        )
        w.writeheader()
        w.writerows(rows)
    with (out / "mapping.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["agency", "previous", "change"], lineterminator="\n")
        w.writeheader()
        for slug, (change, before) in MAPPING_2025.items():
            w.writerow({"agency": slug, "previous": ";".join(before), "change": change})
    print(f"Đã ghi {len(agencies_rows)} hồ sơ mẫu vào {out}")


if __name__ == "__main__":
    main()
