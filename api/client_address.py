"""The address a request came from, for throttling: the direct peer, or, when the peer is
one of the trusted proxies (ASSURE_TRUSTED_PROXIES), the address the proxies name in
X-Forwarded-For. A client cannot choose its address by sending the header itself: only a
trusted proxy's is believed, and only as far back as the first address it did not add."""

from typing import Annotated

from fastapi import Depends, Request

from api.settings import Settings, get_settings

MAX_LENGTH = 45  # the longest IPv6 address written as text (with an IPv4 tail)
# The peer name the web pages use when they call the API in the same process (web/client.py
# says the same): no network connection can present it, so the browser's address they pass
# on is believed without configuring a proxy, and browsers are throttled apart.
IN_PROCESS_WEB = "assure-web-in-process"


def client_address(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> str:
    peer = request.client.host if request.client else "unknown"
    trusted = settings.trusted_proxy_addresses | {IN_PROCESS_WEB}
    if peer not in trusted:
        return peer[:MAX_LENGTH]
    forwarded = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    # Each proxy appends the address it heard from: the rightmost that is not one of ours
    # is the client. Addresses left of it were written by the client and prove nothing.
    for hop in reversed(forwarded):
        if hop not in trusted:
            return hop[:MAX_LENGTH]
    return (forwarded[0] if forwarded else peer)[:MAX_LENGTH]


ClientAddress = Annotated[str, Depends(client_address)]
