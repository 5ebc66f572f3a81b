"""Invitations by email: roles in a partnership offered to an email, taken up by its person.

An invitation answers alike whether or not the email has an account elsewhere: the
inviting partnership learns nothing of a person until they accept (ADR 3). Only the
SHA-256 of the link's token is kept; sending the invitation again replaces the token, so
that the older link stops working.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from api import passwords
from api.agencies import service as agencies
from api.audit import service as audit
from api.auth import service as auth
from api.auth.service import normalise_email
from api.events.catalogue import Event
from api.events.emit import emit
from api.invitations import rules
from api.invitations.rules import InvitationState
from api.invitations.schemas import (
    InvitationAccept,
    InvitationAccepted,
    InvitationCreate,
    InvitationOffer,
    InvitationRead,
    InvitedRole,
)
from api.models import Agency, Invitation, Membership, Partnership, Role, User
from api.models.base import utcnow
from api.notices import links
from api.notices.kinds import SecurityKind
from api.notices.send import security_email
from api.permissions import require_may_grant
from api.problems import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound
from api.security import Principal, hash_password, load_principal, new_token, token_digest
from api.settings import Settings


class InvitationInvalid(NotFound):
    """One answer for a token Assure never sent and one that a newer email replaced."""

    slug, title = "invitation-invalid", "This invitation link is not valid"


class InvitationClosed(Conflict):
    slug, title = "invitation-closed", "This invitation can no longer be accepted"


class AlreadyMember(Conflict):
    slug, title = "already-member", "This person already belongs to the partnership"


class AlreadyInvited(Conflict):
    slug, title = "already-invited", "This email already has a pending invitation"


INVALID = (
    "The link is not one Assure sent, or a newer invitation email replaced it. "
    "Use the link in the latest email, or ask the person who invited you to send it again."
)
CLOSED = {
    InvitationState.accepted: "This invitation was already accepted. Sign in to Assure.",
    InvitationState.revoked: "This invitation was withdrawn. Ask the partnership for a new one.",
    InvitationState.expired: "This invitation has expired. Ask the person who invited you "
    "to send it again.",
}


def _snapshot(invitation: Invitation) -> dict[str, Any] | None:
    return audit.snapshot(invitation, exclude={"token_hash"})


def _record(
    session: Session,
    event: Event,
    invitation: Invitation,
    *,
    principal: Principal | None,
    actor_label: str | None = None,
) -> None:
    emit(
        session,
        event,
        principal=principal,
        entity_type="invitation",
        entity_id=invitation.id,
        partnership_id=invitation.partnership_id,
        after=_snapshot(invitation),
        actor_label=actor_label,
    )


def _roles(session: Session, invitation: Invitation) -> list[InvitedRole]:
    ids = [r["agency_id"] for r in invitation.roles if r.get("agency_id") is not None]
    names = dict(
        session.exec(select(Agency.id, Agency.name).where(col(Agency.id).in_(ids))).all()
        if ids
        else []
    )
    out = []
    for r in invitation.roles:
        role, agency_id = Role(str(r["role"])), r.get("agency_id")
        out.append(
            InvitedRole(
                role=role,
                role_label=role.label,
                agency_id=agency_id,  # type: ignore[arg-type]
                agency_name=names.get(agency_id),  # type: ignore[call-overload]
            )
        )
    return out


def read(session: Session, invitation: Invitation) -> InvitationRead:
    assert invitation.id is not None
    return InvitationRead(
        id=invitation.id,
        email=invitation.email,
        name=invitation.name,
        roles=_roles(session, invitation),
        state=rules.state(invitation, utcnow()),
        invited_by=invitation.invited_by_name,
        created_at=invitation.created_at,
        last_sent_at=invitation.last_sent_at,
        expires_at=invitation.expires_at,
        accepted_at=invitation.accepted_at,
        revoked_at=invitation.revoked_at,
    )


def _send(session: Session, invitation: Invitation, token: str) -> None:
    """Queue the email with the link; its key is the token's, so each sending is its own."""
    partnership = session.get(Partnership, invitation.partnership_id)
    assert partnership is not None
    security_email(
        session,
        SecurityKind.invitation,
        key=f"{invitation.id}-{token_digest(token)[:16]}",
        partnership_id=invitation.partnership_id,
        recipient=invitation.email,
        context={
            "invitation": invitation,
            "partnership": partnership,
            "roles": _roles(session, invitation),
            "link": links.invitation_page(token),
        },
    )


def _new_link(invitation: Invitation) -> str:
    token, digest = new_token()
    now = utcnow()
    invitation.token_hash = digest
    invitation.expires_at = now + rules.LIFETIME
    invitation.last_sent_at = now
    return token


def _check_grants(
    session: Session, *, principal: Principal, partnership_id: int, data: InvitationCreate
) -> None:
    for i, grant in enumerate(data.roles):
        require_may_grant(principal, partnership_id, grant.role)
        if grant.agency_id is not None:
            try:
                agencies.get_pair(session, partnership_id=partnership_id, agency_id=grant.agency_id)
            except NotFound:
                raise Invalid(
                    {f"roles.{i}.agency_id": "is not an agency of this partnership"}
                ) from None


def _member_by_email(session: Session, *, partnership_id: int, email: str) -> bool:
    found = session.exec(
        select(Membership.id)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.partnership_id == partnership_id, User.email == email)
    ).first()
    return found is not None


def _pending(session: Session, *, partnership_id: int, email: str) -> Invitation | None:
    return session.exec(
        select(Invitation).where(
            Invitation.partnership_id == partnership_id,
            Invitation.email == email,
            rules.where_state(InvitationState.pending, utcnow()),
        )
    ).first()


def pending_emails(session: Session, *, partnership_id: int, emails: set[str]) -> set[str]:
    """Which of these emails have a pending invitation here."""
    return set(
        session.exec(
            select(Invitation.email).where(
                Invitation.partnership_id == partnership_id,
                col(Invitation.email).in_(emails),
                rules.where_state(InvitationState.pending, utcnow()),
            )
        ).all()
    )


def invite(
    session: Session, *, principal: Principal, partnership_id: int, data: InvitationCreate
) -> Invitation:
    """Invite an email to hold roles here and queue the email with its link.

    Refused: a role the principal may not give or an agency outside the partnership (as
    for POST …/users), a person who already holds a role here (409 already-member: the
    partnership knows them), and an email with a pending invitation here (409
    already-invited: send that one again). An account elsewhere changes nothing.
    """
    _check_grants(session, principal=principal, partnership_id=partnership_id, data=data)
    email = normalise_email(str(data.email))
    # Invitations to one partnership take turns, so that two at once cannot both be pending.
    session.exec(select(Partnership.id).where(Partnership.id == partnership_id).with_for_update())
    if _member_by_email(session, partnership_id=partnership_id, email=email):
        raise AlreadyMember(
            "This person already holds a role in this partnership: give them another role "
            "from their record (POST …/users/{user_id}/roles)."
        )
    if _pending(session, partnership_id=partnership_id, email=email) is not None:
        raise AlreadyInvited(
            "This email already has a pending invitation here; send it again "
            "(POST …/invitations/{invitation_id}/resend) or revoke it first."
        )
    roles: list[dict[str, object]] = []
    for grant in data.roles:
        entry: dict[str, object] = {"role": grant.role.value, "agency_id": grant.agency_id}
        if entry not in roles:
            roles.append(entry)
    invitation = Invitation(
        partnership_id=partnership_id,
        email=email,
        name=data.name,
        roles=roles,
        token_hash="",
        invited_by_id=principal.user_id,
        invited_by_name=principal.label[:200],
    )
    token = _new_link(invitation)
    session.add(invitation)
    session.flush()
    _record(session, Event.invitation_create, invitation, principal=principal)
    _send(session, invitation, token)
    return invitation


def list_invitations(
    session: Session,
    *,
    partnership_id: int,
    state: InvitationState | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Invitation], int]:
    """The partnership's invitations: pending ones first, then newest first."""
    now = utcnow()
    query = select(Invitation).where(Invitation.partnership_id == partnership_id)
    if state is not None:
        query = query.where(rules.where_state(state, now))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(
            rules.pending_first(now), col(Invitation.created_at).desc(), col(Invitation.id).desc()
        )
        .limit(limit)
        .offset(offset)
    ).all()
    return rows, total


def get(session: Session, *, partnership_id: int, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.partnership_id != partnership_id:
        raise NotFound("No such invitation in this partnership.")
    return invitation


def resend(session: Session, *, principal: Principal, invitation: Invitation) -> Invitation:
    """Email a new link (the old one stops working) that lasts another 7 days."""
    current = rules.state(invitation, utcnow())
    if current in (InvitationState.accepted, InvitationState.revoked):
        raise Conflict(f"This invitation was {current.value}; it cannot be sent again.")
    token = _new_link(invitation)
    session.add(invitation)
    session.flush()
    _record(session, Event.invitation_resend, invitation, principal=principal)
    _send(session, invitation, token)
    return invitation


def revoke(session: Session, *, principal: Principal, invitation: Invitation) -> None:
    """Withdraw the invitation: its link stops working. An accepted one stays accepted."""
    current = rules.state(invitation, utcnow())
    if current == InvitationState.accepted:
        raise Conflict("This invitation was accepted; take the roles away instead.")
    if current == InvitationState.revoked:
        return
    invitation.revoked_at = utcnow()
    session.add(invitation)
    _record(session, Event.invitation_revoke, invitation, principal=principal)


# ---------------------------------------------------------------------------------------
# The link's holder: no partnership in the path; the token is the proof.


def _by_token(session: Session, token: str, *, for_update: bool = False) -> Invitation:
    query = select(Invitation).where(Invitation.token_hash == token_digest(token))
    invitation = session.exec(query.with_for_update() if for_update else query).first()
    if invitation is None:
        raise InvitationInvalid(INVALID)
    current = rules.state(invitation, utcnow())
    if current != InvitationState.pending:
        raise InvitationClosed(CLOSED[current])
    return invitation


def _account(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email)).first()


def lookup(session: Session, *, token: str) -> InvitationOffer:
    invitation = _by_token(session, token)
    partnership = session.get(Partnership, invitation.partnership_id)
    assert partnership is not None and partnership.id is not None
    return InvitationOffer(
        partnership_id=partnership.id,
        partnership_name=partnership.name,
        invited_by=invitation.invited_by_name,
        email=invitation.email,
        name=invitation.name,
        roles=_roles(session, invitation),
        expires_at=invitation.expires_at,
        needs_sign_in=_account(session, invitation.email) is not None,
    )


def _sign_in_needed(email: str) -> str:
    return f"This invitation is for {email}, which has an account: sign in as {email}, then accept."


def accept(
    session: Session,
    *,
    data: InvitationAccept,
    bearer: str | None,
    settings: Settings,
) -> tuple[InvitationAccepted, bool]:
    """Take up the invitation's roles; True when a new account was made (and signed in).

    An email with an account accepts only signed in as that account (its bearer token),
    so that the link alone never adds roles to someone's account.
    """
    invitation = _by_token(session, data.token, for_update=True)
    user = _account(session, invitation.email)
    created = user is None
    principal: Principal | None = None
    if user is not None:
        if not bearer:
            raise NotAuthenticated(_sign_in_needed(invitation.email))
        principal = load_principal(session, bearer)
        if principal.user_id != user.id:
            raise Forbidden(_sign_in_needed(invitation.email))
    else:
        name = data.name or invitation.name
        if data.password is None:
            raise Invalid({"password": "A new account needs a password"})
        passwords.require_acceptable(data.password, personal=[invitation.email, name])
        user = User(
            email=invitation.email,
            name=name,
            password_hash=hash_password(data.password),
        )
        session.add(user)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:
            raise Conflict(
                "An account was made for this email a moment ago: sign in, then accept."
            ) from None
    assert user.id is not None
    actor = None if principal else user.name
    if created:
        emit(
            session,
            Event.user_create,
            principal=None,
            entity_type="user",
            entity_id=user.id,
            partnership_id=invitation.partnership_id,
            after=audit.snapshot(user),
            actor_label=actor,
        )
    _add_roles(session, invitation, user=user, principal=principal, actor=actor)
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    session.add(invitation)
    _record(session, Event.invitation_accept, invitation, principal=principal, actor_label=actor)
    answer = InvitationAccepted(partnership_id=invitation.partnership_id, user_id=user.id)
    if created:
        token, _ = auth.start_session(session, user=user, settings=settings)
        answer.access_token, answer.token_type = token, "bearer"
        answer.expires_in = settings.token_ttl_minutes * 60
    return answer, created


def _add_roles(
    session: Session,
    invitation: Invitation,
    *,
    user: User,
    principal: Principal | None,
    actor: str | None,
) -> None:
    """Each offered role the person does not hold here already."""
    held = {
        (m.role, m.agency_id)
        for m in session.exec(
            select(Membership).where(
                Membership.user_id == user.id,
                Membership.partnership_id == invitation.partnership_id,
            )
        )
    }
    assert user.id is not None
    for r in invitation.roles:
        role, agency_id = Role(str(r["role"])), r.get("agency_id")
        if (role, agency_id) in held:
            continue
        membership = Membership(
            user_id=user.id,
            partnership_id=invitation.partnership_id,
            role=role,
            agency_id=agency_id,  # type: ignore[arg-type]
        )
        session.add(membership)
        session.flush()
        emit(
            session,
            Event.membership_create,
            principal=principal,
            entity_type="membership",
            entity_id=membership.id,
            partnership_id=invitation.partnership_id,
            after=audit.snapshot(membership),
            actor_label=actor,
        )
