"""app.py, unchanged, behind an ASGI wrapper that reports what reaches the server, one JSON line each on
stdout (uvicorn logs on stderr):

    {"at": <ms since the epoch>, "what": "request", "kind": "http"|"websocket", "path": "/stream",
     "last_event_id": "message_id_9" | null}
    {"at": ..., "what": "end", "path": "/stream"}                     the last body chunk was sent
    {"at": ..., "what": "disconnect", "path": "/ws", "code": 1000}    the client closed the WebSocket

    uvicorn observed:app --host 127.0.0.1 --port 0
"""
import json
import sys
import time

from app import app as observed_app


def report(**fields):
    sys.stdout.write(json.dumps({"at": time.time() * 1000, **fields}) + "\n")
    sys.stdout.flush()


async def app(scope, receive, send):
    if scope["type"] not in ("http", "websocket"):
        await observed_app(scope, receive, send)
        return
    path = scope["path"]
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
    report(what="request", kind=scope["type"], path=path, last_event_id=headers.get("last-event-id"))

    async def observed_receive():
        message = await receive()
        if message["type"] == "websocket.disconnect":
            report(what="disconnect", path=path, code=message.get("code"))
        return message

    async def observed_send(message):
        await send(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            report(what="end", path=path)

    await observed_app(scope, observed_receive, observed_send)
