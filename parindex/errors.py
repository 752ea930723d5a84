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
    # tabular files: agencies.csv, survey results, uploads (parindex.tables)
    "table-too-large": "Tệp quá lớn ({value}); tối đa {most}",
    "table-encoding": (
        "Không nhận ra bảng mã của tệp: tệp CSV phải mã hóa UTF-8 (trong Excel: Lưu thành → "
        "“CSV UTF-8 (Comma delimited)”), UTF-16 (“Unicode Text”) hoặc Windows-1258 (“CSV” "
        "của Excel trên Windows tiếng Việt)"
    ),
    "table-nul": (
        "Tệp có ký tự NUL (mã 0): không phải văn bản, hoặc là UTF-16 lưu không có dấu BOM; "
        "hãy mở bằng Excel và lưu lại thành “CSV UTF-8”"
    ),
    "table-cell-too-long": (
        "Ô quá dài (tối đa {most} ký tự) hoặc có dấu ngoặc kép mở mà không đóng"
    ),
    "table-too-many-rows": "Tệp có quá nhiều dòng (tối đa {most} dòng, kể cả dòng tiêu đề)",
    "table-encrypted": (
        "Tệp Excel được đặt mật khẩu nên không đọc được; hãy bỏ mật khẩu (Tệp → Thông tin → "
        "Bảo vệ sổ làm việc → Mã hóa bằng mật khẩu) rồi lưu lại thành .xlsx"
    ),
    "table-xls": "Tệp .xls (Excel 97–2003) không được hỗ trợ; hãy lưu thành .xlsx",
    "table-not-xlsx": (
        "Tệp không phải bảng tính Excel .xlsx (có thể là tệp CSV được đổi tên thành .xlsx); "
        "hãy mở bằng Excel và lưu thành .xlsx, hoặc đổi tên đuôi thành .csv"
    ),
    "table-damaged": "Tệp Excel bị hỏng, không mở được; hãy mở bằng Excel và lưu lại thành .xlsx",
    "table-unzipped-too-large": (
        "Tệp Excel khi giải nén quá lớn hoặc nén bất thường ({value} khi giải nén; tối đa "
        "{most}); không đọc"
    ),
    "table-short-row": (
        "Dòng chỉ có {value} ô trong khi dòng tiêu đề có {most} cột; kiểm tra dấu phân cách "
        "(dấu phẩy, dấu chấm phẩy) và dấu ngoặc kép của dòng này"
    ),
    "table-is-folder": "Đây là một thư mục, không phải tệp bảng tính",
    "table-no-permission": "Không có quyền đọc tệp; hãy đóng tệp trong Excel hoặc kiểm tra quyền",
    "table-os-error": "Hệ điều hành không cho đọc tệp (mã lỗi {value}); hãy thử lại hoặc chép tệp",
    # usage
    "no-data": "Không tìm thấy dữ liệu: {detail}",
    # YAML files: what PyYAML, Python's codecs and pydantic say, in Vietnamese (parindex.yamlio,
    # parindex.criteria); {column} is the column on the issue's line
    "file-is-folder": "Đây là một thư mục, không phải một tệp YAML",
    "file-too-large": "Tệp quá lớn ({size} MiB; tối đa {most} MiB); tệp không được đọc. "
    "Hãy kiểm tra lại tệp (bộ tiêu chí hay hồ sơ thật chỉ vài trăm KiB)",
    "file-not-utf8": "Tệp không lưu bằng bảng mã UTF-8 (mã {byte} ở cột {column} không đọc được); "
    "hãy mở tệp và lưu lại với bảng mã UTF-8",
    "file-empty": "Tệp rỗng: {detail}",
    # … PyYAML's problem (the `problem` parameter of a yaml-syntax issue), its `detail`
    "yaml-tab": "cột {column} có ký tự tab; YAML chỉ cho phép thụt lề bằng dấu cách",
    "yaml-control-character": "cột {column} có ký tự điều khiển {char} (thường do dán từ Word "
    "hoặc tệp hỏng); hãy xóa ký tự đó",
    "yaml-unexpected-end": "tệp kết thúc khi một giá trị chưa đóng (thiếu dấu nháy "
    "hoặc dấu ngoặc đóng); hãy kiểm tra từ dòng này trở lên",
    "yaml-colon": "cột {column}, dấu hai chấm không được đặt ở đây; "
    "nếu giá trị có dấu hai chấm, hãy đặt giá trị trong dấu nháy kép",
    "yaml-unclosed-bracket": "cột {column}, danh sách hoặc bảng trong ngoặc chưa được đóng "
    "(thiếu ']' hoặc '}}') hoặc thiếu dấu phẩy giữa các phần tử",
    "yaml-undefined-alias": "cột {column}, tham chiếu '*' tới một neo '&' chưa được khai báo",
    "yaml-duplicate-anchor": "cột {column}, tên neo '&' đã được dùng ở trên",
    "yaml-many-documents": "tệp chứa nhiều tài liệu YAML (dấu '---'); mỗi tệp chỉ được một",
    "yaml-escape": "cột {column}, chuỗi trong dấu nháy kép có dấu '\\' không hợp lệ; "
    "hãy dùng dấu nháy đơn",
    "yaml-unknown-tag": "cột {column}, thẻ kiểu '!!' không được hỗ trợ; hãy bỏ thẻ đó",
    "yaml-bad-start": "cột {column}, ký tự '{char}' không được mở đầu một giá trị; "
    "hãy đặt giá trị trong dấu nháy kép",
    "yaml-indentation": "cột {column}, thụt lề không khớp với các dòng trên, hoặc thiếu dấu "
    "hai chấm sau tên khóa",
    "yaml-other": "cột {column}; hãy kiểm tra dòng này và dòng trên",
    # … pydantic's error (the `problem` of a wrong-type or bad-value issue), its `detail`
    "expect-number": "cần một số, ví dụ 1.5 hoặc 1,5",
    "expect-integer": "cần một số nguyên, ví dụ 2025",
    "expect-text": "cần một đoạn văn bản",
    "expect-not-empty": "không được để trống",
    "expect-yes-no": "cần 'true' (có) hoặc 'false' (không)",
    "expect-list": "cần một danh sách (mỗi phần tử một dòng bắt đầu bằng '- ')",
    "expect-at-least": "cần ít nhất {least} phần tử",
    "expect-mapping": "cần một bảng khóa: giá trị",
    "expect-one-of": "chỉ nhận một trong các giá trị {expected}",
    "expect-other": "giá trị không đúng dạng quy định",
    "expect-criteria": "bộ tiêu chí phải là một bảng khóa: giá trị (id, year, block, fields, …)",
    "expect-submission": "hồ sơ phải là một bảng khóa: giá trị (agency, year, leaves)",
    # files the loader would not read (parindex.dataset)
    "file-wrong-suffix": "Tệp '{name}' không được đọc vì đuôi tệp không phải .yaml; "
    "hãy đổi tên thành '{expected}'",
    "criteria-file-not-read": "Tệp '{name}' trong thư mục bộ tiêu chí không được đọc; "
    "bộ tiêu chí là tệp <khối>.yaml, hãy chuyển tệp này đi nơi khác",
    "submission-file-not-read": "Tệp '{name}' trong thư mục hồ sơ không được đọc; "
    "hồ sơ là tệp <mã đơn vị>.yaml, hãy chuyển tệp này đi nơi khác",
    "folder-no-criteria": "Thư mục hồ sơ '{value}' không có bộ tiêu chí cùng tên nên không được "
    "đọc (các khối có bộ tiêu chí: {blocks}); hãy đổi tên thư mục theo khối hoặc thêm bộ tiêu chí",
    "block-not-file-name": "Khối '{value}' khác tên tệp '{name}'; hãy đổi tên tệp thành "
    "'{value}.yaml' hoặc sửa khóa block",
    "agency-not-file-name": "Mã đơn vị '{value}' khác tên tệp '{name}'; hãy đặt tên tệp "
    "theo mã đơn vị ('{value}.yaml') hoặc sửa khóa agency",
    "check-no-criteria": "Không tìm thấy bộ tiêu chí để kiểm tra hồ sơ này (cần tệp '{expected}'); "
    "hãy để hồ sơ trong thư mục submissions/<năm>/<khối>/ của bộ dữ liệu",
    "points-too-large": "Điểm {value} quá lớn (tối đa {most}); hãy kiểm tra lại",
    "year-out-of-range": "Năm {value} nằm ngoài khoảng {low}–{high}",
    # identifiers: agency ids, leaf codes, block names (parindex.text.identifier)
    "identifier-empty": "Mã trống; mã đơn vị, mã tiêu chí và tên khối phải có ít nhất một ký tự",
    "identifier-too-long": "Mã “{value}” dài quá {most} ký tự",
    "identifier-space": "Mã “{value}” có khoảng trắng hoặc ký tự ẩn ({codepoint}) ở vị trí "
    "{position}; mã không được chứa khoảng trắng",
    "identifier-fullwidth": "Mã “{value}” có ký tự toàn độ rộng ‘{char}’ ở vị trí {position} "
    "(gõ từ bàn phím điện thoại); hãy gõ lại thành ‘{ascii}’",
    "identifier-lookalike": "Mã “{value}” có chữ ‘{char}’ ({codepoint}, chữ Kirin hoặc Hy Lạp "
    "trông giống chữ Latinh) ở vị trí {position}; hãy gõ lại bằng bàn phím tiếng Việt",
    "identifier-char": "Mã “{value}” có ký tự ‘{char}’ ({codepoint}) ở vị trí {position}; "
    "mã chỉ gồm chữ cái (kể cả chữ tiếng Việt), chữ số và các dấu . - _",
    "yaml-too-deep": "Tệp lồng quá nhiều cấp; bộ tiêu chí và hồ sơ chỉ có vài cấp",
    "yaml-alias-cycle": "Neo '&' ở dòng này được tham chiếu '*' bên trong chính nó (vòng lặp); "
    "hãy viết giá trị ra đầy đủ",
    "yaml-alias-expansion": "Các tham chiếu '*' nhân tệp lên quá {most} giá trị; "
    "hãy viết giá trị ra đầy đủ, không lồng tham chiếu",
    "yaml-bad-date": "Ngày “{value}” (cột {column}) không có trên lịch; hãy viết ngày có thật "
    "dạng năm-tháng-ngày, ví dụ 2025-02-28",
    "yaml-number-too-large": "Số “{value}” (cột {column}) quá lớn hoặc quá dài; "
    "hãy kiểm tra lại (tối đa {most} ký tự)",
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
    # the reminders' command (web/cli.py remind)
    "reminder-days-invalid": "Số ngày nhắc hạn “{value}” không hợp lệ; hãy viết các số nguyên không âm cách nhau bởi dấu phẩy, ví dụ 7,3,1",
    # last year's results (parindex.history)
    "history-empty": "Tệp không có dòng nào; hãy xóa tệp hoặc ghi dòng tiêu đề và các dòng dữ liệu",
    "history-missing-column": "Thiếu cột '{key}' ở dòng tiêu đề",
    "history-extra-cells": "Dòng có {value} ô, nhiều hơn {most} cột của dòng tiêu đề; kiểm tra "
    "dấu phân cách (dấu phẩy, dấu chấm phẩy) và dấu ngoặc kép của dòng này",
    "history-duplicate-agency": "Đơn vị “{value}” đã có ở {detail}; mỗi đơn vị chỉ được một dòng",
    "history-index-precision": "Chỉ số “{value}” có quá 2 chữ số thập phân; kết quả công bố "
    "chỉ có 2 chữ số thập phân, hãy kiểm tra lại tệp",
    "history-rank-zero": "Thứ hạng “{value}” không hợp lệ; thứ hạng bắt đầu từ 1",
    "history-wrong-year": "Tệp là kết quả năm {value}, không phải năm {expected}; hãy dùng đúng "
    "tệp kết quả năm {expected}",
    "history-json-syntax": "Tệp JSON sai cú pháp ở cột {column}; hãy dùng tệp .json do parindex "
    "ghi, không sửa tay",
    "history-json-shape": "Tệp JSON thiếu '{key}' hoặc không đúng cấu trúc kết quả của parindex; "
    "hãy dùng tệp .json do parindex ghi",
    "history-draft": "Tệp là BẢN NHÁP (ghi bằng --draft), không phải kết quả đã công bố; "
    "hãy dùng tệp kết quả chính thức",
    "history-no-applicable-max": "Tệp kết quả năm trước không có cột 'applicable_max' (Điểm "
    "tối đa áp dụng): đơn vị hợp nhất hoặc chia tách từ nhiều đơn vị sẽ không được so sánh với "
    "năm trước; hãy dùng tệp kết quả do parindex ghi",
    # the lineage file and unit types (parindex.lineage)
    "lineage-missing-column": "Thiếu cột '{key}' (hoặc '{alias}') ở dòng tiêu đề",
    "lineage-blank-cell": "Ô cột '{key}' để trống; hãy ghi {what}",
    "lineage-bad-change": "Hình thức thay đổi “{value}” không có; hãy ghi một trong: hợp nhất "
    "(sáp nhập), chia tách, đổi tên, giải thể, thành lập mới (hoặc: merged, split, renamed, "
    "dissolved, new)",
    "lineage-old-missing": "Thiếu mã đơn vị cũ; chỉ dòng “thành lập mới” được để trống mã cũ",
    "lineage-new-missing": "Thiếu mã đơn vị mới; chỉ dòng “giải thể” được để trống mã mới",
    "lineage-new-with-old": "Dòng “thành lập mới” không có đơn vị cũ; hãy xóa mã cũ “{value}” "
    "hoặc ghi hình thức hợp nhất, chia tách hay đổi tên",
    "lineage-dissolved-with-new": "Dòng “giải thể” không có đơn vị mới; hãy xóa mã mới "
    "“{value}” hoặc ghi hình thức hợp nhất, chia tách hay đổi tên",
    "lineage-duplicate-link": "Liên kết “{value}” đã có ở {detail}; mỗi cặp mã cũ – mã mới chỉ "
    "ghi một dòng",
    "lineage-renamed-several": "Đơn vị “{value}” được ghi đổi tên nhưng còn liên kết khác ở "
    "{detail}; đổi tên là một đơn vị cũ thành đúng một đơn vị mới, nếu không hãy ghi hợp nhất "
    "hoặc chia tách",
    "lineage-merged-one": "Đơn vị “{value}” hợp nhất chỉ từ một đơn vị ({detail}); hợp nhất cần "
    "ít nhất hai đơn vị cũ: hãy ghi thêm các đơn vị cũ còn lại (đơn vị nhận giữ mã của mình thì "
    "ghi thêm dòng “{value}” → “{value}”), hoặc ghi “đổi tên”",
    "lineage-split-one": "Đơn vị “{value}” chia tách chỉ thành một đơn vị ({detail}); chia tách "
    "cần ít nhất hai đơn vị mới: hãy ghi thêm các đơn vị mới còn lại, hoặc ghi “đổi tên”",
    "lineage-dissolved-continues": "Đơn vị “{value}” được ghi giải thể nhưng vẫn tiếp tục "
    "({detail}); hãy bỏ dòng giải thể hoặc sửa dòng kia",
    "lineage-unknown-new": "Mã mới “{value}” không có trong danh sách đơn vị năm nay và không là "
    "mã cũ của dòng nào khác; hãy kiểm tra mã",
    "lineage-unknown-old": "Mã cũ “{value}” không có trong các đơn vị năm trước và không là mã "
    "mới của dòng nào khác; hãy kiểm tra mã",
    "lineage-mapping-not-read": "Tệp '{name}' không còn được đọc; hãy chép nội dung sang "
    "lineage.csv (lịch sử sắp xếp đơn vị: mã cũ, mã mới, thay đổi, ngày hiệu lực) rồi xóa tệp này",
    "lineage-two-files": "Có cả '{name}' và tệp này; chỉ giữ một tệp lịch sử sắp xếp đơn vị",
    # the yearly CCHC plan's appendix (parindex.plan)
    "plan-no-header": (
        "Không tìm thấy dòng tiêu đề của phụ lục kế hoạch (cần các cột: {detail}); hãy giữ "
        "dòng tiêu đề STT | Nhiệm vụ | Sản phẩm cụ thể | Thời gian thực hiện | Cơ quan chủ trì"
    ),
    "plan-missing-column": "Thiếu cột '{column}' ở dòng tiêu đề",
    "plan-blank-cell": "Ô cột '{name}' để trống; nhiệm vụ nào cũng phải có nội dung, thời gian "
    "thực hiện và cơ quan chủ trì",
    "plan-bad-time": (
        "Không đọc được thời gian thực hiện “{value}”; hãy ghi một ngày (31/03/2025), một quý "
        "(Quý I/2025), một tháng (Tháng 6/2025), “6 tháng đầu năm”, “Trong năm 2025” hoặc "
        "“Thường xuyên”"
    ),
    "plan-time-other-year": "Thời gian thực hiện “{value}” không thuộc năm {year} của kế hoạch; "
    "hãy kiểm tra lại",
    "plan-unknown-unit": (
        "Không có đơn vị “{value}” trong danh sách đơn vị năm {year}; hãy ghi đúng tên đơn vị "
        "(ví dụ “{example}”), phân cách các đơn vị bằng dấu phẩy, dấu chấm phẩy hoặc xuống dòng"
    ),
    "plan-collective-empty": "“{value}” không chỉ đơn vị nào trong danh sách đơn vị năm {year}",
    "plan-no-tasks": "Phụ lục kế hoạch không có nhiệm vụ nào dưới dòng tiêu đề",
    "unit-type-unknown": "Loại đơn vị “{value}” không có; hãy ghi một trong: {detail}",
    # hints on cited evidence for the appraisal panel (parindex.hints): warnings, never scores
    "evidence-number-format": "Số, ký hiệu “{value}” không đúng thể thức văn bản hành chính "
    "(số/ký hiệu loại văn bản-cơ quan ban hành, ví dụ 125/KH-UBND; Nghị định 30/2020/NĐ-CP)",
    "evidence-number-type": "Số, ký hiệu “{value}” là {type_name} ({type}) nhưng trích yếu là "
    "{title_name}; hãy kiểm tra văn bản",
    "evidence-date-window": "Văn bản {value} ngày {date:%d/%m/%Y} nằm ngoài thời gian đánh giá "
    "({start:%d/%m/%Y} – {end:%d/%m/%Y})",
    "evidence-date-claimed": "Ngày ban hành kê khai {claimed:%d/%m/%Y} khác ngày của văn bản "
    "minh chứng {value} ({date:%d/%m/%Y})",
    "evidence-same-file": "Tệp của văn bản {value} giống hệt tệp minh chứng của đơn vị khác: "
    "{detail}",
    "evidence-same-number": "Văn bản {value} cũng là minh chứng của đơn vị khác: {detail}",
    "evidence-reused": "Văn bản {value} cũng là minh chứng của tiêu chí {leaf_list} (thuộc tiêu "
    "chí khác) của đơn vị",
    "evidence-link-scheme": "Đường dẫn “{value}” không phải địa chỉ web http:// hoặc https://",
}


#: the most characters of one parameter a message echoes (a 400 MB cell is shown by its start)
ECHO_CHARS = 60
#: the most characters of a ``detail``: mostly an explanation from this catalogue (a YAML or a
#: pydantic problem in words), which a cut at ECHO_CHARS left mid-word; still bounded
DETAIL_CHARS = 400


def shown(value: Any, limit: int = ECHO_CHARS) -> Any:
    """A parameter as a message echoes it: text longer than ``limit`` is cut to its first
    characters and "…" (the one place echoed values are bounded); other values as given."""
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    if isinstance(value, bytes | bytearray) and len(value) > limit:
        return bytes(value[:limit]).hex(" ") + " …"
    return value


def message(code: str, **params: Any) -> str:
    """The Vietnamese message of ``code`` rendered from its template over ``params`` (each
    parameter bounded by :func:`shown`; a ``detail`` to :data:`DETAIL_CHARS`)."""
    template = MESSAGES[code]
    bounded = {
        k: shown(v, DETAIL_CHARS if k == "detail" else ECHO_CHARS) for k, v in params.items()
    }
    return template.format_map(_Params(bounded))


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
        return "" if value is None else str(shown(value))

    def __str__(self) -> str:
        return f"{self.location}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, Any]:
        location = {k: v for k, v in asdict(self.location).items() if v not in ("", None)}
        return {
            "code": self.code,
            "location": location,
            "message": self.message,
            "value": self.value,
            "params": {k: _plain(shown(v)) for k, v in self.params.items()},
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
