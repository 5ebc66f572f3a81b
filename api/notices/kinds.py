"""The kinds of email Assure sends: notices, which a person may turn off, and security
emails (an invitation, a password reset), which nobody can turn off and whose bodies carry
a secret link, so that admins see only that they were sent."""

from enum import StrEnum


class NoticeKind(StrEnum):
    programme_opened = "programme_opened"
    deadline_near = "deadline_near"
    return_returned = "return_returned"
    return_accepted = "return_accepted"
    return_submitted = "return_submitted"
    action_overdue = "action_overdue"
    follow_up_overdue = "follow_up_overdue"
    weekly_digest = "weekly_digest"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    NoticeKind.programme_opened: "An audit programme opens for your agency",
    NoticeKind.deadline_near: "Your return's deadline is near and it is not submitted",
    NoticeKind.return_returned: "Your return was returned for more information",
    NoticeKind.return_accepted: "Your return was accepted",
    NoticeKind.return_submitted: "An agency submitted its return (business unit)",
    NoticeKind.action_overdue: "An action of your agency's plan is overdue",
    NoticeKind.follow_up_overdue: "A follow-up from a challenge session is overdue",
    NoticeKind.weekly_digest: "The weekly digest of returns and actions (business unit)",
}


class SecurityKind(StrEnum):
    invitation = "invitation"
    password_reset = "password_reset"

    @property
    def label(self) -> str:
        return SECURITY_LABELS[self]


SECURITY_LABELS = {
    SecurityKind.invitation: "An invitation to join a partnership",
    SecurityKind.password_reset: "A link to choose a new password",
}


def label(kind: str) -> str:
    """What a message of this kind is, for the outbox page."""
    if is_security(kind):
        return SecurityKind(kind).label
    return NoticeKind(kind).label


def is_security(kind: str) -> bool:
    return kind in SECURITY_KINDS


SECURITY_KINDS = frozenset(k.value for k in SecurityKind)
