"""What notices say about a return: its programme, agency, due date and page."""

from typing import Any

from sqlmodel import Session

from api.models import Agency, Partnership, Programme, Return
from api.notices import links
from api.returns.rules import due_date


def return_context(session: Session, return_id: int) -> tuple[Partnership, dict[str, Any]]:
    """The return's partnership, and what a notice about it may say."""
    ret = session.get(Return, return_id)
    assert ret is not None
    programme = session.get(Programme, ret.programme_id)
    agency = session.get(Agency, ret.agency_id)
    assert programme is not None and agency is not None
    partnership = session.get(Partnership, programme.partnership_id)
    assert partnership is not None
    due = due_date(programme.deadline, ret.extended_to)
    return partnership, {
        "ret": ret,
        "programme": programme,
        "agency": agency,
        "due": due,
        "return_url": links.return_page(programme.partnership_id, return_id),
    }
