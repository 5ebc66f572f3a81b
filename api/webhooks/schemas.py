from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from api.events.catalogue import Event
from api.fields import NoNul, text
from api.outbox.rules import MessageState

Url = Annotated[str, text(2000, min_length=1), NoNul]
Description = Annotated[str, text(200), NoNul]


def _distinct(events: list[Event]) -> list[Event]:
    if len(set(events)) != len(events):
        raise ValueError("name each event once")
    return events


Events = Annotated[
    list[Event],
    Field(
        min_length=1,
        max_length=len(Event),
        description="The event types to deliver, each once",
        json_schema_extra={"uniqueItems": True},
    ),
    AfterValidator(_distinct),
]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url = Field(description="https://…, or http://127.0.0.1… while developing")
    description: Description = ""
    events: Events


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    description: Description | None = None
    events: Events | None = None
    active: StrictBool | None = Field(default=None, description="false: deliver nothing")


class WebhookRead(BaseModel):
    id: int
    url: str
    description: str
    events: list[str]
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookSecret(BaseModel):
    secret: str = Field(
        description="The signing secret (Standard Webhooks, `whsec_…`). Shown only now: keep "
        "it where the receiver can verify signatures with it."
    )


class WebhookCreated(WebhookRead, WebhookSecret):
    pass


class DeliveryRead(BaseModel):
    id: int
    webhook_id: str = Field(description="The webhook-id header: the same on every attempt")
    event: str
    payload: str
    state: MessageState
    attempts: int
    last_status: int | None = Field(description="The receiver's HTTP status, last attempt")
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    failed_at: datetime | None
    created_at: datetime


class EventType(BaseModel):
    name: str
    description: str
