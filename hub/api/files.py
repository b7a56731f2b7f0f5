"""API: files (placeholder, being built)."""
from flask_smorest import Blueprint

blp = Blueprint("files", __name__, url_prefix="/api/v1")
