from datetime import datetime

from pydantic import BaseModel, Field


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
