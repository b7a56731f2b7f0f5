"""Every audit action the hub records, in one place: dotted names, `subject.verb`."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    ORG_CREATE = "org.create"
    ORG_IMPORT = "org.import"
    USER_CREATE = "user.create"
    USER_IMPORT = "user.import"
    USER_PASSWORD_LINK = "user.password_link"  # a one-time set-password link was used
    USER_LOGIN = "user.login"
    USER_LOGIN_FAILED = "user.login_failed"
    USER_SET_PASSWORD = "user.set_password"
    USER_CHANGE_PASSWORD = "user.change_password"
    USER_DISABLE = "user.disable"
    USER_ENABLE = "user.enable"
    MEMBERSHIP_ADD = "membership.add"
    TOKEN_CREATE = "token.create"
    TOKEN_REVOKE = "token.revoke"
    RESOURCE_CREATE = "resource.create"
    RESOURCE_UPDATE = "resource.update"
    RESOURCE_SUBMIT = "resource.submit"
    RESOURCE_PUBLISH = "resource.publish"
    RESOURCE_REJECT = "resource.reject"
    RESOURCE_NEW_VERSION = "resource.new_version"
    RESOURCE_WITHDRAW = "resource.withdraw"
    RESOURCE_IMPORT = "resource.import"
    FILE_UPLOAD = "file.upload"
    FILE_DOWNLOAD = "file.download"  # by an administrator, of a file that is not public
    FILE_DELETE = "file.delete"
    UPLOAD_START = "upload.start"
    SOURCE_CREATE = "source.create"
    SOURCE_UPDATE = "source.update"
    SOURCE_SYNC = "source.sync"
    SOURCE_SYNC_FINISH = "source.sync.finish"
    SOURCE_MIRROR = "source.mirror"
    BUNDLE_IMPORT = "bundle.import"
    BUNDLE_UPLOAD = "bundle.upload"  # a bundle uploaded on /admin/bundles: who, which file
    BUNDLE_UPLOAD_FINISH = "bundle.upload.finish"  # its import's result
    BUNDLE_TRUST_KEY = "bundle.trust_key"
    WORK_MERGE = "work.merge"
    WORK_UNMERGE = "work.unmerge"
    WORK_KEEP_APART = "work.keep_apart"
    COLLECTION_CREATE = "collection.create"
    COLLECTION_UPDATE = "collection.update"
    COLLECTION_DELETE = "collection.delete"
    RATING_SET = "rating.set"
    COMMENT_CREATE = "comment.create"
    COMMENT_REPORT = "comment.report"
    COMMENT_HIDE = "comment.hide"
    COMMENT_REMOVE = "comment.remove"
    COMMENT_PUBLISH = "comment.publish"
    COMMENT_POLICY = "comment.policy"


def audit_action(name: str) -> AuditAction:
    """The action for `name`; an unlisted name is a programming error, caught by the tests, not at a
    user."""
    try:
        return AuditAction(name)
    except ValueError:
        raise ValueError(
            f"unknown audit action {name!r}: add it to hub.events.AuditAction"
        ) from None
