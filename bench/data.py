"""A large generated installation: many partnerships, agencies, programmes, one big framework,
and every programme's returns (bench.returns_data)."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert
from sqlmodel import Session

from api.frameworks.schemas import FrameworkDoc
from api.frameworks.service import import_document
from api.models import (
    Agency,
    ApiToken,
    Membership,
    Partnership,
    PartnershipAgency,
    Programme,
    ProgrammeAgency,
    Role,
    TokenKind,
    User,
)
from api.security import new_token
from bench import returns_data

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def framework_doc(requirements: int) -> FrameworkDoc:
    per_standard = 4
    return FrameworkDoc.model_validate(
        {
            "key": "bench-framework",
            "name": "Benchmark framework",
            "rating_scale": {
                "name": "Met or not",
                "levels": [
                    {"code": "met", "label": "Met", "colour": "green"},
                    {"code": "not_met", "label": "Not met", "colour": "red", "needs_action": True},
                ],
            },
            "standards": [
                {
                    "code": str(s + 1),
                    "title": f"Standard {s + 1}",
                    "description": "What this standard is about, in a sentence or two.",
                    "requirements": [
                        {
                            "code": f"{s + 1}.{r + 1}",
                            "text": "The agency does this well and can show evidence of it. " * 2,
                            "guidance": "What good looks like, in plain English. " * 3,
                            "evidence_prompts": ["A policy", "A report to the board", "An audit"],
                        }
                        for r in range(per_standard)
                    ],
                }
                for s in range(requirements // per_standard)
            ],
        }
    )


def build(
    engine: Engine, *, partnerships: int, agencies: int, programmes: int, requirements: int
) -> dict[str, int | str]:
    """Fill an empty, migrated database; returns the ids and the token the benchmark uses."""
    with Session(engine) as session:
        version = import_document(
            session, principal=None, partnership_id=None, doc=framework_doc(requirements)
        )
        session.commit()
        stamp = {"created_at": NOW, "updated_at": NOW, "version": 1}
        session.execute(
            insert(Partnership),
            [
                {
                    "id": p,
                    "slug": f"p-{p}",
                    "name": f"Partnership {p}",
                    "area": f"Area {p}",
                    **stamp,
                }
                for p in range(1, partnerships + 1)
            ],
        )
        session.execute(
            insert(Agency),
            [
                {
                    "id": a,
                    "name": f"Agency {a}",
                    "sector": "health",
                    "owner_partnership_id": (a - 1) // agencies + 1,
                    **stamp,
                }
                for a in range(1, partnerships * agencies + 1)
            ],
        )
        session.execute(
            insert(PartnershipAgency),
            [
                {
                    "partnership_id": p,
                    "agency_id": (p - 1) * agencies + i,
                    "statutory_partner": i <= 3,
                    **stamp,
                }
                for p in range(1, partnerships + 1)
                for i in range(1, agencies + 1)
            ],
        )
        programme_rows = []
        asked_rows = []
        for p in range(1, partnerships + 1):
            for n in range(programmes):
                programme_id = (p - 1) * programmes + n + 1
                opens = date(2022 + n, 6, 1)
                programme_rows.append(
                    {
                        "id": programme_id,
                        "partnership_id": p,
                        "framework_version_id": version.id,
                        "title": f"Section 11 self-assessment {2022 + n}",
                        "opens_on": opens,
                        "deadline": opens + timedelta(days=120),
                        "status": "closed" if n < programmes - 1 else "open",
                        **stamp,
                    }
                )
                asked_rows += [
                    {
                        "programme_id": programme_id,
                        "agency_id": (p - 1) * agencies + i,
                        "added_at": NOW,
                    }
                    for i in range(1, agencies + 1)
                ]
        session.execute(insert(Programme), programme_rows)
        session.execute(insert(ProgrammeAgency), asked_rows)
        target = partnerships // 2
        session.execute(
            insert(User),
            [
                {
                    "id": 1,
                    "email": "bench@example.org",
                    "name": "Bench",
                    "password_hash": "-",
                    "is_active": True,
                    "is_platform_admin": False,
                    **stamp,
                }
            ],
        )
        session.execute(
            insert(Membership),
            [
                {
                    "user_id": 1,
                    "partnership_id": target,
                    "role": Role.partnership_admin.value,
                    "created_at": NOW,
                }
            ],
        )
        token, digest = new_token()
        session.execute(
            insert(ApiToken),
            [
                {
                    "token_hash": digest,
                    "kind": TokenKind.session.value,
                    "name": "bench",
                    "user_id": 1,
                    "scopes": [],
                    "created_at": NOW,
                    "expires_at": NOW + timedelta(days=3650),
                }
            ],
        )
        assert version.id is not None
        counts = returns_data.build(
            session,
            version_id=version.id,
            partnerships=partnerships,
            agencies=agencies,
            programmes=programmes,
        )
        session.commit()
        # The target's open programme, and in it the fullest return to read.
        programme_id = (target - 1) * programmes + programmes
        agency_index = returns_data.fullest(agencies, programmes)
        return {
            "partnership_id": target,
            "framework_id": version.framework_id,
            "version_id": version.id,
            "programme_id": programme_id,
            "return_id": (programme_id - 1) * agencies + agency_index,
            "token": token,
            **{f"rows:{table}": n for table, n in counts.items()},
        }
