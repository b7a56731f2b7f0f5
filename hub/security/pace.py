"""How often one user may rate or comment: a moving window per user and action, on the shared
rate-limit store (the broker's Redis, else in-process), as log-ins are throttled."""

from __future__ import annotations

from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from hub.errors import TooManyRequests
from hub.security.throttle import store_errors

NAMESPACE = "eduhub-pace"
LIMITS = {
    "comment": "5/minute;60/day",
    "rating": "30/minute;500/day",
    "report": "10/minute;100/day",
}
TOO_FAST = (
    "您操作得太频繁了，请过几分钟再试。You are posting too often: wait a few minutes and try again."
)


class UserPace:
    def __init__(self, url: str = "memory://", limits: dict[str, str] | None = None):
        self.limiter = MovingWindowRateLimiter(storage_from_string(url))
        self.limits = {name: parse_many(spec) for name, spec in (limits or LIMITS).items()}

    def hit(self, action: str, user_id: int | None) -> None:
        """Count one `action` by this user, or refuse it (429) when they are over a limit."""
        with store_errors():
            for limit in self.limits[action]:
                if not self.limiter.hit(limit, NAMESPACE, action, str(user_id)):
                    raise TooManyRequests(TOO_FAST)
