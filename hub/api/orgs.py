"""API: orgs (placeholder, being built)."""
from flask_smorest import Blueprint

blp = Blueprint("orgs", __name__, url_prefix="/api/v1")
