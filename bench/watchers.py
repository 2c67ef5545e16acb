"""200 TV displays watching a meeting while a facilitator taps +1: how long until each
display shows the change, and how much of a core the server spends on the watchers.

A watcher does what a TV page does: it follows the server-sent events of the meeting
(mode "sse", what the TV page does now), or asks the state URL with the version it shows
once a second (mode "poll", the first mechanism, kept for comparison). It records when it
first sees each new version.
"""

import os
import re
import statistics
import threading
import time

import requests

VERSION = re.compile(r'data-version="(\d+)"')  # the version a display shows


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (from /proc)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        except FileNotFoundError:
            continue
    return total / 100  # ticks per second on Linux


def watch(base: str, tv_token: str, tap, pids: list[int], watchers: int = 200,
          taps: int = 15, gap: float = 2.0, mode: str = "poll") -> dict:
    state_url = f"{base}/vote/tv/{tv_token}/state"
    seen: list[list[tuple[float, int]]] = [[] for _ in range(watchers)]
    stop = threading.Event()
    first = requests.get(f"{base}/vote/tv/{tv_token}", timeout=10)
    start_version = int(VERSION.search(first.text).group(1))

    def follow_events(n: int) -> None:
        while not stop.is_set():
            try:
                with requests.get(f"{base}/vote/tv/{tv_token}/events", stream=True,
                                  timeout=40) as stream:
                    for line in stream.iter_lines(decode_unicode=True):
                        if stop.is_set():
                            return
                        found = VERSION.search(line or "")
                        if found:
                            seen[n].append((time.monotonic(), int(found.group(1))))
            except requests.RequestException:
                time.sleep(0.2)

    def ask_every_second(n: int) -> None:
        session = requests.Session()
        version = start_version
        next_at = time.monotonic() + (n % 100) / 100  # displays started at different times
        while not stop.is_set():
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += 1.0
            try:
                answer = session.get(state_url, params={"v": version}, timeout=40)
            except requests.RequestException:
                continue
            found = VERSION.search(answer.text) if answer.status_code == 200 else None
            if found and int(found.group(1)) != version:
                version = int(found.group(1))
                seen[n].append((time.monotonic(), version))

    run = follow_events if mode == "sse" else ask_every_second

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(watchers)]
    for thread in threads:
        thread.start()
    time.sleep(3)  # everyone watching
    accepted: list[tuple[float, int]] = []
    cpu_before, wall_before = cpu_seconds(pids), time.monotonic()
    for _ in range(taps):
        sent = time.monotonic()  # measured from the moment the +1 leaves the tablet
        tap()
        version = int(VERSION.search(requests.get(
            f"{base}/vote/tv/{tv_token}", timeout=10, headers={"Connection": "close"}
        ).text).group(1))
        accepted.append((sent, version))
        time.sleep(gap)
    time.sleep(1.5)
    cpu_share = (cpu_seconds(pids) - cpu_before) / (time.monotonic() - wall_before)
    stop.set()
    latencies = []
    for at, version in accepted:
        for history in seen:
            when = next((t for t, v in history if v >= version), None)
            if when is not None:
                latencies.append(max(0.0, when - at))
    missed = len(accepted) * watchers - len(latencies)
    latencies.sort()
    if os.environ.get("BENCH_DEBUG"):
        print("accepted", [(round(a - accepted[0][0], 2), v) for a, v in accepted])
        print("first watcher", [(round(t - accepted[0][0], 2), v) for t, v in seen[0]][:40])
    return {"mode": mode, "watchers": watchers, "changes": len(accepted),
            "p50_s": statistics.median(latencies) if latencies else None,
            "p95_s": latencies[int(0.95 * (len(latencies) - 1))] if latencies else None,
            "missed": missed, "server_cpu_share_of_one_core": cpu_share}
