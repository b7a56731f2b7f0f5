"""Every table of the hub, imported here so that `Base.metadata` knows them all."""

from hub.db.models.accounts import (  # noqa: F401
    ApiToken,
    Membership,
    Organisation,
    PasswordLink,
    User,
)
from hub.db.models.bundles import BundleJob  # noqa: F401
from hub.db.models.events import AuditEntry, Change, OutboxMessage  # noqa: F401
from hub.db.models.mirrors import Mirror, MirrorFile  # noqa: F401
from hub.db.models.previews import Preview, Rendition  # noqa: F401
from hub.db.models.provenance import ResourcePath, WorkDecision  # noqa: F401
from hub.db.models.resources import Blob, Resource, ResourceFile  # noqa: F401
from hub.db.models.social import (  # noqa: F401
    Collection,
    CollectionItem,
    Comment,
    CommentPolicy,
    CommentReport,
    Favourite,
    Rating,
)
from hub.db.models.sources import Source, SourceBlob, SyncFailure, SyncRun  # noqa: F401
from hub.db.models.texts import FileText  # noqa: F401
from hub.db.models.uploads import UploadSession  # noqa: F401
from hub.db.models.usage import (  # noqa: F401
    CoverageCount,
    UsageDaily,
    UsageEvent,
    UsageHourly,
    UsageWatermark,
)
