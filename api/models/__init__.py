"""All table models, in one package so that relationships never tangle imports."""

from api.models.actions import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionRequirement,
    ActionStatus,
    ActionUpdate,
)
from api.models.audit import AuditEvent
from api.models.base import metadata
from api.models.challenge import (
    ChallengeEvent,
    ChallengeSession,
    EnquiryStandard,
    EventStatus,
    FollowUp,
    FollowUpUpdate,
    LineOfEnquiry,
    Outcome,
    PanelMember,
    PanelScore,
    SessionReopening,
    SessionStatus,
)
from api.models.framework import (
    Colour,
    Framework,
    FrameworkVersion,
    RatingLevel,
    RatingScale,
    Requirement,
    Standard,
)
from api.models.idempotency import IdempotencyKey
from api.models.invitation import Invitation
from api.models.outbox import Channel, NoticeOptOut, OutboxMessage, WebhookEndpoint
from api.models.partnership import Agency, AgencyOffer, Partnership, PartnershipAgency, Sector
from api.models.people import (
    ApiToken,
    Deactivation,
    Membership,
    PasswordReset,
    Role,
    SignInFailure,
    TokenKind,
    User,
)
from api.models.programme import Programme, ProgrammeAgency, ProgrammeStatus
from api.models.returns import (
    RequirementResponse,
    Return,
    ReturnEvent,
    ReturnStatus,
    ReturnVersion,
)
from api.models.review import Attachment, EvidenceFile, ModeratedRating, ReviewNote

__all__ = [
    "OPEN_ACTION_STATUSES",
    "Action",
    "ActionRequirement",
    "ActionStatus",
    "ActionUpdate",
    "Agency",
    "AgencyOffer",
    "ApiToken",
    "Attachment",
    "Channel",
    "AuditEvent",
    "ChallengeEvent",
    "Deactivation",
    "ChallengeSession",
    "Colour",
    "EnquiryStandard",
    "EventStatus",
    "EvidenceFile",
    "FollowUp",
    "FollowUpUpdate",
    "Framework",
    "FrameworkVersion",
    "IdempotencyKey",
    "Invitation",
    "LineOfEnquiry",
    "Membership",
    "ModeratedRating",
    "NoticeOptOut",
    "OutboxMessage",
    "PasswordReset",
    "Outcome",
    "PanelMember",
    "PanelScore",
    "Partnership",
    "PartnershipAgency",
    "Programme",
    "ProgrammeAgency",
    "ProgrammeStatus",
    "RatingLevel",
    "RatingScale",
    "Requirement",
    "RequirementResponse",
    "Return",
    "ReturnEvent",
    "ReturnStatus",
    "ReturnVersion",
    "ReviewNote",
    "Role",
    "Sector",
    "SessionReopening",
    "SessionStatus",
    "SignInFailure",
    "Standard",
    "TokenKind",
    "User",
    "WebhookEndpoint",
    "metadata",
]
