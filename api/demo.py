"""The demo partnership, after the City of York's 2023 Section 11 cycle (see shared/seed).

Loaded once, into an empty database, through the same services the API uses, so the demo
also fills the audit log the way real use would.
"""

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from api import demo_challenge, demo_story
from api.agencies import service as agencies
from api.agencies.schemas import AgencyCreate
from api.frameworks import service as frameworks
from api.models import Membership, Partnership, Role, Sector, User
from api.partnerships import service as partnerships
from api.partnerships.schemas import PartnershipCreate
from api.programmes import service as programmes
from api.programmes.schemas import ProgrammeCreate
from api.security import Principal, hash_password

DEMO_PASSWORD = "assure-demo-2023"
LOADER = Principal(label="Assure demo loader", token_id=None, is_platform_admin=True)

YORK_AGENCIES: list[tuple[str, Sector, bool]] = [
    ("City of York Council", Sector.local_authority, True),
    ("North Yorkshire Police", Sector.police, True),
    ("Humber and North Yorkshire Integrated Care Board", Sector.health, True),
    ("City of York Council Housing Services", Sector.housing, False),
    ("City of York Council Public Health", Sector.local_authority, False),
    ("York and Scarborough Teaching Hospitals NHS Foundation Trust", Sector.health, False),
    ("Tees, Esk and Wear Valleys NHS Foundation Trust", Sector.health, False),
    ("Yorkshire Ambulance Service NHS Trust", Sector.health, False),
    ("York Youth Justice Service", Sector.youth_justice, False),
    ("Probation Service, York and North Yorkshire", Sector.probation, False),
    ("York Schools and Academies Board", Sector.education, False),
    ("York College", Sector.education, False),
    ("British Transport Police", Sector.police, False),
    ("North Yorkshire Fire and Rescue Service", Sector.other, False),
    ("Cafcass", Sector.other, False),
    ("IDAS (domestic abuse support)", Sector.voluntary, False),
    ("York CVS", Sector.voluntary, False),
]

# (email, name, role, agency name or None)
HOUSING = "City of York Council Housing Services"

# The challenge panel's members from the police and the ICB (Pat Panel is the council's).
PANEL_PEOPLE = [("panel.police@york.example", "Sam Reid"), ("panel.icb@york.example", "Alex Shah")]

YORK_PEOPLE: list[tuple[str, str, Role, str | None]] = [
    ("admin@york.example", "Bev Business-Unit", Role.partnership_admin, None),
    ("scrutineer@york.example", "Mel Scrutineer", Role.scrutineer, None),
    ("panel@york.example", "Pat Panel", Role.panel_member, None),
    ("executive@york.example", "Eve Executive", Role.executive, None),
    (
        "editor@york.example",
        "Ed Editor",
        Role.agency_editor,
        "City of York Council Housing Services",
    ),
    (
        "approver@york.example",
        "Ann Approver",
        Role.agency_approver,
        "City of York Council Housing Services",
    ),
]


def is_loaded(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Partnership)).one() > 0


def _person(session: Session, email: str, name: str, *, platform_admin: bool = False) -> User:
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(DEMO_PASSWORD),
        is_platform_admin=platform_admin,
    )
    session.add(user)
    session.flush()
    return user


def _agency_people(
    agency_id: int, name: str, people: dict[str, Principal], signer: str
) -> demo_story.Agency:
    """Who answers for an agency: Housing's demo editor and approver, or stand-ins."""
    if name == HOUSING:
        return demo_story.Agency(
            agency_id, name, people["editor@york.example"], people["approver@york.example"],
            people["approver@york.example"].label,
        )  # fmt: skip
    editor = Principal(label=f"Safeguarding lead, {name}"[:200], token_id=None)
    approver = Principal(label=signer, token_id=None)
    return demo_story.Agency(agency_id, name, editor, approver, signer)


def load(session: Session) -> None:
    """Load the demo into an empty database; the caller commits."""
    versions = frameworks.load_bundled(session)
    _person(session, "platform@assure.example", "Pip Platform", platform_admin=True)

    york = partnerships.create(
        session,
        principal=LOADER,
        data=PartnershipCreate(
            slug="york",
            name="City of York Safeguarding Children Partnership",
            area="City of York",
        ),
    )
    assert york.id is not None
    agency_ids: dict[str, int] = {}
    for name, sector, statutory in YORK_AGENCIES:
        agency = agencies.create(
            session,
            principal=LOADER,
            partnership_id=york.id,
            data=AgencyCreate(name=name, sector=sector, statutory_partner=statutory),
        )
        agency_ids[name] = agency.id
    people: dict[str, Principal] = {}
    for email, name, role, agency_name in YORK_PEOPLE:
        user = _person(session, email, name)
        assert user.id is not None
        people[email] = Principal(label=name, token_id=None, user_id=user.id)
        session.add(
            Membership(
                user_id=user.id,
                partnership_id=york.id,
                role=role,
                agency_id=agency_ids[agency_name] if agency_name else None,
            )
        )
    panel = [people["panel@york.example"]]
    for email, name in PANEL_PEOPLE:
        user = _person(session, email, name)
        assert user.id is not None
        panel.append(Principal(label=name, token_id=None, user_id=user.id))
        session.add(Membership(user_id=user.id, partnership_id=york.id, role=Role.panel_member))

    section_11 = versions["section-11"]
    assert section_11.id is not None
    cycle_2023 = programmes.create(
        session,
        principal=LOADER,
        partnership_id=york.id,
        data=ProgrammeCreate(
            title="Section 11 self-assessment 2023",
            description=(
                "The partnership's Section 11 audit for 2023. Six agencies were invited to "
                "the challenge day on 31 October 2023."
            ),
            framework_version_id=section_11.id,
            opens_on=date(2023, 6, 1),
            deadline=date(2023, 9, 29),
            all_agencies=True,
        ),
    )

    cycle_2026 = programmes.create(
        session,
        principal=LOADER,
        partnership_id=york.id,
        data=ProgrammeCreate(
            title="Section 11 self-assessment 2026",
            framework_version_id=section_11.id,
            opens_on=date(2026, 10, 1),
            deadline=date(2027, 1, 29),
            all_agencies=True,
        ),
    )
    demo_story.tell(
        session,
        partnership_id=york.id,
        agencies=[
            _agency_people(agency_ids[name], name, people, signer)
            for (name, _, _), signer in zip(YORK_AGENCIES, demo_story.SIGNERS, strict=True)
        ],
        reviewer=people["admin@york.example"],
        loader=LOADER,
        cycle_2023=cycle_2023,
        cycle_2026=cycle_2026,
    )
    assert cycle_2023.id is not None and cycle_2026.id is not None
    demo_challenge.tell(
        session,
        partnership_id=york.id,
        programme_2023=cycle_2023.id,
        programme_2026=cycle_2026.id,
        framework_version_id=section_11.id,
        agency_ids=agency_ids,
        scrutineer=people["scrutineer@york.example"],
        panel_members=panel,
        admin=people["admin@york.example"],
        answerer=people["editor@york.example"],
    )

    # A neighbouring partnership that shares two statutory partners' agencies with York.
    north = partnerships.create(
        session,
        principal=LOADER,
        data=PartnershipCreate(
            slug="north-yorkshire",
            name="North Yorkshire Safeguarding Children Partnership",
            area="North Yorkshire",
        ),
    )
    assert north.id is not None
    agencies.create(
        session,
        principal=LOADER,
        partnership_id=north.id,
        data=AgencyCreate(
            name="North Yorkshire Council", sector=Sector.local_authority, statutory_partner=True
        ),
    )
    for shared in ("North Yorkshire Police", "Humber and North Yorkshire Integrated Care Board"):
        agencies.link(
            session,
            principal=LOADER,
            partnership_id=north.id,
            agency_id=agency_ids[shared],
            statutory_partner=True,
        )
    admin = _person(session, "admin@northyorkshire.example", "Nia North")
    assert admin.id is not None
    session.add(Membership(user_id=admin.id, partnership_id=north.id, role=Role.partnership_admin))
    session.flush()


def sign_ins() -> list[tuple[str, str]]:
    """The demo's sign-ins, for the README and the console."""
    people = [
        (email, role.label + (f", {agency}" if agency else ""))
        for email, _, role, agency in YORK_PEOPLE
    ]
    panel = [(email, f"Panel member ({name})") for email, name in PANEL_PEOPLE]
    return [
        *people,
        *panel,
        ("admin@northyorkshire.example", "Partnership admin, North Yorkshire"),
        ("platform@assure.example", "Platform admin (creates partnerships)"),
    ]
