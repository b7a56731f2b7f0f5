"""Outbox topics: every intent a unit of work can record for after its commit, in one enum."""

from __future__ import annotations

from enum import StrEnum


class Topic(StrEnum):
    """Stored as text in `outbox.topic`: renaming a value strands the messages already written."""

    RESOURCE_INDEX = "resource.index"  # one resource: {id}
    # The same intent as RESOURCE_INDEX for many resources ({ids}); one message per unit of work.
    RESOURCE_INDEX_BATCH = "resource.index_batch"
    FILE_EXTRACT = "file.extract"  # {id, sha256, mimetype}: text for the search index
    FILE_PREVIEW = "file.preview"  # {id, sha256, mimetype}: a PDF preview of an office file
    # {id, sha256, mimetype}: the 360p MP4 of a video, the PDF of an office file (a worker task)
    FILE_RENDITION = "file.rendition"
    SOURCE_SYNC = "source.sync"  # {run_id, source_id}: hand a queued sync run to a worker
    BUNDLE_BUILD = "bundle.build"  # {id}: build the offline bundle of a queued bundle job
    BUNDLE_IMPORT = "bundle.import"  # {id}: import a bundle an operator uploaded on /admin/bundles
