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
    return config
