from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.permissions import SCOPE_DOCS, Scope, includes
from api.problems import responses
from api.security import CurrentPrincipal

router = APIRouter(tags=["auth"])


class ScopeRead(BaseModel):
    scope: Scope
    description: str = Field(description="Exactly what the scope lets a service token do")
    includes: list[Scope] = Field(description="The other scopes whose every power it gives")


@router.get("/scopes", response_model=list[ScopeRead], responses=responses(401))
def list_scopes(principal: CurrentPrincipal) -> list[ScopeRead]:
    """The scopes a service token may be given, each with what it allows (as the security
    scheme describes them), for a page that issues tokens."""
    return [
        ScopeRead(scope=s, description=SCOPE_DOCS[s], includes=includes(s)) for s in sorted(Scope)
    ]
