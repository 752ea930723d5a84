"""Errors are data: every problem has a stable code, a location and a Vietnamese message.

A broken criteria file raises :class:`CriteriaError` (it stops the run); problems in submissions
and survey files are collected as :class:`Issue` objects in a :class:`Report`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]

#: Stable code → Vietnamese message template. The English code is printed beside it.
MESSAGES: dict[str, str] = {
    # files
    "file-not-found": "Không tìm thấy tệp",
    "file-unreadable": "Không đọc được tệp: {detail}",
    "yaml-syntax": "Lỗi cú pháp YAML: {detail}",
    "duplicate-key": "Khóa '{key}' xuất hiện hai lần; YAML chỉ giữ giá trị sau nên tệp bị từ chối",
    # criteria structure (stage 1)
    "unknown-key": "Khóa không hợp lệ '{key}'",
    "missing-key": "Thiếu khóa bắt buộc '{key}'",
    "wrong-type": "Giá trị sai kiểu: {detail}",
    "bad-value": "Giá trị không hợp lệ: {detail}",
    "unknown-rule-kind": "Loại quy tắc chấm điểm không được hỗ trợ: '{value}'",
    # criteria cross-field rules (stage 2)
    "duplicate-code": "Mã '{value}' bị trùng (đã có ở {detail})",
    "code-not-in-parent": "Mã '{value}' không khớp với mã cấp trên '{detail}'",
    "max-not-sum": "Điểm tối đa {value} khác tổng điểm tối đa của các mục con ({detail})",
    "points-precision": "Điểm '{value}' có quá 2 chữ số thập phân",
    "tiers-not-ordered": "Các mức tỷ lệ phải giảm dần nghiêm ngặt: {detail}",
    "tier-above-max": "Điểm của mức ({value}) vượt điểm tối đa {detail}",
    "tier-points-rising": "Mức tỷ lệ thấp hơn không được có điểm cao hơn: {detail}",
    "rate-out-of-range": "Tỷ lệ {value} nằm ngoài khoảng 0–100 %",
    "bounds-not-ordered": "Cận dưới ({value}) phải nhỏ hơn cận trên ({detail})",
    "share-out-of-range": "Tỷ lệ điểm {value} phải nằm trong khoảng 0–1",
    "step-not-dividing": "Bước điểm {value} không chia hết điểm tối đa {detail}",
    "levels-duplicate": "Mức đánh giá '{value}' bị trùng",
    "per-item-above-max": "Điểm mỗi mục ({value}) vượt điểm tối đa {detail}",
    "floor-above-max": "Điểm sàn ({value}) vượt điểm tối đa {detail}",
    "bands-not-ordered": "Các nhóm xếp loại phải có ngưỡng giảm dần nghiêm ngặt: {detail}",
    "bands-no-floor": "Nhóm xếp loại cuối cùng phải có ngưỡng 0",
    "survey-self-scored": "Tiêu chí điều tra xã hội học không được tự chấm điểm: {detail}",
    "survey-evidence": "Tiêu chí điều tra xã hội học không cần tài liệu kiểm chứng",
    "weights-not-100": "Tổng trọng số các lĩnh vực là {value}, phải là 100",
    "weights-partial": "Trọng số phải được khai báo cho tất cả các lĩnh vực hoặc không lĩnh vực nào",
    "bonus-item-above-cap": "Điểm tối đa của mục ({value}) vượt mức trần {detail}",
    "year-mismatch": "Năm của bộ tiêu chí ({value}) khác năm của thư mục ({detail})",
    "duplicate-set": "Khối '{value}' đã có bộ tiêu chí khác trong năm ({detail})",
    # submissions
    "duplicate-agency": "Đơn vị '{value}' đã nộp ở tệp khác ({detail})",
    "unknown-agency": "Đơn vị '{value}' không có trong danh sách đơn vị",
    "agency-wrong-block": "Đơn vị '{value}' thuộc khối '{detail}', không thuộc khối của bộ tiêu chí",
    "year-wrong": "Năm đánh giá {value} khác năm của bộ tiêu chí ({detail})",
    "unknown-leaf": "Không có tiêu chí mã '{value}' trong bộ tiêu chí",
    "not-a-leaf": "Mã '{value}' là tiêu chí có tiêu chí thành phần; hãy chấm ở tiêu chí thành phần",
    "fact-wrong-type": "Dữ kiện '{key}' sai kiểu: {detail}",
    "fact-missing": "Thiếu dữ kiện '{key}' mà quy tắc '{detail}' cần",
    "fact-unexpected": "Dữ kiện '{key}' không dùng cho quy tắc '{detail}'",
    "negative-count": "Số lượng '{key}' không được âm ({value})",
    "count-too-large": "Số lượng '{key}' quá lớn ({value})",
    "numerator-above-denominator": "Tử số {value} lớn hơn mẫu số {detail}",
    "date-implausible": "Ngày {value} nằm ngoài khoảng hợp lý ({detail})",
    "unknown-level": "Mức đánh giá '{value}' không có trong quy tắc (các mức: {detail})",
    "score-above-max": "Điểm {value} vượt điểm tối đa {detail}",
    "score-negative": "Điểm {value} không được âm",
    "score-off-step": "Điểm {value} không theo bước {detail}",
    "survey-self-score": "Tiêu chí {value} chấm qua điều tra xã hội học, đơn vị không tự chấm",
    "did-not-arise-not-allowed": "Tiêu chí {value} không cho phép khai 'không phát sinh'",
    "did-not-arise-no-reason": "Khai 'không phát sinh' phải nêu lý do",
    "did-not-arise-with-facts": "Đã khai 'không phát sinh' nhưng vẫn có dữ kiện chấm điểm",
    "evidence-missing": "Tự chấm {value} điểm nhưng không có tài liệu kiểm chứng và không có giải trình",
    "evidence-incomplete": "Tài liệu kiểm chứng thiếu '{key}'",
    "evidence-no-source": "Tài liệu kiểm chứng phải có tệp đính kèm hoặc đường dẫn",
    "appraisal-no-reason": "Điểm thẩm định khác điểm tự chấm phải có lý do",
    "leaf-empty": "Tiêu chí chưa được kê khai; tính 0 điểm",
    "submission-missing": "Đơn vị chưa nộp hồ sơ tự đánh giá; mọi tiêu chí tính 0 điểm",
    "survey-missing": "Chưa có kết quả điều tra '{value}' của đơn vị; tính 0 điểm",
    # survey files
    "survey-unknown-agency": "Đơn vị '{value}' không có trong danh sách đơn vị",
    "survey-unknown-survey": "Cuộc điều tra '{value}' không có trong bộ tiêu chí",
    "survey-duplicate-row": "Dòng trùng với dòng {detail}",
    "survey-not-a-number": "'{value}' không phải là số",
    "survey-result-out-of-range": "Kết quả {value} nằm ngoài khoảng 0–100",
    "survey-agency-missing": "Đơn vị chưa có kết quả cuộc điều tra '{value}'",
    "survey-bad-header": "Thiếu cột '{key}' (cần các cột: {detail})",
    # text typed by a person (parindex.text)
    "not-a-number": "“{value}” không phải là số; nhập ví dụ 87,5 hoặc 87.5",
    "not-a-count": "“{value}” không phải là số nguyên không âm; hãy nhập bằng chữ số, ví dụ 12",
    "count-signed": "“{value}” không phải là số nguyên không âm; số lượng không có dấu + hay -",
    "number-too-long": "Số có quá {most} chữ số; hãy kiểm tra lại",
    "not-a-score": "“{value}” không phải là số điểm; nhập ví dụ 1,25 hoặc 1.25",
    "score-precision": "Điểm “{value}” có quá 2 chữ số thập phân",
    "not-a-date": "“{value}” không phải là ngày hợp lệ; nhập theo dạng ngày/tháng/năm, ví dụ 30/07/2025",
    "not-yes-no": "“{value}” không hợp lệ; hãy chọn Có hoặc Không",
    # usage
    "no-data": "Không tìm thấy dữ liệu: {detail}",
    # the web app's commands: serve, backup, restore (web/cli.py, web/backup.py)
    "port-in-use": "Cổng {value} đang được một chương trình khác dùng; hãy dừng chương trình đó hoặc chọn cổng khác, ví dụ “--port 5001”",
    "port-not-allowed": "Không được phép mở cổng {value} (các cổng dưới 1024 cần quyền quản trị); hãy chọn một cổng từ 1024 đến 65535",
    "port-out-of-range": "Cổng {value} không hợp lệ; hãy chọn một số từ 1 đến 65535",
    "host-unavailable": "Máy này không có địa chỉ “{value}”; hãy dùng 127.0.0.1 (chỉ máy này) hoặc 0.0.0.0 (mọi mạng của máy)",
    "database-url-invalid": "“{value}” không phải là URL CSDL; hãy viết dạng “sqlite:////đường/dẫn/parindex.db” hoặc “postgresql+psycopg2://người-dùng:mật-khẩu@máy-chủ:5432/tên-csdl”",
    "database-kind-unknown": "parindex chỉ dùng SQLite hoặc PostgreSQL, không dùng “{value}”; hãy viết URL dạng “sqlite:///…” hoặc “postgresql+psycopg2://…”",
    "database-driver-missing": "Chưa cài thư viện Python “{value}” mà URL CSDL này cần; với PostgreSQL hãy cài bằng “pip install 'parindex[postgres]'” (thư viện psycopg2) và viết URL dạng “postgresql+psycopg2://người-dùng:mật-khẩu@máy-chủ:5432/tên-csdl”",
    "database-folder-missing": "Thư mục “{value}” của tệp CSDL SQLite không tồn tại; hãy tạo thư mục đó (“mkdir -p”) hoặc chọn đường dẫn khác",
    "database-not-sqlite": "Tệp “{value}” không phải là CSDL SQLite; hãy chọn đúng tệp CSDL hoặc một tên tệp mới",
    "database-unreachable": "Không kết nối được tới CSDL “{value}”; hãy kiểm tra máy chủ CSDL đang chạy, địa chỉ, cổng, tên người dùng và mật khẩu (hệ thống báo: “{detail}”)",
    "backup-source-missing": "Chưa có tệp CSDL này để sao lưu; hãy kiểm tra “--database” hoặc biến môi trường “DATABASE_URL”",
    "backup-source-not-parindex": "Tệp CSDL này không phải của parindex (không phải SQLite, hỏng, hoặc thiếu các bảng của parindex); hãy kiểm tra “--database” hoặc biến môi trường “DATABASE_URL”",
    "backup-folder-missing": "Thư mục “{value}” không tồn tại; hãy tạo thư mục đó trước hoặc chọn nơi khác để ghi bản sao lưu",
    "backup-is-folder": "Đây là một thư mục; hãy ghi rõ tên tệp sao lưu, ví dụ parindex-sao-luu.db",
    "backup-exists": "Tệp sao lưu đã có; hãy chọn tên khác hoặc thêm “--yes” để ghi đè",
    "backup-onto-database": "Tệp sao lưu trùng với chính tệp CSDL đang dùng; hãy chọn một tên khác",
    "backup-failed": "Không sao lưu được (hệ thống báo: “{detail}”); hãy kiểm tra chỗ trống trên đĩa và quyền ghi vào thư mục",
    "backup-postgresql": "CSDL là PostgreSQL: hãy sao lưu bằng công cụ của PostgreSQL: “{detail}”",
    "restore-not-parindex": "Tệp này không phải là bản sao lưu CSDL parindex (không phải SQLite, hỏng, hoặc thiếu các bảng của parindex); không có gì bị thay đổi",
    "restore-needs-yes": "Phục hồi sẽ thay toàn bộ dữ liệu hiện có trong “{value}” bằng bản sao lưu; hãy dừng ứng dụng web rồi chạy lại lệnh với “--yes” để xác nhận",
    "restore-cancelled": "Đã hủy; dữ liệu không thay đổi",
    "restore-failed": "Không phục hồi được (hệ thống báo: “{detail}”); hãy dừng ứng dụng web rồi thử lại",
    "restore-postgresql": "CSDL là PostgreSQL: hãy phục hồi bằng công cụ của PostgreSQL: “{detail}”",
}


def message(code: str, **params: Any) -> str:
    """The Vietnamese message of ``code`` rendered from its template over ``params``."""
    template = MESSAGES[code]
    return template.format_map(_Params(params))


class _Params(dict[str, Any]):
    """Template parameters: one the template names but the issue does not carry reads as ""."""

    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class Location:
    """Where a problem is: the file, the line, the path inside it, and the domain coordinates.

    ``path``, ``file`` and ``line`` are for the person who edits the file (a YAML path such as
    ``fields[0].criteria[1].max``, or a CSV column); ``agency``, ``leaf``, ``fact``, ``item``
    and ``round`` say the same in the domain's words, and are what published outputs show
    (:meth:`describe`)."""

    file: str = ""
    line: int | None = None
    path: str = ""
    agency: str = ""
    leaf: str = ""
    fact: str = ""  # the fact of the leaf: done, date, numerator, …, evidence, did_not_arise
    row: int | None = None
    item: int | None = None  # the evidence document, counted from 1
    round: int | None = None  # the appraisal round (1 or 2)

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.path:
            parts.append(self.path)
        if self.agency:
            parts.append(f"đơn vị {self.agency}")
        if self.leaf:
            parts.append(f"tiêu chí {self.leaf}")
        if self.fact:
            parts.append(f"mục {self.fact}")
        return ", ".join(parts)

    def describe(self, agency_names: Mapping[str, str] | None = None) -> str:
        """The location in a reader's words: agency, leaf, appraisal round, document, fact;
        no file paths, no internal keys."""
        parts: list[str] = []
        if self.agency:
            parts.append((agency_names or {}).get(self.agency, self.agency))
        if self.leaf:
            parts.append(f"tiêu chí {self.leaf}")
        if self.round is not None:
            parts.append(f"vòng thẩm định {self.round}")
        if self.item is not None:
            parts.append(f"tài liệu kiểm chứng thứ {self.item}")
        elif self.fact in FACT_WORDS:
            parts.append(FACT_WORDS[self.fact])
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        return ", ".join(parts)


#: a fact's name in a reader's words (published notes, reports)
FACT_WORDS: dict[str, str] = {
    "done": "kết quả thực hiện",
    "date": "ngày ban hành, thực hiện",
    "numerator": "tử số",
    "denominator": "mẫu số",
    "count": "số lượng",
    "level": "mức đánh giá",
    "score": "điểm tự chấm",
    "evidence": "tài liệu kiểm chứng",
    "explanation": "giải trình",
    "did_not_arise": "khai không phát sinh",
}


@dataclass(frozen=True)
class Issue:
    """One problem: a stable code, where it is, its parameters as data, and its severity.

    The Vietnamese :attr:`message` is rendered from the code's template over ``params``;
    callers that need a parameter (the bad value, the missing key, the bound) read it from
    ``params``, never from the message."""

    code: str
    location: Location
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    severity: Severity = "error"

    @classmethod
    def make(
        cls,
        code: str,
        location: Location,
        *,
        severity: Severity = "error",
        **params: Any,
    ) -> Issue:
        return cls(code, location, {k: v for k, v in params.items() if v is not None}, severity)

    @property
    def message(self) -> str:
        return message(self.code, **self.params)

    @property
    def value(self) -> str:
        """The offending value as text ("" when the issue has none)."""
        value = self.params.get("value", "")
        return "" if value is None else str(value)

    def __str__(self) -> str:
        return f"{self.location}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, Any]:
        location = {k: v for k, v in asdict(self.location).items() if v not in ("", None)}
        return {
            "code": self.code,
            "location": location,
            "message": self.message,
            "value": self.value,
            "params": {k: _plain(v) for k, v in self.params.items()},
            "severity": self.severity,
        }


def _plain(value: Any) -> Any:
    """A parameter as JSON can hold it (numbers and dates as their text)."""
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return str(value)


@dataclass
class Report:
    """A collection of issues; ``valid`` is false when any of them is an error."""

    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "stats": {"errors": len(self.errors), "warnings": len(self.warnings)},
            "issues": [i.as_dict() for i in self.issues],
        }


class ParindexError(Exception):
    """Root of every exception parindex raises."""


class CriteriaError(ParindexError):
    """A criteria file is broken: the run stops, listing every problem found."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class DataError(ParindexError):
    """Input data cannot be used at all (missing folder, unreadable file)."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))
