"""Request and response schemas for organisations, users and tokens (also the OpenAPI)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hub.db.models.accounts import ORG_KINDS, ROLES
from hub.security.scopes import SCOPES

CODE = validate.Regexp(
    r"^[A-Za-z0-9_.-]{2,64}$", error="2-64 ASCII letters, digits, '_', '.' or '-'."
)


class OrgCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE, metadata={"example": "nx-yc-xq-01"})
    name = fields.String(
        required=True, validate=validate.Length(1, 200), metadata={"example": "银川市第一小学"}
    )
    kind = fields.String(load_default="school", validate=validate.OneOf(ORG_KINDS))
    parent = fields.String(
        load_default=None, allow_none=True, metadata={"description": "the parent's code"}
    )
    region = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(2, 12),
        metadata={"description": "administrative region code, e.g. 640104"},
    )


class OrgQuerySchema(Schema):
    parent = fields.String(
        metadata={"description": "only the organisations under this one (its code)"}
    )
    kind = fields.String(validate=validate.OneOf(ORG_KINDS))


class OrgSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    parent = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    created = fields.DateTime()


class OrgNodeSchema(OrgSchema):
    children = fields.List(fields.Nested(lambda: OrgNodeSchema()))


class OrgTreeSchema(Schema):
    orgs = fields.List(
        fields.Nested(OrgNodeSchema), metadata={"description": "roots of the tree, with children"}
    )
    total = fields.Integer()


class MembershipSchema(Schema):
    org = fields.String()
    org_name = fields.String()
    role = fields.String()


class UserCreateSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 1024))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    is_admin = fields.Boolean(load_default=False)
    org = fields.String(
        load_default=None, allow_none=True, metadata={"description": "organisation code"}
    )
    role = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ROLES))


class PasswordSchema(Schema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 1024))
    current_password = fields.String(
        load_default=None,
        allow_none=True,
        load_only=True,
        metadata={"description": "required when changing one's own password"},
    )


class UserStateSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    is_active = fields.Boolean()


class UserQuerySchema(Schema):
    org = fields.String(
        metadata={"description": "only members of this organisation and those under it"}
    )


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    is_admin = fields.Boolean()
    is_active = fields.Boolean()
    created = fields.DateTime()
    memberships = fields.List(fields.Nested(MembershipSchema))


class UserListSchema(Schema):
    users = fields.List(fields.Nested(UserSchema))
    total = fields.Integer()


class TokenCreateSchema(Schema):
    name = fields.String(
        load_default="", validate=validate.Length(max=200), metadata={"example": "nightly import"}
    )
    expires_days = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(1, 3650)
    )
    email = fields.String(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "with `password`: log in to get a first token; "
            "alone: an admin creating another's token"
        },
    )
    password = fields.String(load_default=None, allow_none=True, load_only=True)
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPES)),
        load_default=None,
        allow_none=True,
        metadata={"description": "read, write, harvest, admin; default and limit: the caller's"},
    )
    org = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={
            "description": "bind a harvest token to this organisation's subtree (scope harvest "
            "alone; admins and that organisation's org_admins only)"
        },
    )

    @validates_schema
    def _password_needs_email(self, data, **kwargs):
        if data.get("password") is not None and not data.get("email"):
            raise ValidationError("Give the email that goes with the password.", "email")


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "the first characters, to tell tokens apart"})
    user = fields.String()
    created = fields.DateTime()
    expires = fields.DateTime(allow_none=True)
    revoked = fields.DateTime(allow_none=True)
    last_used = fields.DateTime(allow_none=True)
    scopes = fields.List(fields.String())
    org = fields.String(allow_none=True, metadata={"description": "a harvest token's subtree"})


class TokenCreatedSchema(TokenSchema):
    token = fields.String(
        metadata={"description": "the token itself: shown this once, store it safely"}
    )


class TokenListSchema(Schema):
    tokens = fields.List(fields.Nested(TokenSchema))
