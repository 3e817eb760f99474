"""An SSE endpoint and a WebSocket echo, written the way the FastAPI and sse-starlette examples write them.

    uvicorn app:app --host 127.0.0.1 --port 8000

GET /stream  ten events, one a second: `event: message`, `id: message_id_<i>`, `retry: 15000`, then the
             response ends.
WS  /ws      every text message comes back as "Message text was: <text>".
"""
import asyncio

from fastapi import FastAPI, Request, WebSocket
from sse_starlette.sse import EventSourceResponse

STREAM_DELAY = 1  # second
RETRY_TIMEOUT = 15000  # millisecond

app = FastAPI()


@app.get("/stream")
async def message_stream(request: Request):
    async def event_generator():
        for i in range(10):
            # If the client closes the connection, stop sending events.
            if await request.is_disconnected():
                break

            yield {
                "event": "message",
                "id": f"message_id_{i}",
                "retry": RETRY_TIMEOUT,
                "data": f"Counter value {i}",
            }

            await asyncio.sleep(STREAM_DELAY)

    return EventSourceResponse(event_generator())


@app.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket):
    await websocket.accept()
    while True:
        data = await websocket.receive_text()
        await websocket.send_text(f"Message text was: {data}")
