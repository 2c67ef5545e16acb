"""300 TV displays and 300 slow-header clients at once, while someone opens the sign-up list:
does it still answer within a second? (issue 13, Deliver 4)

Four setups, one after the other in one run, each on a fresh copy of the demo data:
  bare, no caps    gunicorn alone as scripts/serve.sh starts it (one process, 256 threads),
                   TV streams not capped (as before issue 13);
  bare, caps       gunicorn alone, TV streams capped per meeting and per address
                   (votes/live.py, 20 and 4);
  nginx, no caps   scripts/serve-production.sh (nginx in front), streams not capped;
  nginx, caps      scripts/serve-production.sh as deployed.
The load: 300 TV displays of one meeting from 75 client addresses (127.0.1.x, four each),
each doing what the TV page's EventSource does: keep the stream open, or when answered with
`retry: 5000` and an ended answer (a cap), ask again 5 s later; and 300 clients that send a
request line and then one more header line every 2 s, never ending their headers (and connect
again when the server drops them). After 5 s of load, one GET of /classes/ (the sign-up list)
is started every second for 20 s, each waiting up to 10 s.

    .venv/bin/python bench/connections.py      (needs nginx: apt-get install nginx-light)
"""

import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

import requests
from run import ROOT, VENV, free_port, stop_process_group  # bench/ is the script's folder

TVS, SLOW, PROBES, PROBE_TIMEOUT = 300, 300, 20, 10.0


def prepare(workdir: Path) -> tuple[dict, dict]:
    """A migrated demo database and bench/prepare.py's targets (a meeting with a TV)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MULING_", "DATABASE_"))}
    env.update({"DATABASE_URL": f"sqlite:///{workdir / 'kiosk.sqlite3'}",
                "MULING_SECRET_KEY": "bench-only-secret", "FLASK_APP": "app",
                "MULING_COMMUNITY": "shengli"})  # what a browser without a choice sees
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([str(VENV / "flask"), *command], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    targets = json.loads(subprocess.run([str(VENV / "python"), str(ROOT / "bench" / "prepare.py")],
                                        cwd=ROOT, env=env, check=True, capture_output=True,
                                        text=True).stdout)
    return env, targets


SETUPS = ("bare, no caps", "bare, caps", "nginx, no caps", "nginx, caps")


def start(setup: str, env: dict, workdir: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(env)
    if "no caps" in setup:
        env.update({"MULING_TV_STREAMS_PER_MEETING": "0", "MULING_TV_STREAMS_PER_ADDRESS": "0"})
    if setup.startswith("nginx"):
        run_dir = workdir / "nginx"
        run_dir.mkdir()
        os.chmod(workdir, 0o755)  # noqa: S103 (nginx's workers may be "nobody")
        env.update({"MULING_PORT": str(port), "MULING_APP_PORT": str(free_port()),
                    "MULING_RUN_DIR": str(run_dir)})
        command = [str(ROOT / "scripts" / "serve-production.sh")]
    else:
        command = [str(VENV / "gunicorn"), "--workers", "1", "--threads", "256",
                   "--worker-class", "gthread", "--graceful-timeout", "5",
                   "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "app:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return process, port
        except requests.RequestException:
            time.sleep(0.1)
    stop_process_group(process)
    sys.exit(f"{setup}: the server did not start")


class Load:
    """The TV displays and the slow clients, until stop()."""

    def __init__(self, port: int, tv_token: str):
        self.port, self.path = port, f"/vote/tv/{tv_token}/events"
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.open_now = self.open_most = self.refused = self.slow_drops = 0
        self.connections: set = set()
        self.threads = [threading.Thread(target=self.tv, args=(n,), daemon=True)
                        for n in range(TVS)]
        self.threads.append(threading.Thread(target=self.slow_clients, daemon=True))
        for thread in self.threads:
            thread.start()

    def _count(self, opened: int) -> None:
        with self.lock:
            self.open_now += opened
            self.open_most = max(self.open_most, self.open_now)

    def tv(self, n: int) -> None:
        address = f"127.0.1.{n // 4 + 1}"
        while not self.stopping.is_set():
            connection = HTTPConnection("127.0.0.1", self.port, timeout=60,
                                        source_address=(address, 0))
            with self.lock:
                self.connections.add(connection)
            try:
                connection.request("GET", self.path)
                response = connection.getresponse()
                if response.readline().startswith(b"retry: 2000"):
                    self._count(1)
                    try:
                        while response.readline() and not self.stopping.is_set():
                            pass
                    finally:
                        self._count(-1)
                else:  # a cap: the browser asks again after `retry`
                    with self.lock:
                        self.refused += 1
                    self.stopping.wait(5)
            except OSError:
                self.stopping.wait(1)
            finally:
                with self.lock:
                    self.connections.discard(connection)
                connection.close()

    def slow_clients(self) -> None:
        sockets: list = []
        while not self.stopping.is_set():
            while len(sockets) < SLOW:
                try:
                    client = socket.create_connection(("127.0.0.1", self.port), timeout=2)
                    client.sendall(b"GET /classes/ HTTP/1.1\r\nHost: kiosk\r\n")
                    sockets.append(client)
                except OSError:
                    break
            self.stopping.wait(2)
            for client in list(sockets):
                try:
                    client.sendall(b"X-Slow: 1\r\n")
                except OSError:  # dropped by the server: connect again
                    self.slow_drops += 1
                    sockets.remove(client)
                    client.close()
        for client in sockets:
            client.close()

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            for connection in list(self.connections):
                if connection.sock is not None:
                    connection.sock.shutdown(socket.SHUT_RDWR)
        for thread in self.threads:
            thread.join(timeout=15)


def probe(base: str) -> list[float | None]:
    """One GET of the sign-up list every second: seconds to the whole answer, or None."""
    results: list[float | None] = [None] * PROBES

    def one(n: int) -> None:
        started = time.monotonic()
        try:
            answer = requests.get(f"{base}/classes/", timeout=PROBE_TIMEOUT)
            if answer.status_code == 200:
                results[n] = time.monotonic() - started
        except requests.RequestException:
            pass

    threads = []
    for n in range(PROBES):
        threads.append(threading.Thread(target=one, args=(n,), daemon=True))
        threads[-1].start()
        time.sleep(1)
    for thread in threads:
        thread.join(timeout=PROBE_TIMEOUT + 1)
    return results


def measure(setup: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="muling-bench-") as workdir:
        env, targets = prepare(Path(workdir))
        process, port = start(setup, env, Path(workdir))
        base = f"http://127.0.0.1:{port}"
        try:
            quiet = probe_once(base)
            load = Load(port, targets["tv_token"])
            time.sleep(5)
            results = probe(base)
            load.stop()
        finally:
            stop_process_group(process)
    answered = [r for r in results if r is not None]
    return {"setup": setup, "quiet_s": quiet,
            "within_1s": sum(1 for r in answered if r <= 1.0), "probes": PROBES,
            "answered": len(answered),
            "p50_s": statistics.median(answered) if answered else None,
            "max_s": max(answered) if answered else None,
            "streams_open_most": load.open_most, "streams_refused": load.refused,
            "slow_dropped": load.slow_drops}


def probe_once(base: str) -> float:
    started = time.monotonic()
    requests.get(f"{base}/classes/", timeout=PROBE_TIMEOUT).raise_for_status()
    return time.monotonic() - started


def main() -> None:
    # 600 connections, and nginx's two sockets for each stream it passes on.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    rows = [measure(setup) for setup in SETUPS]
    print("| setup | sign-up list alone | answered within 1 s under load | p50 / max | "
          "TV streams open at most | refused by a cap (each asks again in 5 s) | "
          "slow clients dropped |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        figures = (f"{row['p50_s']:.2f} / {row['max_s']:.2f} s" if row["answered"]
                   else "—")
        print(f"| {row['setup']} | {row['quiet_s']:.2f} s | {row['within_1s']} of "
              f"{row['probes']} ({row['answered']} at all within {PROBE_TIMEOUT:.0f} s) | "
              f"{figures} | {row['streams_open_most']} | {row['streams_refused']} | "
              f"{row['slow_dropped']} |")
    print(json.dumps(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
