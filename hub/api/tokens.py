"""API: tokens (placeholder, being built)."""
from flask_smorest import Blueprint

blp = Blueprint("tokens", __name__, url_prefix="/api/v1")
