"""Reads a line from stdin, sends it over the WebSocket and prints the reply, until stdin ends.

    python client_ws.py ws://127.0.0.1:8000/ws
"""
import asyncio
import sys

import websockets


async def main(url):
    async with websockets.connect(url) as websocket:
        for line in sys.stdin:
            await websocket.send(line.rstrip("\n"))
            print(await websocket.recv(), flush=True)


asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "ws://127.0.0.1:8000/ws"))
