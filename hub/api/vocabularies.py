"""API: vocabularies (placeholder, being built)."""
from flask_smorest import Blueprint

blp = Blueprint("vocabularies", __name__, url_prefix="/api/v1")
