"""Importing frameworks as immutable versions, and reading them back."""

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from api.events.catalogue import Event
from api.events.emit import emit
from api.frameworks.schemas import (
    FrameworkDoc,
    FrameworkRead,
    FrameworkSummary,
    RatingLevelRead,
    RatingScaleRead,
    RequirementRead,
    StandardRead,
    VersionRead,
    VersionSummary,
)
from api.http import like
from api.models import (
    Framework,
    FrameworkVersion,
    RatingLevel,
    RatingScale,
    Requirement,
    Standard,
)
from api.problems import Conflict, FieldProblem, Invalid, NotFound
from api.security import Principal

DATA_DIR = Path(__file__).parent / "data"
MAX_DOCUMENT_BYTES = 1_000_000


def _place(loc: tuple[int | str, ...]) -> str:
    """`('standards', 2, 'requirements', 0, 'text')` → `standards[2].requirements[0].text`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "document"


def parse_document(raw: bytes | str, *, json_only: bool = False) -> dict[str, Any]:
    """Read YAML (or, with `json_only`, strict JSON) into a mapping, or say where it breaks."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise Invalid({"document": f"is larger than {MAX_DOCUMENT_BYTES:,} bytes"})
    if json_only:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise Invalid(
                {"document": f"line {exc.lineno}, column {exc.colno}: {exc.msg}"}
            ) from None
        except UnicodeDecodeError:
            raise Invalid({"document": "is not UTF-8 text"}) from None
    else:
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            problem = getattr(exc, "problem", None) or "not valid YAML or JSON"
            raise Invalid({"document": f"{where}{problem}"}) from None
    if not isinstance(data, dict):
        raise Invalid({"document": "must be a mapping with key, name, rating_scale and standards"})
    return data


def validate_document(data: dict[str, Any]) -> FrameworkDoc:
    """Check every field and rule, and report every problem with its place, or none."""
    try:
        doc = FrameworkDoc.model_validate(data)
    except ValidationError as exc:
        raise Invalid(
            [
                FieldProblem(
                    field=_place(tuple(e["loc"])),
                    message=e["msg"].removeprefix("Value error, "),
                    type=e["type"],
                )
                for e in exc.errors()
            ]
        ) from None
    problems: dict[str, str] = {}
    seen_levels: set[str] = set()
    for i, level in enumerate(doc.rating_scale.levels):
        if level.code in seen_levels:
            problems[f"rating_scale.levels[{i}].code"] = f"“{level.code}” is used twice"
        seen_levels.add(level.code)
    seen_standards: set[str] = set()
    seen_requirements: set[str] = set()
    for i, standard in enumerate(doc.standards):
        if standard.code in seen_standards:
            problems[f"standards[{i}].code"] = f"“{standard.code}” is used twice"
        seen_standards.add(standard.code)
        for j, requirement in enumerate(standard.requirements):
            if requirement.code in seen_requirements:
                problems[f"standards[{i}].requirements[{j}].code"] = (
                    f"“{requirement.code}” is used twice in this framework"
                )
            seen_requirements.add(requirement.code)
    if problems:
        raise Invalid(problems)
    return doc


def _digest(doc: FrameworkDoc) -> str:
    canonical = json.dumps(doc.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def import_document(
    session: Session,
    *,
    principal: Principal | None,
    partnership_id: int | None,
    doc: FrameworkDoc,
) -> FrameworkVersion:
    """Load a validated document as the next version of its framework.

    A partnership's own frameworks may not reuse the key of a shared one, so a key always
    names one framework for a partnership.
    """
    if partnership_id is not None:
        shared = session.exec(
            select(Framework).where(
                Framework.key == doc.key, col(Framework.partnership_id).is_(None)
            )
        ).first()
        if shared is not None:
            raise Conflict(
                f"“{doc.key}” is the key of a framework shared by the installation. "
                "Give your framework a key of its own."
            )
    owner = (
        Framework.partnership_id == partnership_id
        if partnership_id is not None
        else col(Framework.partnership_id).is_(None)
    )
    framework = session.exec(select(Framework).where(Framework.key == doc.key, owner)).first()
    digest = _digest(doc)
    number = 1
    if framework is None:
        framework = Framework(key=doc.key, name=doc.name, partnership_id=partnership_id)
        session.add(framework)
        session.flush()
    else:
        latest = session.exec(
            select(FrameworkVersion)
            .where(FrameworkVersion.framework_id == framework.id)
            .order_by(col(FrameworkVersion.number).desc())
        ).first()
        if latest is not None:
            if latest.source_sha256 == digest:
                raise Conflict(
                    f"This is the same as version {latest.number} of “{doc.key}”; "
                    "nothing was imported."
                )
            number = latest.number + 1
        framework.name = doc.name
        session.add(framework)
    assert framework.id is not None

    scale = RatingScale(name=doc.rating_scale.name)
    session.add(scale)
    session.flush()
    assert scale.id is not None
    for position, level in enumerate(doc.rating_scale.levels):
        session.add(RatingLevel(rating_scale_id=scale.id, position=position, **level.model_dump()))
    version = FrameworkVersion(
        framework_id=framework.id,
        number=number,
        name=doc.name,
        description=doc.description,
        rating_scale_id=scale.id,
        source_sha256=digest,
        imported_by_id=principal.user_id if principal else None,
    )
    session.add(version)
    session.flush()
    assert version.id is not None
    for s_pos, s in enumerate(doc.standards):
        standard = Standard(
            framework_version_id=version.id,
            position=s_pos,
            code=s.code,
            title=s.title,
            description=s.description,
        )
        session.add(standard)
        session.flush()
        assert standard.id is not None
        session.add_all(
            Requirement(standard_id=standard.id, position=r_pos, **r.model_dump())
            for r_pos, r in enumerate(s.requirements)
        )
    session.flush()
    emit(
        session,
        Event.framework_import,
        principal=principal,
        entity_type="framework_version",
        entity_id=version.id,
        partnership_id=partnership_id,
        after={
            "framework_id": framework.id,
            "key": doc.key,
            "number": number,
            "source_sha256": digest,
            "standards": len(doc.standards),
            "requirements": sum(len(s.requirements) for s in doc.standards),
        },
    )
    return version


def load_bundled(session: Session) -> dict[str, FrameworkVersion]:
    """Import the frameworks shipped with Assure, shared by every partnership, by key."""
    loaded = {}
    for path in sorted(DATA_DIR.glob("*.yaml")):
        doc = validate_document(parse_document(path.read_bytes()))
        loaded[doc.key] = import_document(session, principal=None, partnership_id=None, doc=doc)
    return loaded


def _visible(partnership_id: int) -> Any:
    return or_(col(Framework.partnership_id).is_(None), Framework.partnership_id == partnership_id)


def _summaries(session: Session, version_ids: list[int]) -> dict[int, VersionSummary]:
    """Version summaries with their counts, in two statements whatever the number."""
    if not version_ids:
        return {}
    counts = session.exec(
        select(
            Standard.framework_version_id,
            func.count(func.distinct(Standard.id)),
            func.count(col(Requirement.id)),
        )
        .outerjoin(Requirement, col(Requirement.standard_id) == Standard.id)
        .where(col(Standard.framework_version_id).in_(version_ids))
        .group_by(col(Standard.framework_version_id))
    ).all()
    by_version = {v: (s, r) for v, s, r in counts}
    versions = session.exec(
        select(FrameworkVersion).where(col(FrameworkVersion.id).in_(version_ids))
    ).all()
    out = {}
    for v in versions:
        assert v.id is not None
        standards, requirements = by_version.get(v.id, (0, 0))
        out[v.id] = VersionSummary(
            id=v.id,
            number=v.number,
            name=v.name,
            imported_at=v.imported_at,
            standard_count=standards,
            requirement_count=requirements,
        )
    return out


def list_frameworks(
    session: Session, *, partnership_id: int, q: str | None, limit: int, offset: int
) -> tuple[list[FrameworkSummary], int]:
    query = select(Framework).where(_visible(partnership_id))
    if q:
        query = query.where(col(Framework.name).ilike(like(q), escape="\\"))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    frameworks = session.exec(query.order_by(col(Framework.name)).limit(limit).offset(offset)).all()
    # Versions are numbered in the order they are imported, so the newest has the top id.
    latest_ids: dict[int, int] = {
        framework_id: version_id
        for framework_id, version_id in session.exec(
            select(FrameworkVersion.framework_id, func.max(FrameworkVersion.id))
            .where(col(FrameworkVersion.framework_id).in_([f.id for f in frameworks]))
            .group_by(col(FrameworkVersion.framework_id))
        ).all()
        if version_id is not None
    }
    summaries = _summaries(session, list(latest_ids.values()))
    items = []
    for f in frameworks:
        assert f.id is not None
        items.append(
            FrameworkSummary(
                id=f.id,
                key=f.key,
                name=f.name,
                shared=f.partnership_id is None,
                latest_version=summaries[latest_ids[f.id]],
            )
        )
    return items, total


def get_framework(session: Session, *, partnership_id: int, framework_id: int) -> Framework:
    framework = session.exec(
        select(Framework).where(Framework.id == framework_id, _visible(partnership_id))
    ).first()
    if framework is None:
        raise NotFound("No such framework.")
    return framework


def read_framework(session: Session, *, framework: Framework) -> FrameworkRead:
    ids = session.exec(
        select(FrameworkVersion.id).where(FrameworkVersion.framework_id == framework.id)
    ).all()
    summaries = _summaries(session, [i for i in ids if i is not None])
    assert framework.id is not None
    return FrameworkRead(
        id=framework.id,
        key=framework.key,
        name=framework.name,
        shared=framework.partnership_id is None,
        versions=sorted(summaries.values(), key=lambda v: v.number, reverse=True),
    )


def get_version(
    session: Session, *, partnership_id: int, version_id: int
) -> tuple[FrameworkVersion, Framework]:
    row = session.exec(
        select(FrameworkVersion, Framework)
        .join(Framework, col(Framework.id) == FrameworkVersion.framework_id)
        .where(FrameworkVersion.id == version_id, _visible(partnership_id))
    ).first()
    if row is None:
        raise NotFound("No such framework version.")
    return row[0], row[1]


def version_by_number(session: Session, *, framework: Framework, number: int) -> FrameworkVersion:
    version = session.exec(
        select(FrameworkVersion).where(
            FrameworkVersion.framework_id == framework.id, FrameworkVersion.number == number
        )
    ).first()
    if version is None:
        raise NotFound(f"“{framework.key}” has no version {number}.")
    return version


def read_version(
    session: Session, *, version: FrameworkVersion, framework: Framework
) -> VersionRead:
    """The whole version, in four statements: scale, levels, standards, requirements."""
    scale = session.get(RatingScale, version.rating_scale_id)
    assert scale is not None and version.id is not None
    levels = session.exec(
        select(RatingLevel)
        .where(RatingLevel.rating_scale_id == scale.id)
        .order_by(col(RatingLevel.position))
    ).all()
    standards = session.exec(
        select(Standard)
        .where(Standard.framework_version_id == version.id)
        .order_by(col(Standard.position))
    ).all()
    requirements = session.exec(
        select(Requirement)
        .join(Standard, col(Standard.id) == Requirement.standard_id)
        .where(Standard.framework_version_id == version.id)
        .order_by(col(Requirement.position))
    ).all()
    by_standard: dict[int, list[RequirementRead]] = defaultdict(list)
    for r in requirements:
        by_standard[r.standard_id].append(RequirementRead.model_validate(r))
    return VersionRead(
        id=version.id,
        framework_id=version.framework_id,
        framework_key=framework.key,
        number=version.number,
        name=version.name,
        description=version.description,
        source_sha256=version.source_sha256,
        imported_at=version.imported_at,
        rating_scale=RatingScaleRead(
            name=scale.name, levels=[RatingLevelRead.model_validate(lv) for lv in levels]
        ),
        standards=[
            StandardRead(
                id=s.id or 0,
                code=s.code,
                title=s.title,
                description=s.description,
                requirements=by_standard.get(s.id or 0, []),
            )
            for s in standards
        ],
    )
