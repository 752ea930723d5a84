"""Command line: a thin shell over the library. Exit 0 valid, 1 invalid input, 2 usage error,
3 an agency without a submission, 4 an output that cannot be written, 70 an unexpected failure
(one sentence; the traceback goes to a log file). Every message is Vietnamese (:mod:`parindex.clivi`)."""

from __future__ import annotations

import json
import sys
import unicodedata
from decimal import Decimal
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, NoReturn

import click

from parindex import __version__, clivi
from parindex.criteria import load_criteria
from parindex.dataset import Dataset, available_years, check_paths, default_root, load_year
from parindex.diff import describe, diff_sets
from parindex.errors import CriteriaError, DataError, Issue, Report
from parindex.export import json_text
from parindex.ranking import tie_rule_text
from parindex.results import Results, score_dataset
from parindex.robustness import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    MIN_DRAWS,
    PathMismatch,
    Robustness,
)
from parindex.robustness import robustness as robustness_run


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def _vn(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _print_issues(issues: list[Issue], err: bool = True) -> None:
    for issue in issues:
        label = "LỖI" if issue.severity == "error" else "Cảnh báo"
        click.echo(f"{label}: {issue}", err=err)


def _fail(issues: list[Issue], as_json: bool) -> NoReturn:
    if as_json:
        click.echo(json.dumps(Report(issues).as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_issues(issues)
        click.echo(f"Dữ liệu không hợp lệ: {len(issues)} lỗi.", err=True)
    sys.exit(1)


def _load(
    root: Path | None, year: int | None, as_json: bool = False, surveys: Path | None = None
) -> Results:
    return score_dataset(_dataset(root, year, as_json, surveys))


def _no_year(root: Path, year: int | None) -> click.UsageError:
    """The refusal of a year that ``root`` has no data for."""
    return click.UsageError(
        f"Không có dữ liệu năm {year or ''} trong {root / 'criteria'} "
        f"(các năm có: {', '.join(map(str, available_years(root))) or 'không có'})."
    )


def _dataset(
    root: Path | None, year: int | None, as_json: bool = False, surveys: Path | None = None
) -> Dataset:
    """A year's inputs (the latest year unless ``year``), or the command's refusal."""
    root = root or default_root()
    if year is not None and year not in available_years(root):
        raise _no_year(root, year)
    try:
        return load_year(root, year, surveys)
    except (CriteriaError, DataError) as e:
        _fail(e.issues, as_json)


#: the entry point group through which other installed packages add commands to `parindex`;
#: the web app adds `serve` there (pyproject.toml), so parindex imports nothing of it
COMMAND_GROUP = "parindex.commands"


def command_entry_points() -> dict[str, EntryPoint]:
    """The commands other packages register, by name (read from the installed metadata)."""
    return {ep.name: ep for ep in entry_points(group=COMMAND_GROUP)}


class _Commands(click.Group):
    """parindex's own commands, then those registered under :data:`COMMAND_GROUP`, each loaded
    only when it is run or listed; all of them speak Vietnamese, and none ends in a traceback."""

    context_class = clivi.Context
    command_class = clivi.Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", clivi.OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", clivi.COMMAND_METAVAR)
        super().__init__(*args, **kwargs)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Click's main, with Click's messages in Vietnamese; an input error that escaped a
        command is printed with its location (exit 1), anything else unexpected becomes one
        sentence and a log file (:func:`clivi.crash`)."""
        with clivi.vietnamese():
            if not kwargs.get("standalone_mode", True):
                return super().main(*args, **kwargs)
            try:
                return super().main(*args, **kwargs)
            except (CriteriaError, DataError) as e:
                _print_issues(e.issues)
                click.echo(f"Dữ liệu không hợp lệ: {len(e.issues)} lỗi.", err=True)
                sys.exit(1)
            except Exception as e:  # the last guard: no traceback on the user's screen
                sys.exit(clivi.crash(e))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *command_entry_points()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        ep = command_entry_points().get(cmd_name)
        if ep is None:
            return None
        try:
            loaded = ep.load()
        except ImportError as e:  # a registered package whose dependencies are missing
            raise click.UsageError(f"Không nạp được lệnh {cmd_name} ({ep.value}): {e}") from e
        if not isinstance(loaded, click.Command):
            raise click.UsageError(f"{ep.value} không phải là một lệnh (click.Command).")
        return clivi.localise(loaded)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__,
    prog_name="parindex",
    message="%(prog)s, phiên bản %(version)s",
    help="Hiện phiên bản rồi thoát.",
)
def main() -> None:
    """parindex — Chỉ số cải cách hành chính: kiểm tra bộ tiêu chí, chấm điểm, xếp hạng."""


@main.command()
@click.argument("files", nargs=-1, required=True, metavar="TỆP...", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="In báo cáo dạng JSON.")
def check(files: tuple[Path, ...], as_json: bool) -> None:
    """Kiểm tra tệp bộ tiêu chí và tệp hồ sơ tự đánh giá (YAML), hoặc mọi tệp trong một thư mục:
    mỗi tệp được nhận biết là bộ tiêu chí hay hồ sơ và kiểm tra theo loại của nó."""
    report, checked = check_paths(list(files))
    if as_json:
        valid_files = [
            {"file": c.file, "kind": c.kind, "id": c.name, "leaves": c.leaves} for c in checked
        ]
        out = report.as_dict() | {"files": valid_files}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for c in checked:
            if c.kind == "criteria":
                click.echo(f"Hợp lệ: {c.file} ({c.name}, {c.leaves} tiêu chí thành phần)")
            else:
                click.echo(f"Hợp lệ: {c.file} (hồ sơ của đơn vị {c.name}, {c.leaves} tiêu chí)")
        _print_issues(report.issues, err=False)
        if report.issues:
            click.echo(f"Không hợp lệ: {len(report.errors)} lỗi.")
    sys.exit(int(not report.valid))


@main.command()
@click.argument("old", metavar="CŨ", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", metavar="MỚI", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="In các thay đổi dạng JSON.")
def diff(old: Path, new: Path, as_json: bool) -> None:
    """So sánh hai bộ tiêu chí (ví dụ năm trước và năm nay): tiêu chí thêm, bỏ, đổi tên, chuyển,
    đổi điểm tối đa, đổi cách chấm, đổi cách tính khi không phát sinh; các mức xếp loại, mức
    tối đa điểm thưởng/điểm trừ, trọng số và cách xếp khi bằng điểm."""
    try:
        before, after = load_criteria(old), load_criteria(new)
    except CriteriaError as e:
        _fail(e.issues, as_json)
        return
    changes = diff_sets(before.model, after.model)
    if as_json:
        out = {"old": str(old), "new": str(new), "changes": [c.as_dict() for c in changes]}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(f"So sánh {before.model.id} ({old}) với {after.model.id} ({new}):")
    for change in changes:
        click.echo(f"  - {describe(change)}")
    click.echo(
        f"{len(changes)} thay đổi." if changes else "Hai bộ tiêu chí giống nhau về cách chấm điểm."
    )


_DATA_OPTIONS = [
    click.option(
        "--root",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help="Thư mục dữ liệu (chứa criteria/ và submissions/). "
        "Mặc định: thư mục hiện tại, hoặc dữ liệu mẫu đi kèm.",
    ),
    click.option("--year", type=int, default=None, help="Năm đánh giá (mặc định: năm mới nhất)."),
    click.option("--issues", "show_issues", is_flag=True, help="Liệt kê mọi cảnh báo."),
]
_SURVEYS_OPTION = click.option(
    "--surveys",
    "surveys_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Tệp kết quả điều tra XHH (CSV/XLSX) dùng thay cho submissions/<năm>/surveys.csv.",
)


def _data_options(f: Any) -> Any:
    """--root, --year and --issues: the options of the commands that score a year."""
    for option in reversed(_DATA_OPTIONS):
        f = option(f)
    return f


def _root_year_options(f: Any) -> Any:
    """--root and --year alone: the commands that read a year's data without scoring it."""
    for option in reversed(_DATA_OPTIONS[:2]):
        f = option(f)
    return f


def _print_table(results: Results, block: str | None = None) -> None:
    rows = results.rows()
    for b, res in results.blocks.items():
        if block and b != block:
            continue
        model = res.criteria.model
        click.echo("")
        title = f"{model.block_name} — năm {results.year} ({model.id})"
        if model.sample:
            title += " — DỮ LIỆU MẪU"
        click.echo(title)
        header = ["Hạng", "Đơn vị", "Điểm đạt", "Tối đa", "Chỉ số %", "Xếp loại"]
        right = [True, False, True, True, True, False]
        compare = results.previous_year is not None
        if compare:
            header += [f"± so với {results.previous_year}", "± hạng trong khối", "Ghi chú"]
            right += [True, True, False]
        table = []
        for r in rows:
            if r["block"] != b:
                continue
            line = [
                str(r["rank"]),
                r["name"],
                _vn(r["total"]),
                _vn(r["applicable_max"]),
                _vn(r["index"]),
                r["band"],
            ]
            if compare:
                d, k = r.get("index_change"), r.get("rank_change")
                line += [
                    ("+" if d is not None and d > 0 else "") + _vn(d)
                    if d is not None
                    else _NOT_COMPARED.get(_change(results, r), "—"),
                    "" if k is None else f"{k:+d}" if k else "0",
                    str(r.get("change_note") or ""),
                ]
            table.append(line)
        widths = [max(_width(x) for x in col) for col in zip(header, *table, strict=False)]
        click.echo("  ".join(_pad(h, w, r) for h, w, r in zip(header, widths, right, strict=True)))
        for line in table:
            click.echo(
                "  ".join(_pad(c, w, r) for c, w, r in zip(line, widths, right, strict=True))
            )
        click.echo(tie_rule_text(model))
        if compare:
            click.echo(results.method)


#: the change column of a unit that is not compared with last year
_NOT_COMPARED = {
    "merged": "hợp nhất",
    "split": "chia tách",
    "new": "mới",
    "other-block": "khối khác",
}


def _change(results: Results, row: dict[str, Any]) -> str:
    c = results.comparisons.get(row["agency"])
    return c.change if c else ""


def _summary(results: Results, show: bool) -> None:
    """The issues (every one with --issues, else the errors and a count), then, last, a line of
    its own for the agencies that sent no submission (so that it cannot scroll away)."""
    report = results.report
    if show:
        _print_issues(report.issues)
    elif report.issues:
        click.echo(
            f"{len(report.errors)} lỗi, {len(report.warnings)} cảnh báo "
            "(thêm --issues để xem từng mục).",
            err=True,
        )
        _print_issues(report.errors)
    missing = results.missing_submissions()
    if missing:
        names = "; ".join(f"{name} ({agency})" for agency, name in missing.items())
        click.echo(
            f"CHƯA NỘP HỒ SƠ: {len(missing)} đơn vị trong danh sách không có hồ sơ tự đánh giá "
            f"và bị xếp cuối với 0 điểm — {names}.",
            err=True,
        )


def _exit_code(results: Results) -> int:
    """1 when an input has an error, else 3 when an agency sent no submission, else 0."""
    if not results.report.valid:
        return 1
    return clivi.EXIT_MISSING if results.missing_submissions() else 0


@main.command()
@_data_options
@_SURVEYS_OPTION
@click.option("--block", default=None, help="Chỉ một khối (mã khối, ví dụ so-nganh).")
@click.option("--json", "as_json", is_flag=True, help="Kết quả đầy đủ dạng JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Kết quả dạng CSV (mỗi đơn vị một dòng).")
def score(
    root: Path | None,
    year: int | None,
    show_issues: bool,
    surveys_file: Path | None,
    block: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Chấm điểm và in kết quả từng khối."""
    if as_json and as_csv:
        raise click.UsageError("Chọn một trong --json hoặc --csv.")
    results = _load(root, year, as_json, surveys_file)
    if block is not None and block not in results.blocks:
        raise click.UsageError(f"Không có khối '{block}' (có: {', '.join(results.blocks)}).")
    if as_json:
        data = results.as_dict()
        if block:
            data["blocks"] = [b for b in data["blocks"] if b["block"] == block]
        click.echo(json_text(data))
    elif as_csv:
        from parindex.export import csv_rows

        sys.stdout.write(csv_rows(results, block))
    else:
        _print_table(results, block)
    _summary(results, show_issues)
    sys.exit(_exit_code(results))


DRAFT_SUFFIX = "-ban-nhap"


def _table_path(out: Path | None, root: Path | None, year: int, draft: bool) -> Path:
    """Where `rank` writes: ``--out``, else ``out/xep-hang-<year>.xlsx`` in the data folder
    given by ``--root`` (beside the data), else in the current folder; a draft's name ends in
    ``-ban-nhap`` so that it cannot be taken for the table to publish."""
    path = out or (root if root is not None else Path()) / "out" / f"xep-hang-{year}.xlsx"
    if draft and not path.stem.endswith(DRAFT_SUFFIX):
        path = path.with_name(path.stem + DRAFT_SUFFIX + path.suffix)
    return path


@main.command()
@_data_options
@_SURVEYS_OPTION
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Tệp XLSX bảng xếp hạng (mặc định: out/xep-hang-<năm>.xlsx trong thư mục --root, "
    "hoặc trong thư mục hiện tại). Bên cạnh nó: cùng tên .csv và .json, thư mục biểu đồ "
    "<tên>-bieu-do/.",
)
@click.option("--no-charts", is_flag=True, help="Không vẽ biểu đồ (nhanh hơn).")
@click.option(
    "--no-robustness",
    is_flag=True,
    help="Không tính trang Độ tin cậy của xếp hạng (mặc định: tính với "
    f"{DEFAULT_DRAWS} lần rút, hạt giống {DEFAULT_SEED}).",
)
@click.option(
    "--draft",
    is_flag=True,
    help="Ghi bảng dù dữ liệu còn lỗi hoặc thiếu hồ sơ, dưới dạng BẢN NHÁP (tên tệp "
    "…-ban-nhap.xlsx, mọi trang ghi BẢN NHÁP).",
)
def rank(
    root: Path | None,
    year: int | None,
    show_issues: bool,
    surveys_file: Path | None,
    out: Path | None,
    no_charts: bool,
    no_robustness: bool,
    draft: bool,
) -> None:
    """Xếp hạng từng khối, in bảng và ghi bảng quyết định công bố (XLSX, CSV, JSON); trang cuối
    của bảng: độ tin cậy của xếp hạng (parindex robustness)."""
    from parindex.decision import write_decision_table
    from parindex.export import write_csv, write_json

    if out is not None and out.suffix.lower() != ".xlsx":
        raise click.UsageError("--out phải là tệp .xlsx")
    results = _load(root, year, surveys=surveys_file)
    _print_table(results)
    if not results.publishable and not draft:
        _summary(results, show_issues)
        reasons = []
        if not results.report.valid:
            reasons.append(f"dữ liệu đầu vào có {len(results.report.errors)} lỗi")
        if results.missing_submissions():
            reasons.append(f"{len(results.missing_submissions())} đơn vị chưa nộp hồ sơ")
        click.echo(
            f"\nKHÔNG GHI bảng xếp hạng: {' và '.join(reasons)}, nên bảng này không được công "
            "bố. Hãy sửa dữ liệu rồi chạy lại, hoặc thêm --draft để ghi một BẢN NHÁP "
            "(đánh dấu trên mọi trang).",
            err=True,
        )
        sys.exit(_exit_code(results))
    out = _table_path(out, root, results.year, draft)
    replaced = out.exists()
    with clivi.writing(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        steps = 2 + (0 if no_charts else sum(len(b.agencies) for b in results.blocks.values()))
        if not no_robustness:
            steps += DEFAULT_DRAWS * len(results.blocks)
        with click.progressbar(
            length=steps, label="Đang ghi bảng xếp hạng", file=sys.stderr
        ) as bar:
            intervals = None
            if not no_robustness:
                try:
                    intervals = robustness_of(results, results.surveys, progress=bar.update)
                except PathMismatch as e:  # the official table never waits on this sheet
                    click.echo(f"\nCảnh báo: {e.message}", err=True)
            write_decision_table(
                results,
                out,
                charts=not no_charts,
                progress=bar.update,
                draft=draft,
                robustness=intervals,
            )
            write_csv(results, out.with_suffix(".csv"))
            write_json(results, out.with_suffix(".json"), draft=draft)
            bar.update(2)
    what = "BẢN NHÁP bảng xếp hạng (không công bố)" if draft else "bảng xếp hạng"
    click.echo(
        f"\nĐã ghi {what}: {out.resolve()} (và {out.with_suffix('.csv').name}, "
        f"{out.with_suffix('.json').name}"
        + ("" if no_charts else f", biểu đồ trong {out.stem}-bieu-do/")
        + ")"
        + (" — thay bảng của lần chạy trước." if replaced else ".")
    )
    _summary(results, show_issues)
    sys.exit(_exit_code(results))


@main.command()
@_data_options
@click.argument("agencies", nargs=-1, metavar="[ĐƠN_VỊ]...")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out") / "bao-cao",
    show_default=True,
    help="Thư mục ghi báo cáo (<khối>/<đơn vị>.html và .xlsx).",
)
def report(
    root: Path | None, year: int | None, show_issues: bool, agencies: tuple[str, ...], out: Path
) -> None:
    """Báo cáo kết quả từng đơn vị (HTML để in và XLSX); mặc định: mọi đơn vị."""
    from parindex.report import write_reports

    results = _load(root, year)
    known = {str(a) for r in results.blocks.values() for a in r.agencies["agency"]}
    unknown = [a for a in agencies if a not in known]
    if unknown:
        raise click.UsageError(f"Không có đơn vị: {', '.join(unknown)}")
    try:
        intervals: Robustness | None = robustness_of(results, results.surveys)
    except PathMismatch as e:  # the reports never wait on their line
        click.echo(f"Cảnh báo: {e.message}", err=True)
        intervals = None
    with clivi.writing(out):
        written = write_reports(results, out, list(agencies) or None, intervals)
    click.echo(f"Đã ghi {len(written) // 2} báo cáo đơn vị vào {out}")
    _summary(results, show_issues)
    sys.exit(_exit_code(results))


@main.command()
@_data_options
@_SURVEYS_OPTION
@click.option(
    "--draws",
    type=click.IntRange(min=MIN_DRAWS),
    default=DEFAULT_DRAWS,
    show_default=True,
    help="Số lần rút ngẫu nhiên (ít nhất 1000).",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Hạt giống.")
@click.option(
    "--weights",
    "weight_spread",
    type=click.FloatRange(min=0, max=0.5, min_open=True),
    default=None,
    help="Với bộ tiêu chí có trọng số lĩnh vực: nhân mỗi trọng số với một số ngẫu nhiên đều "
    "trong [1 − S; 1 + S] rồi chuẩn hóa lại (ví dụ 0.1). Mặc định: trọng số giữ nguyên.",
)
@click.option("--block", default=None, help="Chỉ một khối (mã khối, ví dụ so-nganh).")
def robustness(
    root: Path | None,
    year: int | None,
    show_issues: bool,
    surveys_file: Path | None,
    draws: int,
    seed: int,
    weight_spread: float | None,
    block: str | None,
) -> None:
    """Độ tin cậy của xếp hạng: khoảng hạng 90 % của từng đơn vị do sai số chọn mẫu của điều tra
    xã hội học (mô phỏng Monte Carlo; kết quả công bố không đổi)."""
    results = _load(root, year, surveys=surveys_file)
    if block is not None and block not in results.blocks:
        raise click.UsageError(f"Không có khối '{block}' (có: {', '.join(results.blocks)}).")
    blocks = {b: r for b, r in results.blocks.items() if block in (None, b)}
    spread = None if weight_spread is None else Decimal(str(weight_spread))
    with click.progressbar(
        length=draws * len(blocks), label="Đang mô phỏng", file=sys.stderr
    ) as bar:
        got = robustness_of(
            results,
            results.surveys,
            draws=draws,
            seed=seed,
            spread=spread,
            progress=bar.update,
            blocks=blocks,
        )
    for b, r in got.blocks.items():
        model = results.blocks[b].criteria.model
        click.echo("")
        click.echo(
            f"{model.block_name} — năm {results.year} ({model.id})"
            + (" — DỮ LIỆU MẪU" if model.sample else "")
        )
        header = ["Hạng", "Đơn vị", "Chỉ số %", "Khoảng hạng 90 %"]
        header += [f"{name} %" for name in r.bands]
        table = []
        for i, name in enumerate(r.names):
            line = [
                str(r.rank[i]),
                name,
                _vn(Decimal(int(r.index_u[i])).scaleb(-2)),
                f"{r.low[i]}–{r.high[i]}" + ("" if r.varied[i] else " (không có cỡ mẫu)"),
            ]
            line += [f"{c * 100 / draws:.1f}".replace(".", ",") for c in r.band_draws[i]]
            table.append(line)
        right = [True, False, True, True] + [True] * len(r.bands)
        widths = [max(_width(x) for x in col) for col in zip(header, *table, strict=False)]
        click.echo("  ".join(_pad(h, w, a) for h, w, a in zip(header, widths, right, strict=True)))
        for line in table:
            click.echo(
                "  ".join(_pad(c, w, a) for c, w, a in zip(line, widths, right, strict=True))
            )
    click.echo("")
    click.echo(got.method_text())
    _summary(results, show_issues)
    sys.exit(_exit_code(results))


def robustness_of(
    results: Results,
    surveys: Any,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    spread: Decimal | None = None,
    progress: Any = None,
    blocks: Any = None,
) -> Robustness:
    """The rank intervals of ``results`` (every block unless ``blocks``)."""
    return robustness_run(
        blocks if blocks is not None else results.blocks,
        surveys,
        draws=draws,
        seed=seed,
        weight_spread=spread,
        progress=progress,
    )


@main.command()
@_root_year_options
@click.option("--json", "as_json", is_flag=True, help="In các gợi ý dạng JSON.")
def evidence(root: Path | None, year: int | None, as_json: bool) -> None:
    """Gợi ý kiểm tra minh chứng cho Tổ thẩm định: số, ký hiệu sai thể thức hoặc không khớp
    trích yếu, ngày ngoài thời gian đánh giá hoặc khác ngày kê khai, cùng tệp hay cùng văn bản
    ở nhiều đơn vị hoặc ở các tiêu chí không liên quan, đường dẫn không phải http(s). Đây là
    gợi ý để kiểm tra, không phải lỗi: lệnh thoát với mã 0."""
    from parindex.hints import HINT_LABELS, dataset_hints

    ds = _dataset(root, year, as_json)
    hints = dataset_hints(ds)
    if as_json:
        click.echo(json.dumps(Report(hints).as_dict(), ensure_ascii=False, indent=2))
        return
    names = {a.id: a.name for a in ds.agencies.values()}
    for hint in hints:
        where = hint.location.describe(names)
        click.echo(f"{where}: {HINT_LABELS[hint.code]}: {hint.message} [{hint.code}]")
    click.echo(f"Năm {ds.year}: {len(hints)} gợi ý kiểm tra minh chứng.")


@main.command()
@click.argument("file", metavar="TỆP", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_data_options
@click.option("--json", "as_json", is_flag=True, help="In báo cáo dạng JSON.")
def surveys(
    file: Path, root: Path | None, year: int | None, show_issues: bool, as_json: bool
) -> None:
    """Kiểm tra tệp kết quả điều tra xã hội học (CSV/XLSX) trước khi nhập."""
    from parindex.survey import check_surveys

    root = root or default_root()
    try:
        ds = load_year(root, year)
    except (CriteriaError, DataError) as e:
        _fail(e.issues, as_json)
    rows, issues = check_surveys(file, ds)
    if as_json:
        out = Report(issues).as_dict() | {"rows": len(rows)}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        _print_issues(issues, err=False)
        status = "hợp lệ" if not [i for i in issues if i.severity == "error"] else "không hợp lệ"
        click.echo(f"{file}: {len(rows)} dòng kết quả, {len(issues)} vấn đề — {status}.")
    sys.exit(int(not Report(issues).valid))


@main.command()
@click.argument("file", metavar="TỆP", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_root_year_options
@click.option("--json", "as_json", is_flag=True, help="In báo cáo dạng JSON.")
def plan(file: Path, root: Path | None, year: int | None, as_json: bool) -> None:
    """Kiểm tra phụ lục Kế hoạch CCHC năm (XLSX) và in số nhiệm vụ của từng đơn vị."""
    from parindex.dataset import read_agencies
    from parindex.plan import read_plan

    root = root or default_root()
    years = available_years(root)
    if year is None and years:
        year = years[-1]
    if year is None or year not in years:
        raise _no_year(root, year)
    agencies, problems = read_agencies(root / "submissions" / str(year) / "agencies.csv")
    if [i for i in problems if i.severity == "error"]:
        _fail(problems, as_json)
    the_plan, issues = read_plan(file, units=agencies.values(), year=year)
    report = Report(issues)
    counts = the_plan.counts()
    if as_json:
        out = report.as_dict() | {
            "year": year,
            "tasks": len(the_plan.tasks),
            "units": counts,
            "areas": the_plan.area_counts(),
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        sys.exit(int(not report.valid))
    _print_issues(issues, err=False)
    if report.valid:
        click.echo(f"Kế hoạch CCHC năm {year}: {len(the_plan.tasks)} nhiệm vụ.")
        for area, per in the_plan.area_counts().items():
            tasks = sum(1 for t in the_plan.tasks if t.area == area)
            click.echo(
                f"  {area or '(không có nhóm)'}: {tasks} nhiệm vụ, {len(per)} đơn vị chủ trì"
            )
        click.echo("Số nhiệm vụ chủ trì của từng đơn vị:")
        for unit, n in counts.items():
            click.echo(f"  {agencies[unit].name} ({unit}): {n}")
    status = "hợp lệ" if report.valid else "không hợp lệ"
    click.echo(f"{file}: {len(the_plan.tasks)} nhiệm vụ, {len(issues)} vấn đề — {status}.")
    sys.exit(int(not report.valid))


@main.command()
@click.option("--agencies", type=click.IntRange(min=1), required=True, help="Số đơn vị.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Thư mục ghi (criteria/ và submissions/).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Hạt giống ngẫu nhiên.")
@click.option(
    "--leaves",
    type=click.IntRange(min=20, max=400),
    default=100,
    show_default=True,
    help="Số tiêu chí thành phần mỗi bộ.",
)
def generate(agencies: int, out: Path, seed: int, leaves: int) -> None:
    """Sinh dữ liệu tổng hợp (bộ tiêu chí, hồ sơ, kết quả điều tra) ở mọi quy mô."""
    from parindex.generate import write_dataset

    if out.exists() and any(out.iterdir()):
        raise click.UsageError(f"Thư mục {out} đã có dữ liệu; chọn thư mục trống.")
    with click.progressbar(length=agencies, label="Đang sinh hồ sơ", file=sys.stderr) as bar:
        with clivi.writing(out):
            counts = write_dataset(out, agencies, seed, leaves, progress=bar.update)
    click.echo(
        f"Đã sinh {agencies} đơn vị vào {out} ("
        + ", ".join(f"{k}: {v}" for k, v in counts.items())
        + "). DỮ LIỆU TỔNG HỢP."
    )


if __name__ == "__main__":  # pragma: no cover
    main()
