"""The secretariat (Sở Nội vụ): yearly cycles, criteria sets, the agency list with accounts,
deadlines. Each view reads the request, calls one function of :mod:`web.secretariat.cycle_setup` (or :mod:`web.secretariat.agency_import`), then
renders or redirects."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from parindex.diff import what_changed, where_changed
from web.models import CriteriaRecord, Cycle, get_cycle
from web.roles import STAFF, role_required
from web.secretariat import agency_import, cycle_setup, opening, rollover, set_changes

bp = Blueprint("secretariat", __name__, url_prefix="/so-noi-vu")


def _upload(name: str, limit: int) -> tuple[str, bytes]:
    """The uploaded file's name and at most ``limit + 1`` bytes (so that "too large" is seen)."""
    f: FileStorage | None = request.files.get(name)
    if f is None or not f.filename:
        return "", b""
    return f.filename, f.stream.read(limit + 1)


def _cycle_or_404(year: int) -> Cycle:
    cycle = get_cycle(year)
    if cycle is None:
        abort(404)
    return cycle


def _cycle_page(cycle: Cycle, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("deadlines", cycle_setup.FormResult(cycle_setup.deadline_values(cycle)))
    return (
        render_template(
            "secretariat/cycle.html",
            cycle=cycle,
            blocks=cycle_setup.cycle_blocks(cycle),
            when=cycle_setup.when,
            when_utc=cycle_setup.when_utc,
            **context,
        ),
        status,
    )


@bp.route("/", methods=["GET", "POST"])
@role_required(*STAFF)
def dashboard() -> Any:
    form = cycle_setup.FormResult({"year": "", "title": ""})
    if request.method == "POST":
        form = cycle_setup.create_cycle(request.form, current_user)
        if form.ok and form.cycle is not None:
            flash(
                f"Đã tạo kỳ đánh giá năm {form.cycle.year}: đang chuẩn bị, các đơn vị chưa "
                "thấy kỳ này cho đến khi Sở Nội vụ mở kỳ.",
                "success",
            )
            return redirect(url_for(".cycle", year=form.cycle.year))
    status = 400 if form.errors else 200
    return (
        render_template(
            "secretariat/dashboard.html",
            cycles=cycle_setup.list_cycles(),
            form=form,
            roll=rollover.roll_defaults(),
            when=cycle_setup.when,
        ),
        status,
    )


@bp.route("/tao-tu-nam-truoc", methods=["GET", "POST"])
@role_required(*STAFF)
def roll_forward() -> Any:
    """The preview (GET: nothing is written) and the creation (POST) of a cycle rolled forward
    from last year's."""
    if request.method == "POST":
        plan = rollover.roll_forward(request.form, current_user)
        if plan.ok and plan.cycle is not None:
            source = plan.cycle.previous
            flash(
                f"Đã tạo kỳ đánh giá năm {plan.cycle.year} từ kỳ "
                f"{source.year if source is not None else ''}: "
                f"{len(plan.cycle.criteria)} bộ tiêu chí, {len(plan.placed)} đơn vị. "
                "Hãy đặt thời hạn, soát bộ tiêu chí rồi mở kỳ.",
                "success",
            )
            return redirect(url_for(".cycle", year=plan.cycle.year))
    elif request.args:
        plan = rollover.plan_roll(request.args)
    else:
        plan = rollover.RollPlan(rollover.roll_defaults())
    return (
        render_template("secretariat/roll.html", plan=plan, sources=rollover.sources()),
        400 if request.method == "POST" else 200,
    )


@bp.route("/ky/<int:year>")
@role_required(*STAFF)
def cycle(year: int) -> Any:
    return _cycle_page(_cycle_or_404(year))


@bp.route("/ky/<int:year>/bo-tieu-chi", methods=["POST"])
@role_required(*STAFF)
def upload_criteria(year: int) -> Any:
    cycle = _cycle_or_404(year)
    name, data = _upload("criteria_file", cycle_setup.MAX_CRITERIA_BYTES)
    result = cycle_setup.upload_criteria(cycle, name, data, current_user)
    if not result.ok:
        return _cycle_page(cycle, 400, criteria_upload=result)
    record = result.record
    assert record is not None
    if result.unchanged:
        flash(f"Bộ tiêu chí khối {record.block_name} không thay đổi (cùng nội dung).", "info")
    else:
        verb = "Đã thay" if result.replaced else "Đã tải"
        flash(f"{verb} bộ tiêu chí {record.set_id} cho khối {record.block_name}.", "success")
    _flash_orphans(result)
    return _after_saving(cycle, record.block)


def _flash_orphans(result: cycle_setup.CriteriaUpload) -> None:
    if result.orphans:
        flash(
            "Các tiêu chí sau đã được kê khai trong bản nháp nhưng không còn trong bộ mới: "
            + ", ".join(result.orphans),
            "warning",
        )


def _after_saving(cycle: Cycle, block: str) -> Any:
    """After a set is saved: its changes against last year's set, when there is a last year."""
    if cycle.previous_id is not None:
        return redirect(url_for(".criteria_diff", year=cycle.year, _anchor=f"khoi-{block}"))
    return redirect(url_for(".cycle", year=cycle.year))


def _record_or_404(cycle: Cycle, block: str) -> CriteriaRecord:
    record = next((r for r in cycle.criteria if r.block == block), None)
    if record is None:
        abort(404)
    return record


@bp.route("/ky/<int:year>/bo-tieu-chi/<block>/sua", methods=["GET", "POST"])
@role_required(*STAFF)
def edit_criteria(year: int, block: str) -> Any:
    """The in-browser editor of a block's set (while the cycle is being prepared)."""
    cycle = _cycle_or_404(year)
    record = _record_or_404(cycle, block)
    if request.method != "POST":
        result = cycle_setup.CriteriaUpload(record.file_name, text=record.yaml_text)
        return render_template(
            "secretariat/criteria_edit.html",
            cycle=cycle,
            record=record,
            result=result,
            closed=cycle_setup.closed_to_changes(cycle),
            shown=False,
        )
    result = cycle_setup.edit_criteria(
        cycle, record, request.form.get("yaml_text", ""), current_user
    )
    if not result.ok:
        page = render_template(
            "secretariat/criteria_edit.html",
            cycle=cycle,
            record=record,
            result=result,
            closed=cycle_setup.closed_to_changes(cycle),
            shown=True,
        )
        return page, 400
    if result.unchanged:
        flash(f"Bộ tiêu chí khối {record.block_name} không thay đổi (cùng nội dung).", "info")
    else:
        flash(f"Đã lưu bộ tiêu chí {record.set_id} của khối {record.block_name}.", "success")
    _flash_orphans(result)
    return _after_saving(cycle, block)


@bp.route("/ky/<int:year>/don-vi", methods=["POST"])
@role_required(*STAFF)
def import_agencies(year: int) -> Any:
    cycle = _cycle_or_404(year)
    limit = int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
    name, data = _upload("agencies_file", limit)
    if len(data) > limit:
        return _cycle_page(cycle, 413, agency_error="Tệp danh sách đơn vị quá lớn.")
    result = agency_import.import_agencies(cycle, name, data, current_user)
    if not result.ok:
        return _cycle_page(cycle, 400, agency_import=result)
    page = render_template(
        "secretariat/import_result.html",
        cycle=cycle,
        result=result,
        csv_link=agency_import.accounts_data_uri(result) if result.accounts else "",
    )
    # the page holds passwords: never cached, never stored
    return page, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"}


@bp.route("/ky/<int:year>/thoi-han", methods=["POST"])
@role_required(*STAFF)
def deadlines(year: int) -> Any:
    cycle = _cycle_or_404(year)
    result = cycle_setup.set_deadlines(cycle, request.form, current_user)
    if not result.ok:
        return _cycle_page(cycle, 400, deadlines=result)
    flash("Đã lưu thời hạn.", "success")
    return redirect(url_for(".cycle", year=year))


@bp.route("/ky/<int:year>/thay-doi-bo-tieu-chi")
@role_required(*STAFF)
def criteria_diff(year: int) -> Any:
    """What changed in each block's set against the previous cycle's."""
    cycle = _cycle_or_404(year)
    if cycle.previous is None:
        abort(404)
    return render_template(
        "secretariat/criteria_diff.html",
        cycle=cycle,
        blocks=set_changes.cycle_changes(cycle),
        what_changed=what_changed,
        where_changed=where_changed,
    )


@bp.route("/ky/<int:year>/mo-ky", methods=["GET", "POST"])
@role_required(*STAFF)
def open_cycle(year: int) -> Any:
    """The checklist (GET) and the opening of the cycle to the agencies (POST)."""
    cycle = _cycle_or_404(year)
    refused = ""
    if request.method == "POST":
        refused = opening.open_cycle(cycle, current_user)
        if not refused:
            flash(f"Đã mở kỳ đánh giá năm {year}: các đơn vị thấy kỳ này từ bây giờ.", "success")
            return redirect(url_for(".cycle", year=year))
    checks = opening.checklist(cycle)
    page = render_template(
        "secretariat/open.html",
        cycle=cycle,
        checks=checks,
        ready=opening.ready(checks),
        refused=refused,
        when_utc=cycle_setup.when_utc,
    )
    return page, 400 if refused else 200
