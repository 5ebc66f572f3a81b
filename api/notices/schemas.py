from pydantic import BaseModel, ConfigDict, Field

from api.notices.kinds import NoticeKind


class NoticeChoice(BaseModel):
    kind: NoticeKind
    label: str
    on: bool


class NoticeSettings(BaseModel):
    notices: list[NoticeChoice] = Field(
        description="Every kind of email Assure may send you, and whether you get it. Emails "
        "about your account's security (invitations, password resets) are always sent."
    )


class NoticeSettingsChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    off: list[NoticeKind] = Field(
        max_length=len(NoticeKind),
        description="The kinds you do not want; every other kind is sent",
    )
