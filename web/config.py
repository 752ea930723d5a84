"""Settings, declared once with their meaning. Read from the environment in create_app, never at
import time. Every setting is documented in docs/web.md (a test checks it)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

#: name → (default, help)
SETTINGS: dict[str, tuple[Any, str]] = {
    "SECRET_KEY": (
        None,
        "Khóa ký phiên đăng nhập và CSRF. Bắt buộc khi chạy thật (biến môi "
        "trường SECRET_KEY); thiếu thì sinh khóa tạm, mọi phiên mất khi khởi động lại.",
    ),
    "DATABASE_URL": (
        "sqlite:///parindex.db",
        "CSDL qua SQLAlchemy: tệp SQLite (mặc định) hoặc postgresql+psycopg2://user:pass@host/db.",
    ),
    "UPLOAD_FOLDER": ("uploads", "Thư mục lưu tệp minh chứng (tên tệp do hệ thống sinh)."),
    "MAX_UPLOAD_MB": (20, "Dung lượng tối đa của một tệp minh chứng (MB)."),
    "PROVINCE": (
        "",
        "Tên tỉnh (ví dụ Đồng Tháp) ghi trên báo cáo tự đánh giá của đơn vị: địa danh, cơ quan "
        "chủ quản “UBND tỉnh …”, “Kính gửi: Sở Nội vụ tỉnh …” (biến môi trường PROVINCE); "
        "để trống thì báo cáo để chỗ trống cho đơn vị điền.",
    ),
    "LOGIN_MAX_FAILURES": (5, "Số lần đăng nhập sai liên tiếp trước khi tạm khóa tài khoản."),
    "LOGIN_LOCK_MINUTES": (15, "Thời gian tạm khóa sau quá nhiều lần đăng nhập sai (phút)."),
    "STAFF_SECOND_FACTOR": (
        True,
        "Sở Nội vụ và quản trị phải dùng xác thực hai bước (mã TOTP) từ lần đăng nhập tới; "
        "tắt cho bản chạy thử hoặc kiểm thử: PARINDEX_SECOND_FACTOR_OPTIONAL=1.",
    ),
    "SESSION_COOKIE_SECURE": (
        True,
        "Cookie phiên chỉ gửi qua HTTPS (tắt khi chạy thử bằng HTTP "
        "trên máy: PARINDEX_INSECURE_COOKIES=1).",
    ),
    "SMTP_HOST": (
        "",
        "Máy chủ thư (SMTP) gửi thông báo qua e-mail; để trống thì chỉ có thông báo trong ứng "
        "dụng (thư vẫn nằm trong hàng đợi, gửi khi đặt máy chủ và chạy parindex remind).",
    ),
    "SMTP_PORT": (587, "Cổng SMTP: 587 với STARTTLS, 465 với SSL/TLS, 25 không mã hóa."),
    "SMTP_USER": ("", "Tên đăng nhập SMTP; để trống nếu máy chủ không yêu cầu đăng nhập."),
    "SMTP_PASSWORD": ("", "Mật khẩu SMTP (chỉ đọc từ biến môi trường, không ghi vào tệp)."),
    "SMTP_SENDER": (
        "parindex@localhost",
        "Địa chỉ người gửi (From) của thư thông báo, ví dụ cchc@sonoivu.tinh.gov.vn.",
    ),
    "SMTP_TLS": (
        "starttls",
        "Mã hóa kết nối SMTP: starttls (nâng cấp sau khi kết nối), ssl (SSL/TLS ngay từ đầu) "
        "hoặc none (không mã hóa: chỉ dùng với máy chủ thư nội bộ).",
    ),
    "SMTP_TIMEOUT": (10, "Thời gian chờ máy chủ thư tối đa cho mỗi thao tác (giây)."),
    "MAIL_AFTER_COMMIT": (
        20,
        "Số thư tối đa ứng dụng thử gửi ngay sau khi lưu một thao tác tạo thông báo; phần còn "
        "lại (và thư gửi lỗi) do parindex remind gửi. 0: chỉ parindex remind gửi thư.",
    ),
    "BASE_URL": (
        "",
        "Địa chỉ gốc của ứng dụng dùng cho đường dẫn trong thư, ví dụ https://cchc.tinh.gov.vn; "
        "để trống thì thư không có đường dẫn.",
    ),
    "REMINDER_DAYS": (
        "7,3,1",
        "Nhắc hạn trước mỗi hạn chót (tự đánh giá, giải trình) bao nhiêu ngày, cách nhau bởi "
        "dấu phẩy; parindex remind gửi mỗi lần nhắc một lần cho đơn vị chưa nộp.",
    ),
}


def from_environment(instance_path: str) -> dict[str, Any]:
    env = os.environ
    config: dict[str, Any] = {k: v for k, (v, _) in SETTINGS.items()}
    config["SECRET_KEY"] = env.get("SECRET_KEY") or secrets.token_hex(32)
    config["DATABASE_URL"] = env.get(
        "DATABASE_URL", "sqlite:///" + str(Path(instance_path) / "parindex.db")
    )
    config["UPLOAD_FOLDER"] = env.get("UPLOAD_FOLDER", str(Path(instance_path) / "uploads"))
    if env.get("MAX_UPLOAD_MB"):
        config["MAX_UPLOAD_MB"] = int(env["MAX_UPLOAD_MB"])
    config["PROVINCE"] = env.get("PROVINCE", "").strip()
    config["SESSION_COOKIE_SECURE"] = not env.get("PARINDEX_INSECURE_COOKIES")
    config["STAFF_SECOND_FACTOR"] = not env.get("PARINDEX_SECOND_FACTOR_OPTIONAL")
    for name in ("SMTP_HOST", "SMTP_USER", "SMTP_PASSWORD", "SMTP_SENDER", "SMTP_TLS"):
        config[name] = env.get(name, config[name])
    for name in ("BASE_URL", "REMINDER_DAYS"):
        config[name] = env.get(name, config[name])
    for name in ("SMTP_PORT", "SMTP_TIMEOUT", "MAIL_AFTER_COMMIT"):
        if env.get(name):
            config[name] = int(env[name])
    return config
