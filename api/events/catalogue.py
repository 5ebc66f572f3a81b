"""Every kind of thing that happens in a partnership, by the name the audit log and
webhooks give it. A service says what happened by emitting one of these (api/events/emit.py);
nothing else names an event.
"""

from enum import StrEnum


class Event(StrEnum):
    partnership_create = "partnership.create"
    partnership_update = "partnership.update"
    agency_create = "agency.create"
    agency_update = "agency.update"
    agency_link = "agency.link"
    agency_offer_create = "agency_offer.create"
    agency_offer_accept = "agency_offer.accept"
    agency_offer_decline = "agency_offer.decline"
    agency_offer_withdraw = "agency_offer.withdraw"
    user_create = "user.create"
    user_update = "user.update"
    user_password_reset = "user.password_reset"
    user_deactivate = "user.deactivate"
    user_reactivate = "user.reactivate"
    membership_create = "membership.create"
    membership_delete = "membership.delete"
    invitation_create = "invitation.create"
    invitation_resend = "invitation.resend"
    invitation_revoke = "invitation.revoke"
    invitation_accept = "invitation.accept"
    service_token_issue = "service_token.issue"
    service_token_revoke = "service_token.revoke"
    framework_import = "framework.import"
    programme_create = "programme.create"
    programme_update = "programme.update"
    programme_open = "programme.open"
    programme_close = "programme.close"
    programme_ask_agency = "programme.ask_agency"
    programme_unask_agency = "programme.unask_agency"
    response_save = "response.save"
    responses_save = "responses.save"
    response_confirm = "response.confirm"
    return_carry_forward = "return.carry_forward"
    return_extend = "return.extend"
    return_withdraw_extension = "return.withdraw_extension"
    return_submit = "return.submit"
    return_send_back = "return.send_back"
    return_moderate = "return.moderate"
    return_accept = "return.accept"
    attachment_add = "attachment.add"
    attachment_remove = "attachment.remove"
    action_create = "action.create"
    action_update = "action.update"
    action_progress = "action.progress"
    challenge_event_create = "challenge_event.create"
    challenge_event_update = "challenge_event.update"
    challenge_event_reschedule = "challenge_event.reschedule"
    challenge_event_cancel = "challenge_event.cancel"
    challenge_session_invite = "challenge_session.invite"
    challenge_session_withdraw = "challenge_session.withdraw"
    challenge_session_close = "challenge_session.close"
    challenge_session_reopen = "challenge_session.reopen"
    panel_score_save = "panel_score.save"
    line_of_enquiry_draft = "line_of_enquiry.draft"
    line_of_enquiry_change = "line_of_enquiry.change"
    line_of_enquiry_delete = "line_of_enquiry.delete"
    line_of_enquiry_publish = "line_of_enquiry.publish"
    line_of_enquiry_answer = "line_of_enquiry.answer"
    follow_up_update = "follow_up.update"
    follow_up_progress = "follow_up.progress"
    outbox_message_retry = "outbox_message.retry"
    webhook_create = "webhook.create"
    webhook_update = "webhook.update"
    webhook_rotate_secret = "webhook.rotate_secret"
    webhook_delete = "webhook.delete"
    webhook_redeliver = "webhook.redeliver"

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self]


DESCRIPTIONS: dict[Event, str] = {
    Event.partnership_create: "A partnership was created.",
    Event.partnership_update: "The partnership's details changed.",
    Event.agency_create: "An agency was added.",
    Event.agency_update: "An agency's details changed.",
    Event.agency_link: "An agency another partnership owns joined this one.",
    Event.agency_offer_create: "A partnership offered to share an agency it owns.",
    Event.agency_offer_accept: "An offer to share an agency was accepted.",
    Event.agency_offer_decline: "An offer to share an agency was declined.",
    Event.agency_offer_withdraw: "An offer to share an agency was withdrawn.",
    Event.user_create: "A person was added.",
    Event.user_update: "A person's name, email or password changed.",
    Event.user_password_reset: "A person chose a new password with an emailed reset link; "
    "their sign-ins ended.",
    Event.user_deactivate: "A person was deactivated in the partnership: their roles there "
    "give them nothing until they are reactivated.",
    Event.user_reactivate: "A deactivated person was reactivated, with the roles they held.",
    Event.membership_create: "A person was given a role.",
    Event.membership_delete: "A person's role was taken away.",
    Event.invitation_create: "A person was invited by email to hold roles.",
    Event.invitation_resend: "An invitation was sent again with a new link.",
    Event.invitation_revoke: "An invitation was withdrawn.",
    Event.invitation_accept: "An invitation was accepted: its person holds the roles.",
    Event.service_token_issue: "A service token was issued.",
    Event.service_token_revoke: "A service token was revoked.",
    Event.framework_import: "A framework version was imported.",
    Event.programme_create: "An audit programme was created.",
    Event.programme_update: "An audit programme's details changed.",
    Event.programme_open: "An audit programme opened: agencies may answer.",
    Event.programme_close: "An audit programme closed.",
    Event.programme_ask_agency: "An agency was asked to return a self-assessment.",
    Event.programme_unask_agency: "An agency was no longer asked to return a self-assessment.",
    Event.response_save: "An answer to a requirement was saved.",
    Event.responses_save: "Several answers were saved at once.",
    Event.response_confirm: "An answer carried forward from last year was confirmed.",
    Event.return_carry_forward: "Last year's answers were carried into a return.",
    Event.return_extend: "A return's deadline was extended.",
    Event.return_withdraw_extension: "A return's extension was withdrawn.",
    Event.return_submit: "A return was signed off and submitted.",
    Event.return_send_back: "A return was returned to its agency for more information.",
    Event.return_moderate: "A reviewer moderated ratings of a return.",
    Event.return_accept: "A return was accepted.",
    Event.attachment_add: "Evidence was attached to an answer.",
    Event.attachment_remove: "Evidence was removed from an answer.",
    Event.action_create: "An action was added to an action plan.",
    Event.action_update: "An action changed.",
    Event.action_progress: "Progress on an action was noted.",
    Event.challenge_event_create: "A challenge event was arranged.",
    Event.challenge_event_update: "A challenge event's details changed.",
    Event.challenge_event_reschedule: "A challenge event moved to another day.",
    Event.challenge_event_cancel: "A challenge event was cancelled.",
    Event.challenge_session_invite: "An agency was invited to a challenge event.",
    Event.challenge_session_withdraw: "An agency's invitation to a challenge event was withdrawn.",
    Event.challenge_session_close: "A challenge session ended with its outcome recorded.",
    Event.challenge_session_reopen: "A closed challenge session was opened again.",
    Event.panel_score_save: "A panel member scored an agency.",
    Event.line_of_enquiry_draft: "A line of enquiry was drafted.",
    Event.line_of_enquiry_change: "A line of enquiry changed.",
    Event.line_of_enquiry_delete: "A draft line of enquiry was deleted.",
    Event.line_of_enquiry_publish: "A line of enquiry was put to the agency.",
    Event.line_of_enquiry_answer: "An agency answered a line of enquiry.",
    Event.follow_up_update: "A follow-up from a challenge session changed.",
    Event.follow_up_progress: "Progress on a follow-up was noted.",
    Event.outbox_message_retry: "An email that could not be delivered was sent again.",
    Event.webhook_create: "A webhook endpoint was registered.",
    Event.webhook_update: "A webhook endpoint's URL, events or state changed.",
    Event.webhook_rotate_secret: "A webhook endpoint's signing secret was replaced.",
    Event.webhook_delete: "A webhook endpoint was removed.",
    Event.webhook_redeliver: "A webhook delivery was sent again.",
}
