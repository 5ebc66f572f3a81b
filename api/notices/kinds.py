"""The kinds of email Assure sends, and which of them a person may turn off."""

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
