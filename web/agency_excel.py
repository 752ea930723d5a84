"""Excel round trip for an agency's self-assessment (placeholder until it lands)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("agency_excel", __name__, url_prefix="/don-vi/excel")
