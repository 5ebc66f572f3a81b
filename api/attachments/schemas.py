from datetime import datetime

from pydantic import BaseModel, Field, computed_field

from api.attachments.rules import ACCEPT_ATTRIBUTE, human_size, upload_hint
from api.attachments.sniff import kind_of


class AttachmentRead(BaseModel):
    """An evidence file attached to a requirement's answer; its bytes are downloaded apart."""

    id: int
    requirement_id: int
    filename: str
    media_type: str = Field(description="Decided from the file's content, not its name")
    size: int = Field(description="In bytes")
    sha256: str
    carried_forward: bool
    uploaded_by_label: str
    uploaded_at: datetime

    @computed_field(description='What a person calls its kind: "PDF document"')  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        kind = kind_of(self.media_type)
        return kind.label if kind else self.media_type

    @computed_field(description='Its size as a person reads it: "2.1 MB"')  # type: ignore[prop-decorator]
    @property
    def size_label(self) -> str:
        return human_size(self.size)


class EvidenceFileRules(BaseModel):
    """What may be attached as evidence, so that a form can say so before a file is chosen."""

    max_bytes: int = Field(description="The largest file accepted, in bytes")
    accept: str = Field(description="File endings accepted, as an HTML `accept` attribute")
    hint: str = Field(description="The same, said for a person")

    @classmethod
    def of(cls, max_bytes: int) -> "EvidenceFileRules":
        return cls(max_bytes=max_bytes, accept=ACCEPT_ATTRIBUTE, hint=upload_hint(max_bytes))
