"""Write the bundled sample province (DỮ LIỆU MẪU — not real agencies' results).

Two years, either side of the 2025 reorganisation: 2024 with its three blocks (sở, ban, ngành;
UBND cấp huyện; UBND cấp xã) and its published results, 2025 after it (sở, ban, ngành; phường;
xã và đặc khu) with the lineage file joining the two. Deterministic: the same criteria files and
seed give byte-identical files. Run from the repository root:  python scripts/make_sample.py

It reads criteria/<year>/*.yaml and writes:
- criteria/2025/phuong.yaml, copied from criteria/2025/xa.yaml (one commune/ward set, two blocks);
- submissions/<year>/ for 2024 and 2025: agencies.csv (with each unit's type), one YAML per
  agency, surveys.csv;
- submissions/2024/ket-qua-2024.csv: the 2024 results as parindex publishes them (the rows of
  ``parindex score --csv --year 2024``), which 2025 reads as last year's;
- submissions/2025/lineage.csv: the reorganisation, old unit → new unit (docs/outputs.md);
- submissions/2025/ke-hoach-cchc-2025.xlsx: the province's CCHC plan appendix (docs/plan.md).
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
from parindex.dataset import load_year
from parindex.export import csv_rows
from parindex.results import score_dataset
from parindex.rules import kind_of

ROOT = Path(__file__).resolve().parent.parent
SEED = 2025
YEARS = (2024, 2025)

#: a unit: (id, name, abbreviation on its documents, unit type — parindex.lineage.UNIT_TYPES)
Unit = tuple[str, str, str, str]


def _units(kind: str, rows: list[tuple[str, str, str]]) -> list[Unit]:
    return [(slug, name, abbr, kind) for slug, name, abbr in rows]


def _local(rows: list[tuple[str, str, str]]) -> list[Unit]:
    """Communes, wards, townships and special zones: the unit type follows the name."""
    kinds = {"phường": "phuong", "đặc khu": "dac-khu"}
    return [
        (slug, f"UBND {kind} {name}", "UBND", kinds.get(kind, "ubnd-xa"))
        for slug, kind, name in rows
    ]


# ------------------------------------------------------------------- 2024, before the merger
DEPARTMENTS_2024 = _units(
    "so-nganh",
    [
        ("so-noi-vu", "Sở Nội vụ", "SNV"),
        ("so-tu-phap", "Sở Tư pháp", "STP"),
        ("so-tai-chinh", "Sở Tài chính", "STC"),
        ("so-ke-hoach-dau-tu", "Sở Kế hoạch và Đầu tư", "SKHĐT"),
        ("so-xay-dung", "Sở Xây dựng", "SXD"),
        ("so-giao-thong-van-tai", "Sở Giao thông vận tải", "SGTVT"),
        ("so-tai-nguyen-moi-truong", "Sở Tài nguyên và Môi trường", "STNMT"),
        ("so-nong-nghiep-ptnt", "Sở Nông nghiệp và Phát triển nông thôn", "SNNPTNT"),
        ("so-cong-thuong", "Sở Công Thương", "SCT"),
        ("so-y-te", "Sở Y tế", "SYT"),
        ("so-lao-dong-tbxh", "Sở Lao động – Thương binh và Xã hội", "SLĐTBXH"),
        ("so-giao-duc-dao-tao", "Sở Giáo dục và Đào tạo", "SGDĐT"),
        ("so-van-hoa-the-thao-du-lich", "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
        ("so-khoa-hoc-cong-nghe", "Sở Khoa học và Công nghệ", "SKHCN"),
        ("so-thong-tin-truyen-thong", "Sở Thông tin và Truyền thông", "STTTT"),
        ("ban-dan-toc", "Ban Dân tộc tỉnh", "BDT"),
        ("so-ngoai-vu", "Sở Ngoại vụ", "SNgV"),
        ("thanh-tra-tinh", "Thanh tra tỉnh", "TTr"),
        ("van-phong-ubnd-tinh", "Văn phòng UBND tỉnh", "VP"),
        ("ban-quan-ly-khu-kinh-te", "Ban Quản lý Khu kinh tế", "BQLKKT"),
    ],
)
DISTRICTS_2024 = _units(
    "ubnd-huyen",
    [
        (slug, f"UBND {kind} {name}", "UBND")
        for slug, kind, name in [
            ("tp-hoa-binh", "thành phố", "Hòa Bình"),
            ("tx-an-phu", "thị xã", "An Phú"),
            ("huyen-tan-thanh", "huyện", "Tân Thạnh"),
            ("huyen-phu-my", "huyện", "Phú Mỹ"),
            ("huyen-long-hai", "huyện", "Long Hải"),
            ("huyen-cao-lanh", "huyện", "Cao Lãnh"),
            ("huyen-thap-muoi", "huyện", "Tháp Mười"),
            ("huyen-tam-nong", "huyện", "Tam Nông"),
            ("huyen-lai-vung", "huyện", "Lai Vung"),
            ("huyen-hon-may", "huyện", "Hòn Mây"),  # huyện đảo, không có đơn vị hành chính cấp xã
        ]
    ],
)
COMMUNES_2024 = _local(
    [
        # thành phố Hòa Bình
        ("phuong-phu-loi", "phường", "Phú Lợi"),
        ("phuong-my-phu", "phường", "Mỹ Phú"),
        ("phuong-hoa-thuan", "phường", "Hòa Thuận"),
        ("phuong-an-binh", "phường", "An Bình"),
        ("phuong-tan-quy", "phường", "Tân Quy"),
        ("phuong-thoi-hoa", "phường", "Thới Hòa"),
        ("xa-my-tan", "xã", "Mỹ Tân"),
        ("xa-hoa-an", "xã", "Hòa An"),
        # thị xã An Phú
        ("phuong-an-phu", "phường", "An Phú"),
        ("phuong-an-lac", "phường", "An Lạc"),
        ("phuong-an-thanh", "phường", "An Thạnh"),
        ("xa-an-hoa", "xã", "An Hòa"),
        ("xa-an-long", "xã", "An Long"),
        # huyện Tân Thạnh
        ("tt-tan-thanh", "thị trấn", "Tân Thạnh"),
        ("xa-tan-hoi", "xã", "Tân Hội"),
        ("xa-tan-my", "xã", "Tân Mỹ"),
        ("xa-tan-kieu", "xã", "Tân Kiều"),
        ("xa-binh-thanh", "xã", "Bình Thành"),
        # huyện Phú Mỹ
        ("tt-phu-my", "thị trấn", "Phú Mỹ"),
        ("xa-phu-hiep", "xã", "Phú Hiệp"),
        ("xa-phu-cuong", "xã", "Phú Cường"),
        ("xa-my-hiep", "xã", "Mỹ Hiệp"),
        # huyện Long Hải
        ("tt-long-hai", "thị trấn", "Long Hải"),
        ("xa-long-thang", "xã", "Long Thắng"),
        ("xa-phong-hoa", "xã", "Phong Hòa"),
        # huyện Cao Lãnh
        ("tt-my-tho", "thị trấn", "Mỹ Thọ"),
        ("xa-my-an", "xã", "Mỹ An"),
        ("xa-my-quy", "xã", "Mỹ Quý"),
        ("xa-thanh-my", "xã", "Thanh Mỹ"),
        ("xa-ninh-gia", "xã", "Ninh Gia"),
        ("xa-lien-hiep", "xã", "Liên Hiệp"),
        # huyện Tháp Mười
        ("xa-truong-xuan", "xã", "Trường Xuân"),
        ("xa-lang-bien", "xã", "Láng Biển"),
        ("xa-dinh-an", "xã", "Định An"),
        # huyện Tam Nông
        ("xa-quang-an", "xã", "Quảng An"),
        ("xa-quang-loc", "xã", "Quảng Lộc"),
        ("xa-vinh-thoi", "xã", "Vĩnh Thới"),
        # huyện Lai Vung
        ("tt-lai-vung", "thị trấn", "Lai Vung"),
        ("xa-hoa-long", "xã", "Hòa Long"),
        ("xa-ta-dung", "xã", "Tà Đùng"),
        ("xa-dak-som", "xã", "Đắk Som"),
    ]
)

# ---------------------------------------------- 2025, after the reorganisation (two-tier)
DEPARTMENTS_2025 = _units(
    "so-nganh",
    [
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
        (
            "ban-quan-ly-khu-kinh-te",
            "Ban Quản lý Khu kinh tế và các khu công nghiệp",
            "BQLKKT",
        ),
        ("trung-tam-phuc-vu-hanh-chinh-cong", "Trung tâm Phục vụ hành chính công tỉnh", "TTPVHCC"),
    ],
)
WARDS_2025 = _local(
    [
        ("phuong-hoa-binh", "phường", "Hòa Bình"),
        ("phuong-hoa-thuan", "phường", "Hòa Thuận"),
        ("phuong-tan-quy", "phường", "Tân Quy"),
        ("phuong-thoi-hoa", "phường", "Thới Hòa"),
        ("phuong-an-phu", "phường", "An Phú"),
        ("phuong-an-thanh", "phường", "An Thạnh"),
    ]
)
COMMUNES_2025 = _local(
    [
        ("xa-an-long", "xã", "An Long"),
        ("xa-tan-thanh", "xã", "Tân Thạnh"),
        ("xa-tan-kieu", "xã", "Tân Kiều"),
        ("xa-phu-my", "xã", "Phú Mỹ"),
        ("xa-phu-cuong", "xã", "Phú Cường"),
        ("xa-long-hai", "xã", "Long Hải"),
        ("xa-my-tho", "xã", "Mỹ Thọ"),
        ("xa-my-an", "xã", "Mỹ An"),
        ("xa-tan-ninh", "xã", "Tân Ninh"),
        ("xa-lien-hiep", "xã", "Liên Hiệp"),
        ("xa-truong-xuan", "xã", "Trường Xuân"),
        ("xa-dinh-an", "xã", "Định An"),
        ("xa-quang-tri", "xã", "Quảng Trị"),
        ("xa-vinh-thoi", "xã", "Vĩnh Thới"),
        ("xa-lai-vung", "xã", "Lai Vung"),
        ("xa-ta-dung", "xã", "Tà Đùng"),
        ("dac-khu-hon-may", "đặc khu", "Hòn Mây"),
    ]
)
UNITS: dict[int, dict[str, list[Unit]]] = {
    2024: {"so-nganh": DEPARTMENTS_2024, "huyen": DISTRICTS_2024, "xa": COMMUNES_2024},
    2025: {"so-nganh": DEPARTMENTS_2025, "phuong": WARDS_2025, "xa": COMMUNES_2025},
}

# ------------------------------------------------------- the lineage (lịch sử sắp xếp đơn vị)
DEPARTMENTS_BASIS = "Nghị quyết của HĐND tỉnh về thành lập, tổ chức lại các sở (minh họa)"
CENTRE_BASIS = (
    "Quyết định của UBND tỉnh thành lập Trung tâm Phục vụ hành chính công tỉnh (minh họa)"
)
COMMUNES_BASIS = (
    "Nghị quyết của Ủy ban Thường vụ Quốc hội về sắp xếp ĐVHC cấp xã của Tỉnh mẫu năm 2025"
    " (minh họa)"
)
DISTRICTS_BASIS = "Luật Tổ chức chính quyền địa phương năm 2025: cấp huyện kết thúc hoạt động"
MARCH, JULY = "01/03/2025", "01/07/2025"
#: (old, new, change, date, basis): the departments merged on 01/03/2025; the districts
#: dissolved and the communes, wards and townships merged on 01/07/2025
LINEAGE: list[tuple[str, str, str, str, str]] = [
    ("so-ke-hoach-dau-tu", "so-tai-chinh", "merged", MARCH, DEPARTMENTS_BASIS),
    ("so-giao-thong-van-tai", "so-xay-dung", "merged", MARCH, DEPARTMENTS_BASIS),
    ("so-tai-nguyen-moi-truong", "so-nong-nghiep-moi-truong", "merged", MARCH, DEPARTMENTS_BASIS),
    ("so-nong-nghiep-ptnt", "so-nong-nghiep-moi-truong", "merged", MARCH, DEPARTMENTS_BASIS),
    ("so-thong-tin-truyen-thong", "so-khoa-hoc-cong-nghe", "merged", MARCH, DEPARTMENTS_BASIS),
    ("so-lao-dong-tbxh", "so-noi-vu", "split", MARCH, DEPARTMENTS_BASIS),
    ("so-lao-dong-tbxh", "so-y-te", "split", MARCH, DEPARTMENTS_BASIS),
    ("ban-dan-toc", "so-dan-toc-ton-giao", "renamed", MARCH, DEPARTMENTS_BASIS),
    ("ban-quan-ly-khu-kinh-te", "ban-quan-ly-khu-kinh-te", "renamed", MARCH, DEPARTMENTS_BASIS),
    ("", "trung-tam-phuc-vu-hanh-chinh-cong", "new", JULY, CENTRE_BASIS),
    *[
        (slug, "", "dissolved", JULY, DISTRICTS_BASIS)
        for slug, *_ in DISTRICTS_2024
        if slug != "huyen-hon-may"
    ],
    ("huyen-hon-may", "dac-khu-hon-may", "renamed", JULY, COMMUNES_BASIS),
    *[
        (old, new, change, JULY, COMMUNES_BASIS)
        for new, olds, change in [
            ("phuong-hoa-binh", ["phuong-phu-loi", "phuong-my-phu", "xa-my-tan"], "merged"),
            ("phuong-hoa-thuan", ["phuong-an-binh"], "merged"),
            ("phuong-tan-quy", ["xa-hoa-an"], "merged"),
            ("phuong-an-phu", ["phuong-an-lac"], "merged"),
            ("phuong-an-thanh", ["xa-an-hoa"], "merged"),
            ("xa-tan-thanh", ["tt-tan-thanh", "xa-tan-hoi", "xa-tan-my"], "merged"),
            ("xa-tan-thanh", ["xa-binh-thanh"], "split"),
            ("xa-tan-kieu", ["xa-binh-thanh"], "split"),
            ("xa-phu-my", ["tt-phu-my", "xa-phu-hiep"], "merged"),
            ("xa-phu-cuong", ["xa-my-hiep"], "merged"),
            ("xa-long-hai", ["tt-long-hai", "xa-long-thang", "xa-phong-hoa"], "merged"),
            ("xa-my-tho", ["tt-my-tho", "xa-my-quy", "xa-thanh-my"], "merged"),
            ("xa-tan-ninh", ["xa-ninh-gia"], "renamed"),
            ("xa-truong-xuan", ["xa-lang-bien"], "merged"),
            ("xa-quang-tri", ["xa-quang-an", "xa-quang-loc"], "merged"),
            ("xa-lai-vung", ["tt-lai-vung", "xa-hoa-long"], "merged"),
            ("xa-ta-dung", ["xa-dak-som"], "merged"),
        ]
        for old in olds
    ],
]
#: (block, agency that copies, agency copied): identical filings → an exact tie in the ranking
TIES = {
    2025: [("so-nganh", "so-ngoai-vu", "so-dan-toc-ton-giao"), ("xa", "xa-my-an", "xa-vinh-thoi")]
}
#: a leaf an agency declares "did not arise" (policy excluded): xa-quang-an's applicable
#: maximum in 2024 is below xa-quang-loc's, and both merged into xa-quang-tri
NOT_ARISEN = {2024: {"xa-quang-an": "1.3.2"}}
NOT_ARISEN_REASON = "Xã không có bộ phận chuyên môn trực thuộc để kiểm tra trong năm"
#: agencies whose filings are all good (quality 1): the top bands ("Xuất sắc") are reached
STRONG = {2025: {"so-tu-phap", "phuong-thoi-hoa", "xa-phu-my"}}
#: a survey result not yet received (reported, scored 0)
MISSING_SURVEY = {2025: ("xa-lien-hiep", "khao-sat-lanh-dao")}
#: 2025: one commune/ward set for two blocks — criteria/2025/phuong.yaml is written from xa.yaml
SHARED_SET = ("xa", "phuong")
SHARED_CHANGES = [
    (
        "# Bộ tiêu chí xác định Chỉ số CCHC năm 2025 của UBND cấp xã (xã, phường, đặc khu): khối Xã và"
        " đặc khu.\n",
        "# Bộ tiêu chí xác định Chỉ số CCHC năm 2025 của UBND cấp xã (xã, phường, đặc khu): khối Phường.\n"
        "# TỆP SINH RA: scripts/make_sample.py chép từ criteria/2025/xa.yaml (chỉ khác id, block,\n"
        "# block_name, title); sửa xa.yaml rồi chạy lại, đừng sửa tệp này.\n",
    ),
    ("id: xa-2025\n", "id: phuong-2025\n"),
    ("block: xa\n", "block: phuong\n"),
    ('block_name: "Xã và đặc khu"\n', 'block_name: "Phường"\n'),
    ("năm 2025 của UBND xã, đặc khu — Tỉnh mẫu", "năm 2025 của UBND phường — Tỉnh mẫu"),
]


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:float", str(value))


_Dumper.add_representer(Decimal, _represent_decimal)


def _evidence(
    rng: random.Random,
    leaf: Leaf,
    unit: Unit,
    n: int,
    date: dt.date,
    year: int,
    used: set[int],
) -> dict[str, Any]:
    """One document cited for ``leaf``; ``used`` holds the unit's numbers so far: a unit numbers
    its documents once each (the next free number is taken, without another draw)."""
    slug, name, abbr, _ = unit
    kind = rng.choice(["KH", "BC", "QĐ", "CV", "TB"])
    serial = rng.randint(5, 480)
    while serial in used:
        serial += 1
    used.add(serial)
    number = f"{serial}/{kind}-{abbr}"
    titles = {
        "KH": f"Kế hoạch {leaf.name[:60].lower()} năm {year}",
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


def _own_documents(filing: dict[str, Any], copied: Unit, copier: Unit) -> None:
    """A copied filing's documents made the copier's own (its issuer, symbol and files): the
    same facts, not the other unit's documents (which the panel's hints would rightly flag)."""
    old_slug, old_name, old_abbr, _ = copied
    slug, name, abbr, _ = copier
    for entry in filing["leaves"].values():
        for item in entry.get("evidence", []):
            item["number"] = item["number"].replace(f"-{old_abbr}", f"-{abbr}")
            item["issuer"] = name
            for key in ("file", "url"):
                if key in item:
                    item[key] = (
                        item[key]
                        .replace(f"/{old_slug}/", f"/{slug}/")
                        .replace(f"-{old_abbr}", f"-{abbr}")
                    )


def make_submission(
    rng: random.Random, s: LoadedSet, unit: Unit, quality: float, year: int
) -> dict[str, Any]:
    leaves: dict[str, Any] = {}
    used: set[int] = set()  # the unit's document numbers
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
                when = entry.get("date") or dt.date(year, rng.randint(1, 11), rng.randint(1, 28))
                entry["evidence"] = [_evidence(rng, leaf, unit, n, when, year, used)]
        _appraise(rng, s, leaf, entry, entry)
        leaves[leaf.code] = entry
    return {"agency": unit[0], "year": year, "sample": True, "leaves": leaves}


def write_shared_set() -> None:
    """criteria/2025/phuong.yaml: the commune/ward set of xa.yaml, for the ward block."""
    source, target = SHARED_SET
    cdir = ROOT / "criteria" / "2025"
    text = (cdir / f"{source}.yaml").read_text(encoding="utf-8")
    for old, new in SHARED_CHANGES:
        if text.count(old) != 1:
            raise SystemExit(f"criteria/2025/{source}.yaml: không thấy đúng một lần: {old!r}")
        text = text.replace(old, new)
    (cdir / f"{target}.yaml").write_text(text, encoding="utf-8")


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write_year(rng: random.Random, year: int) -> int:
    """One year's agencies, submissions and survey results; returns the number of agencies."""
    sets = {
        p.stem: load_criteria(p) for p in sorted((ROOT / "criteria" / str(year)).glob("*.yaml"))
    }
    out = ROOT / "submissions" / str(year)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    agencies_rows = []
    survey_rows = []
    generated: dict[str, dict[str, Any]] = {}
    survey_by_agency: dict[str, dict[str, Decimal]] = {}
    for block, units in UNITS[year].items():
        s = sets[block]
        keys = (kind_of(leaf.rule).survey_key(leaf.rule) for _, _, leaf in s.model.leaves())
        survey_keys = sorted({key for key in keys if key})
        (out / block).mkdir()
        by_slug = {unit[0]: unit for unit in units}
        for unit in units:
            slug, name, _, unit_type = unit
            agencies_rows.append({"id": slug, "name": name, "block": block, "type": unit_type})
            quality = rng.uniform(0.55, 0.97)
            if slug in STRONG.get(year, ()):
                quality = 1.0
            generated[slug] = make_submission(rng, s, unit, quality, year)
            survey_by_agency[slug] = {
                key: Decimal(str(round(rng.uniform(70 + 20 * quality, 99.5), rng.choice([1, 2]))))
                for key in survey_keys
            }
        for slug, code in NOT_ARISEN.get(year, {}).items():
            if slug in generated:
                generated[slug]["leaves"][code] = {"did_not_arise": NOT_ARISEN_REASON}
        for tie_block, copier, copied in TIES.get(year, []):
            if tie_block == block:
                clone = yaml.safe_load(yaml.dump(generated[copied], Dumper=_Dumper))
                clone["agency"] = copier
                _own_documents(clone, by_slug[copied], by_slug[copier])
                generated[copier] = clone
                survey_by_agency[copier] = dict(survey_by_agency[copied])
        for slug, name, _, _ in units:
            text = yaml.dump(
                generated[slug], Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
            )
            header = (
                f"# Hồ sơ tự đánh giá năm {year} — {name}\n"
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
    missing = MISSING_SURVEY.get(year)
    survey_rows = [r for r in survey_rows if (r["agency"], r["survey"]) != missing]
    _write_csv(out / "agencies.csv", ["id", "name", "block", "type"], agencies_rows)
    _write_csv(out / "surveys.csv", ["agency", "survey", "result", "sample_size"], survey_rows)
    return len(agencies_rows)


def write_published(year: int) -> None:
    """``ket-qua-<year>.csv``: the year's results as ``parindex score --csv`` writes them."""
    results = score_dataset(load_year(ROOT, year))
    if not results.report.valid or results.missing_submissions():
        raise SystemExit(f"Dữ liệu mẫu năm {year} chưa hợp lệ: không ghi kết quả công bố.")
    path = ROOT / "submissions" / str(year) / f"ket-qua-{year}.csv"
    path.write_text(csv_rows(results), encoding="utf-8")


def write_lineage(year: int) -> None:
    """``lineage.csv``: one row per (old unit, new unit) link of the year's reorganisation."""
    names = {slug: name for units in UNITS[year].values() for slug, name, _, _ in units}
    before = {slug for units in UNITS[year - 1].values() for slug, *_ in units}
    links: list[tuple[str, str, str, str, str]] = []
    for old, new, change, date, basis in LINEAGE:
        # a unit that receives others and keeps its own code says so in a row of its own
        # (X → X), so that the file reads alone, without last year's list beside it
        kept = (new, new, change, date, basis)
        if change == "merged" and new in before and kept not in links:
            links.append(kept)
        links.append((old, new, change, date, basis))
    rows = [
        {
            "old": old,
            "new": new,
            "change": change,
            "date": date,
            "name": names.get(new, ""),
            "basis": basis,
        }
        for old, new, change, date, basis in links
    ]
    columns = ["old", "new", "change", "date", "name", "basis"]
    _write_csv(ROOT / "submissions" / str(year) / "lineage.csv", columns, rows)


# ----------------------------------------------------------------------------- the CCHC plan
#: the province's 2025 CCHC plan appendix (DỮ LIỆU MẪU): tasks taken from the seeds' plans
#: (/work/shared/seeds), grouped by reform area, led by the sample units; each time text and
#: lead cell layout the reader accepts appears at least once (docs/plan.md)
PLAN_AREAS: list[tuple[str, str, list[tuple[str, str, str, str, str]]]] = [
    (
        "I",
        "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH",
        [
            (
                "Ban hành Kế hoạch CCHC năm 2025 của cơ quan, đơn vị",
                "Kế hoạch CCHC năm 2025",
                "15/01/2025",
                "Các sở, ngành tỉnh và UBND cấp xã",
                "Sở Nội vụ",
            ),
            (
                "Báo cáo CCHC định kỳ quý, 6 tháng, năm gửi Sở Nội vụ",
                "Báo cáo CCHC",
                "Thường xuyên trong năm",
                "Các sở, ngành tỉnh",
                "Văn phòng UBND tỉnh",
            ),
            (
                "Kiểm tra công tác CCHC tại các cơ quan, đơn vị",
                "Kết luận kiểm tra",
                "Quý III/2025",
                "Sở Nội vụ",
                "Các sở, ngành tỉnh",
            ),
            (
                "Tuyên truyền CCHC trên Cổng thông tin điện tử và mạng xã hội",
                "Tin, bài tuyên truyền",
                "Trong năm 2025",
                "Sở Văn hóa, Thể thao và Du lịch",
                "Các cơ quan, đơn vị",
            ),
            (
                "Tổ chức Hội thi tìm hiểu CCHC năm 2025",
                "Kế hoạch và kết quả hội thi",
                "Quý II/2025",
                "Sở Nội vụ; Sở Văn hóa, Thể thao và Du lịch",
                "",
            ),
        ],
    ),
    (
        "II",
        "CẢI CÁCH THỂ CHẾ",
        [
            (
                "Rà soát, hệ thống hóa văn bản quy phạm pháp luật của tỉnh",
                "Báo cáo kết quả rà soát",
                "Quý I/2025",
                "Sở Tư pháp",
                "Các sở, ngành tỉnh",
            ),
            (
                "Xây dựng, ban hành văn bản QPPL theo Chương trình năm 2025",
                "Văn bản QPPL được ban hành",
                "Năm 2025",
                "Sở Tư pháp",
                "Các sở, ngành tỉnh",
            ),
            (
                "Kiểm tra văn bản QPPL do UBND cấp xã ban hành",
                "Kết luận kiểm tra văn bản",
                "6 tháng đầu năm",
                "Sở Tư pháp",
                "UBND các xã, phường",
            ),
            (
                "Theo dõi tình hình thi hành pháp luật về đất đai",
                "Báo cáo theo dõi thi hành pháp luật",
                "Tháng 10/2025",
                "Sở Nông nghiệp và Môi trường",
                "Sở Tư pháp",
            ),
        ],
    ),
    (
        "III",
        "CẢI CÁCH THỦ TỤC HÀNH CHÍNH",
        [
            (
                "Công bố, công khai thủ tục hành chính mới, sửa đổi, bổ sung",
                "Quyết định công bố TTHC",
                "Thường xuyên",
                "Các sở, ngành tỉnh",
                "Văn phòng UBND tỉnh",
            ),
            (
                "Rà soát, đơn giản hóa thủ tục hành chính năm 2025",
                "Phương án đơn giản hóa TTHC",
                "Quý II/2025",
                "Văn phòng UBND tỉnh",
                "Các sở, ngành tỉnh",
            ),
            (
                "Tiếp nhận, xử lý phản ánh, kiến nghị về quy định hành chính",
                "Báo cáo kết quả xử lý",
                "Thường xuyên trong năm",
                "Văn phòng UBND tỉnh",
                "",
            ),
            (
                "Giải quyết TTHC tại Bộ phận Một cửa cấp xã đúng hạn",
                "Báo cáo tình hình giải quyết TTHC",
                "Thường xuyên trong năm",
                "UBND các xã, phường",
                "Trung tâm Phục vụ hành chính công tỉnh",
            ),
            (
                "Xin lỗi người dân khi giải quyết hồ sơ trễ hạn",
                "Văn bản xin lỗi",
                "Thường xuyên",
                "UBND cấp xã",
                "",
            ),
            (
                "Số hóa hồ sơ, kết quả giải quyết TTHC đạt tỷ lệ 80 %",
                "Báo cáo tỷ lệ số hóa",
                "Tháng 11/2025",
                "Trung tâm Phục vụ hành chính công tỉnh",
                "Sở Khoa học và Công nghệ",
            ),
        ],
    ),
    (
        "IV",
        "CẢI CÁCH TỔ CHỨC BỘ MÁY HÀNH CHÍNH NHÀ NƯỚC",
        [
            (
                "Sắp xếp tổ chức bộ máy các cơ quan chuyên môn thuộc UBND tỉnh",
                "Đề án sắp xếp",
                "Quý I/2025",
                "Sở Nội vụ",
                "Các sở, ngành tỉnh",
            ),
            (
                "Ban hành quy định chức năng, nhiệm vụ của cơ quan sau sắp xếp",
                "Quyết định quy định chức năng",
                "30/04/2025",
                "Các sở, ngành tỉnh",
                "Sở Nội vụ",
            ),
            (
                "Kiện toàn tổ chức bộ máy UBND xã, phường sau sắp xếp",
                "Quyết định kiện toàn",
                "Quý III/2025",
                "UBND xã An Long, UBND xã Tân Thạnh\nUBND phường Hòa Bình",
                "Sở Nội vụ",
            ),
            (
                "Rà soát vị trí việc làm, biên chế năm 2025",
                "Báo cáo rà soát vị trí việc làm",
                "Quý IV/2025",
                "Sở Nội vụ",
                "",
            ),
        ],
    ),
    (
        "V",
        "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ",
        [
            (
                "Đánh giá, xếp loại chất lượng cán bộ, công chức năm 2025",
                "Quyết định xếp loại",
                "Tháng 12/2025",
                "Các sở, ngành tỉnh và UBND cấp xã",
                "Sở Nội vụ",
            ),
            (
                "Đào tạo, bồi dưỡng cán bộ, công chức cấp xã",
                "Kế hoạch và báo cáo đào tạo",
                "Trong năm 2025",
                "Sở Nội vụ",
                "UBND các xã, phường",
            ),
            (
                "Kiểm tra kỷ luật, kỷ cương hành chính tại cơ quan, đơn vị",
                "Thông báo kết quả kiểm tra",
                "Quý II/2025",
                "Thanh tra tỉnh",
                "Sở Nội vụ",
            ),
        ],
    ),
    (
        "VI",
        "CẢI CÁCH TÀI CHÍNH CÔNG",
        [
            (
                "Giao quyền tự chủ tài chính cho đơn vị sự nghiệp công lập",
                "Quyết định giao tự chủ",
                "Quý II/2025",
                "Sở Tài chính",
                "Các sở, ngành tỉnh",
            ),
            (
                "Công khai ngân sách, quyết toán ngân sách theo quy định",
                "Quyết định công khai ngân sách",
                "Thường xuyên",
                "Sở Tài chính",
                "",
            ),
            (
                "Giải ngân vốn đầu tư công đạt kế hoạch năm 2025",
                "Báo cáo giải ngân",
                "Trước ngày 31/12/2025",
                "Sở Tài chính; Sở Xây dựng",
                "Các sở, ngành tỉnh",
            ),
        ],
    ),
    (
        "VII",
        "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ",
        [
            (
                "Vận hành Hệ thống thông tin giải quyết TTHC của tỉnh",
                "Hệ thống vận hành ổn định",
                "Thường xuyên trong năm",
                "Sở Khoa học và Công nghệ",
                "Trung tâm Phục vụ hành chính công tỉnh",
            ),
            (
                "Xử lý văn bản, hồ sơ công việc trên môi trường điện tử",
                "Báo cáo tỷ lệ văn bản điện tử",
                "Thường xuyên",
                "Các sở, ngành tỉnh",
                "Sở Khoa học và Công nghệ",
            ),
            (
                "Cung cấp dịch vụ công trực tuyến toàn trình",
                "Danh mục dịch vụ công trực tuyến",
                "Quý III/2025",
                "Sở Khoa học và Công nghệ",
                "Văn phòng UBND tỉnh",
            ),
            (
                "Bảo đảm an toàn thông tin mạng cho hệ thống của tỉnh",
                "Báo cáo an toàn thông tin",
                "6 tháng đầu năm",
                "Sở Khoa học và Công nghệ",
                "",
            ),
            (
                "Triển khai Đề án 06 tại cấp xã",
                "Báo cáo kết quả Đề án 06",
                "Tháng 9/2025",
                "UBND các xã, phường",
                "Sở Khoa học và Công nghệ",
            ),
        ],
    ),
]
PLAN_HEADER = [
    "STT",
    "Nhiệm vụ",
    "Sản phẩm cụ thể",
    "Thời gian\nthực hiện",
    "Cơ quan\nchủ trì",
    "Cơ quan phối hợp",
]


def write_plan(year: int) -> None:
    """submissions/<year>/ke-hoach-cchc-<year>.xlsx: the province's CCHC plan appendix (title
    rows, the header, a group row per reform area, its tasks), byte-identical on every run (the
    workbook's dates and the zip's times fixed)."""
    import io
    import re
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    ws.append([f"PHỤ LỤC KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM {year} — DỮ LIỆU MẪU"])
    ws.append(["(Kèm theo Kế hoạch số 125/KH-UBND ngày 10/01/2025 của UBND tỉnh; sample: true)"])
    ws.append(PLAN_HEADER)
    for roman, title, tasks in PLAN_AREAS:
        ws.append([roman, title])
        for n, task in enumerate(tasks, start=1):
            ws.append([n, *task])
    fixed = dt.datetime(year, 1, 10)
    wb.properties.creator = "parindex"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.title = "DỮ LIỆU MẪU"
    stamp = fixed.strftime("%Y-%m-%dT%H:%M:%SZ")
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as saved, zipfile.ZipFile(out, "w") as fixed_zip:
        for info in saved.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(year, 1, 10, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            data = saved.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            fixed_zip.writestr(entry, data)
    (ROOT / "submissions" / str(year) / f"ke-hoach-cchc-{year}.xlsx").write_bytes(out.getvalue())


def main() -> None:
    write_shared_set()
    rng = random.Random(SEED)
    written = {year: write_year(rng, year) for year in YEARS}
    write_published(YEARS[0])
    write_lineage(YEARS[1])
    write_plan(YEARS[1])
    for year, count in written.items():
        print(f"Đã ghi {count} hồ sơ mẫu năm {year} vào {ROOT / 'submissions' / str(year)}")


if __name__ == "__main__":
    main()
