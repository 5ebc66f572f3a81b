"""The `assure` command: serve, worker, migrate, seed-demo, create-user, framework import."""

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path

from sqlmodel import Session, select

from api.problems import DomainError, Invalid

log = logging.getLogger("assure")
ROOT = Path(__file__).resolve().parent.parent


def _say(message: str) -> None:
    sys.stdout.write(message + "\n")


def _session() -> Session:
    from api.db import get_engine

    return Session(get_engine(), expire_on_commit=False)


def migrate(_: argparse.Namespace) -> int:
    from alembic import command
    from alembic.config import Config

    from api.settings import get_settings

    url = get_settings().database_url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")
    _say("Database is at the latest migration.")
    return 0


def seed_demo(args: argparse.Namespace) -> int:
    from api import demo

    with _session() as session:
        if demo.is_loaded(session):
            _say("The database already holds data; the demo was not loaded.")
            return 0 if args.if_empty else 1
        demo.load(session)
        session.commit()
    _say("Loaded the demo partnership: City of York Safeguarding Children Partnership.")
    return 0


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api import demo
    from api.settings import get_settings

    _say(f"Assure is at http://{args.host}:{args.port}/ (API docs at /docs)")
    if get_settings().environment == "development":
        _say(f"Demo sign-ins, all with the password {demo.DEMO_PASSWORD}:")
        for email, what in demo.sign_ins():
            _say(f"  {email:34} {what}")
    uvicorn.run(
        "web.app:create_combined_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        proxy_headers=True,
    )
    return 0


def worker(args: argparse.Namespace) -> int:
    from api.db import get_engine
    from api.outbox import worker as outbox_worker
    from api.settings import get_settings

    logging.getLogger("assure.worker").setLevel(logging.INFO)
    settings = get_settings()
    if args.poll is not None:
        settings = settings.model_copy(update={"worker_poll_seconds": args.poll})
    tally = outbox_worker.run(get_engine(), settings, once=args.once)
    if args.once:
        _say(f"Delivered {tally.delivered} messages; {tally.failed} failed, to be tried again.")
    return 0


def create_user(args: argparse.Namespace) -> int:
    from api import passwords
    from api.auth.service import normalise_email
    from api.models import Agency, Membership, Partnership, PartnershipAgency, Role, User
    from api.security import hash_password

    password = os.environ.get("ASSURE_NEW_PASSWORD") or getpass.getpass("Password: ")
    refused = passwords.problem(password, personal=[args.email, args.name])
    if refused:
        _say(f"The password {refused}.")
        return 2
    with _session() as session:
        email = normalise_email(args.email)
        if session.exec(select(User).where(User.email == email)).first():
            _say(f"{email} already has an account.")
            return 1
        user = User(
            email=email,
            name=args.name,
            password_hash=hash_password(password),
            is_platform_admin=args.platform_admin,
        )
        session.add(user)
        session.flush()
        if args.partnership:
            partnership = session.exec(
                select(Partnership).where(Partnership.slug == args.partnership)
            ).first()
            if partnership is None:
                _say(f"No partnership with the slug {args.partnership}.")
                return 1
            role = Role(args.role)
            agency_id = None
            if role.is_agency_role:
                agency = session.exec(
                    select(Agency)
                    .join(PartnershipAgency)
                    .where(
                        Agency.name == args.agency,
                        PartnershipAgency.partnership_id == partnership.id,
                    )
                ).first()
                if agency is None:
                    _say(f"{role.label} needs --agency with the name of one of its agencies.")
                    return 1
                agency_id = agency.id
            session.add(
                Membership(
                    user_id=user.id or 0,
                    partnership_id=partnership.id or 0,
                    role=role,
                    agency_id=agency_id,
                )
            )
        session.commit()
    _say(f"Created {email}.")
    return 0


def framework_import(args: argparse.Namespace) -> int:
    from api.frameworks import service
    from api.models import Partnership

    with _session() as session:
        partnership_id = None
        if args.partnership:
            partnership = session.exec(
                select(Partnership).where(Partnership.slug == args.partnership)
            ).first()
            if partnership is None:
                _say(f"No partnership with the slug {args.partnership}.")
                return 1
            partnership_id = partnership.id
        try:
            doc = service.validate_document(service.parse_document(Path(args.file).read_bytes()))
            version = service.import_document(
                session, principal=None, partnership_id=partnership_id, doc=doc
            )
        except OSError as exc:
            _say(f"Cannot read {args.file}: {exc.strerror}")
            return 1
        except Invalid as exc:
            _say(f"{args.file} was not imported:")
            for problem in exc.errors:
                _say(f"  {problem.field}: {problem.message}")
            return 1
        except DomainError as exc:
            _say(f"{args.file} was not imported: {exc.detail}")
            return 1
        session.commit()
    requirements = sum(len(s.requirements) for s in doc.standards)
    _say(
        f"Imported {doc.key} version {version.number}: "
        f"{len(doc.standards)} standards, {requirements} requirements."
    )
    return 0


def parser() -> argparse.ArgumentParser:
    from api.models import Role

    p = argparse.ArgumentParser(prog="assure", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="serve the web app and the API")
    s.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    s.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    s.add_argument("--workers", type=int, default=1)
    s.set_defaults(run=serve)

    sub.add_parser("migrate", help="bring the database to the latest migration").set_defaults(
        run=migrate
    )

    s = sub.add_parser("seed-demo", help="load the demo partnership into an empty database")
    s.add_argument("--if-empty", action="store_true", help="succeed quietly when data exists")
    s.set_defaults(run=seed_demo)

    s = sub.add_parser("worker", help="send the outbox's emails and write the reminders due")
    s.add_argument("--once", action="store_true", help="one round, then stop")
    s.add_argument("--poll", type=float, help="seconds between rounds (ASSURE_WORKER_POLL_SECONDS)")
    s.set_defaults(run=worker)

    s = sub.add_parser(
        "create-user", help="create an account (password from ASSURE_NEW_PASSWORD or a prompt)"
    )
    s.add_argument("--email", required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--platform-admin", action="store_true")
    s.add_argument("--partnership", help="slug of a partnership to give the person a role in")
    s.add_argument("--role", choices=[r.value for r in Role], default=Role.partnership_admin.value)
    s.add_argument("--agency", help="the agency's name, for agency roles")
    s.set_defaults(run=create_user)

    s = sub.add_parser("framework", help="manage frameworks")
    fsub = s.add_subparsers(dest="framework_command", required=True)
    f = fsub.add_parser("import", help="validate a framework file and load it as a new version")
    f.add_argument("file")
    f.add_argument("--partnership", help="slug; without it the framework is shared by all")
    f.set_defaults(run=framework_import)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
