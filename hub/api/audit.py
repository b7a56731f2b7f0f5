"""API: audit (placeholder, being built)."""
from flask_smorest import Blueprint

blp = Blueprint("audit", __name__, url_prefix="/api/v1")
