"""API: resources (placeholder, being built)."""
from flask_smorest import Blueprint

blp = Blueprint("resources", __name__, url_prefix="/api/v1")
