"""Reads the SSE stream with requests and prints each line as it arrives.

    python client_sse.py http://127.0.0.1:8000/stream
"""
import sys

import requests

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/stream"

with requests.get(url, stream=True, headers={"Accept": "text/event-stream"}) as response:
    for line in response.iter_lines(decode_unicode=True):
        print(line, flush=True)
