"""What the jobs compute, in their worker processes: a negotiation, a sweep. Each takes its
request (it crosses a process boundary pickled) and a `progress(done, total)` callback, runs it
through the service, and returns the JSON-safe payload of the job's result."""
from __future__ import annotations

from typing import Any

from .. import service
from ..requests import NegotiationRequest, SweepRequest


def negotiation(req: NegotiationRequest, progress: Any) -> dict[str, Any]:
    """Negotiate from the request's pact over its issues: what the utility-space chart needs."""
    return service.negotiate(req, progress=progress).chart()


def sweep(req: SweepRequest, progress: Any) -> dict[str, Any]:
    """Run the sweep in a folder under the job's scratch folder (the working directory): the
    points, the sensitivity and the PRIM box."""
    return service.sweep(req, progress=progress).payload()
