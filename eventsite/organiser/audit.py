"""The audit log page: who exported, sent, cancelled, checked in or edited what, and when."""
from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import AuditEntry
from . import bp
from .listing import requested_event, requested_page

PAGE_SIZE = 100


@bp.get("/audit")
def audit_log():
    slug, event = requested_event()
    page = requested_page()
    query = sa.select(AuditEntry).options(selectinload(AuditEntry.event))
    if slug:
        query = query.where(AuditEntry.event_id == (event.id if event else -1))
    entries = db.session.scalars(
        query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "organiser/audit.html", entries=entries[:PAGE_SIZE], event=event, slug=slug,
        page=page, has_more=len(entries) > PAGE_SIZE,
    )
