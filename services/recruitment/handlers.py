"""Event consumers of the recruitment service: Latsar completions, for the CPNS -> PNS gate."""

from __future__ import annotations

from chassis.inbox import Handler
from services.recruitment import latsar

HANDLERS: dict[str, Handler] = {"training.course.completed": latsar.handle_course_completed}
