from pydantic import BaseModel, Field

from api.onboarding.rules import Kind
from api.onboarding.service import RowOutcome


class PlanRow(BaseModel):
    line: int = Field(description="The row's line in the file (the header is line 1)")
    values: dict[str, str] = Field(description="The row's cells by column, as read")
    outcome: RowOutcome
    note: str = Field(description="What the row does, or why it is refused")
    problems: dict[str, str] = Field(description="What is wrong, by column (refused rows)")


class Plan(BaseModel):
    kind: Kind
    columns: list[str]
    rows: list[PlanRow]
    counts: dict[RowOutcome, int] = Field(description="How many rows have each outcome")
    ready: bool = Field(description="No row is refused: confirming will do every row")
