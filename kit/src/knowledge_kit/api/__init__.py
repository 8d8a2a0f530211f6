"""The platform's API conventions, once for every service: pagination (AIP-158), update masks
(AIP-134), resource names and ids (AIP-122), etags (AIP-154), bounded filter and query text
(AIP-160), times and time ranges, the caller and the clock."""

from knowledge_kit.api.caller import caller, caller_name
from knowledge_kit.api.clock import Clock, utc_now
from knowledge_kit.api.etags import check_etag, new_etag
from knowledge_kit.api.masks import update_paths
from knowledge_kit.api.names import (
    CHOSEN_ID,
    ID_SEGMENT,
    ResourcePattern,
    checked_resource_id,
    new_resource_id,
)
from knowledge_kit.api.pages import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Page,
    PageRequest,
    PageTokens,
    Position,
    checked_page_size,
)
from knowledge_kit.api.text import MAX_QUERY_CHARS, checked_query_text
from knowledge_kit.api.times import checked_time, checked_time_range

__all__ = [
    "CHOSEN_ID",
    "DEFAULT_PAGE_SIZE",
    "ID_SEGMENT",
    "MAX_PAGE_SIZE",
    "MAX_QUERY_CHARS",
    "Clock",
    "Page",
    "PageRequest",
    "PageTokens",
    "Position",
    "ResourcePattern",
    "caller",
    "caller_name",
    "check_etag",
    "checked_page_size",
    "checked_query_text",
    "checked_resource_id",
    "checked_time",
    "checked_time_range",
    "new_etag",
    "new_resource_id",
    "update_paths",
    "utc_now",
]
