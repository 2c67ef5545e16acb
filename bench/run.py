"""The benchmarks of issue 7, in one run: `bench/run.sh` (see bench/README.md).

It serves the app the way the README deploys it (gunicorn, gthread) on a copy of the scale
data, drives it over real HTTP with wrk (reads) and locust (writes, which are flows with
cookies and CSRF tokens), and prints each endpoint's figures with the ratio to the hello-world
route measured by the same tool against the same server in the same run.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
RESULTS = BENCH / "results"
VENV = ROOT / ".venv" / "bin"
PG_ADMIN_URL = os.environ.get("MULING_BENCH_POSTGRES",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("MULING_BENCH_REDIS", "redis://127.0.0.1:6379")
READS = {"kiosk home": "/", "class list": "/classes/", "public board": "/board"}
WRITES = {"SignUp": "signup: confirm", "Ballot": "ballot", "Tap": "+1 tap",
          "Suggestion": "suggestion: confirm"}
TARGETS = {"read_ratio": 0.5, "read_p99_ms": 50, "write_ratio": 0.3, "live_p95_s": 0.5,
           "live_cpu": 0.25, "page_kb": 40, "growth": 1.2, "burst_p99_s": 1.0}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


# ---------- data and server ----------


def flask(env: dict, *args: str) -> str:
    result = subprocess.run([str(VENV / "flask"), "--app", "app", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def base_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MULING_", "DATABASE_"))}
    env.update({"DATABASE_URL": database_url, "MULING_SECRET_KEY": "bench-only-secret",
                "MULING_QUERY_COUNT_HEADER": "1",
                # The community a browser without a station or a choice sees (the demo's).
                "MULING_COMMUNITY": "shengli",
                # The writes and the burst send far more than 5 suggestions in 10 minutes
                # from one address; the limit itself is checked in the PostgreSQL run.
                "MULING_SUGGESTION_RATE_LIMIT": "1000000 per minute",
                "MULING_SUGGESTION_ADDRESS_RATE_LIMIT": "1000000 per minute",
                "MULING_STATION_SIGNUP_RATE_LIMIT": "1000000 per minute",
                "MULING_SIGNUP_RATE_LIMIT": "1000000 per minute",
                "MULING_SIGNUP_ADDRESS_RATE_LIMIT": "1000000 per minute",
                # The live display's 200 watchers follow one meeting from one address: the
                # caps on TV streams (votes/live.py) are measured by bench/connections.py.
                "MULING_TV_STREAMS_PER_MEETING": "0", "MULING_TV_STREAMS_PER_ADDRESS": "0"})
    return env


def sqlite_copy(factor: int, workdir: Path) -> str:
    """A fresh copy of the cached scale database of this factor (built once)."""
    DATA.mkdir(exist_ok=True)
    # Built for one schema: a new migration makes a new file.
    head = sorted((ROOT / "migrations" / "versions").glob("*.py"))[-1].name.split("_")[0]
    cached = DATA / f"scale-{factor}-schema{head}.sqlite3"
    if not cached.exists():
        print(f"» building scale data, factor {factor} (cached in {cached})", flush=True)
        partial = cached.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        env = base_env(f"sqlite:///{partial}")
        flask(env, "db", "upgrade")
        print(flask(env, "seed-scale", "--factor", str(factor)).splitlines()[-1], flush=True)
        partial.rename(cached)
    # A new name each time: a -wal file left by an earlier copy must never meet this one.
    copy = workdir / f"scale-{factor}-{os.urandom(4).hex()}.sqlite3"
    shutil.copyfile(cached, copy)
    return f"sqlite:///{copy}"


def postgres_copy(factor: int) -> str:
    """A fresh PostgreSQL database with the scale data (seeded each run)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"muling_bench_{factor}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    print(f"» seeding PostgreSQL {name}, factor {factor}", flush=True)
    env = base_env(url)
    flask(env, "db", "upgrade")
    print(flask(env, "seed-scale", "--factor", str(factor)).splitlines()[-1], flush=True)
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn as scripts/serve.sh starts it: gthread, one process on SQLite."""

    def __init__(self, database_url: str, workers: int, extra_env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**base_env(database_url), **(extra_env or {})}
        self.targets = json.loads(subprocess.run(
            [str(VENV / "python"), str(BENCH / "prepare.py")], cwd=ROOT, env=env,
            capture_output=True, text=True, check=True).stdout)
        self.process = subprocess.Popen(
            [str(VENV / "gunicorn"), "--workers", str(workers), "--threads", "256",
             "--worker-class", "gthread", "--graceful-timeout", "5",
             "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "app:app"],
            cwd=ROOT, env=env, start_new_session=True)
        for _ in range(100):
            try:
                if requests.get(self.base + "/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            self.stop()
            sys.exit("the server did not start")

    def pids(self) -> list[int]:
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True,
                                  text=True, check=False).stdout.split()
        return [self.process.pid, *map(int, children)]

    def stop(self) -> None:
        stop_process_group(self.process)


def stop_process_group(process: subprocess.Popen) -> None:
    """A server started with start_new_session=True, its workers with it: gently, then not."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


# ---------- reads: wrk ----------


def wrk(url: str, seconds: int, connections: int, headers: dict) -> dict:
    options = [part for name, value in headers.items() for part in ("-H", f"{name}: {value}")]
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                          *options, url],
                         capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": ms("50%"), "p99_ms": ms("99%"),
            "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0)}


def station_session(server: "Server") -> requests.Session:
    """A session as the community's enrolled tablet (bench/prepare.py enrolled it)."""
    session = requests.Session()
    name, value = server.targets["station_cookie"].split("=", 1)
    session.cookies.set(name, value, domain="127.0.0.1", path="/")
    return session


def tablet_cookie(server: "Server") -> str:
    """The shared tablet keeps its station and session cookies: reads are measured with them."""
    session = station_session(server)
    session.get(server.base + "/")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def query_counts(base: str, headers: dict) -> dict:
    """Queries per render (a kept page needs none)."""
    headers = {**headers, "Cache-Control": "no-cache"}
    return {name: int(requests.get(base + path, headers=headers, timeout=10)
                      .headers.get("X-Query-Count", -1)) for name, path in READS.items()}


def run_reads(server: Server, seconds: int, connections: int, render: bool = False) -> dict:
    """The read endpoints as deployed (a page that belongs to nobody is kept a few seconds,
    muling_kiosk/pagecache.py), or with render=True each request rendering the page afresh
    (`Cache-Control: no-cache`): the cost of the queries and the templates themselves."""
    headers = {"Cookie": tablet_cookie(server)}
    if render:
        headers["Cache-Control"] = "no-cache"
    for path in ["/healthz", *READS.values()]:
        for _ in range(20):
            requests.get(server.base + path, headers=headers, timeout=10)
    results = {"hello": wrk(server.base + "/healthz", seconds, connections, headers)}
    for name, path in READS.items():
        results[name] = wrk(server.base + path, seconds, connections, headers)
    counts = query_counts(server.base, headers)
    for name in READS:
        results[name]["queries"] = counts[name]
        results[name]["ratio"] = results[name]["rps"] / results["hello"]["rps"]
    return results


# ---------- writes: locust ----------


def locust(server: Server, user_class: str, seconds: int, users: int, workdir: Path) -> dict:
    prefix = workdir / f"locust-{user_class}"
    env = {**os.environ, "BENCH_TARGETS": json.dumps(server.targets)}
    subprocess.run([str(VENV / "locust"), "-f", str(BENCH / "locustfile.py"), "--headless",
                    "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
                    "--host", server.base, "--only-summary", "--csv", str(prefix),
                    "--exit-code-on-error", "0", user_class],
                   cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    rows = {}
    with open(f"{prefix}_stats.csv") as handle:
        header = handle.readline().strip().split(",")
        for line in handle:
            row = dict(zip(header, line.strip().split(","), strict=False))
            rows[row["Name"]] = {"rps": float(row["Requests/s"]), "p50_ms": float(row["50%"]),
                                 "p99_ms": float(row["99%"]),
                                 "errors": int(row["Failure Count"]),
                                 "count": int(row["Request Count"])}
    return rows


def run_writes(server: Server, seconds: int, users: int, workdir: Path) -> dict:
    results = {"hello": locust(server, "Hello", seconds, users, workdir)["hello"]}
    for user_class, name in WRITES.items():
        figures = locust(server, user_class, seconds, users, workdir)
        results[name] = figures[name]
        results[name]["ratio"] = figures[name]["rps"] / results["hello"]["rps"]
        steps = {k: v for k, v in figures.items() if k not in (name, "Aggregated")}
        results[name]["other_errors"] = sum(v["errors"] for v in steps.values())
    return results


# ---------- live display, page weight, burst ----------


def facilitator(server: Server) -> requests.Session:
    """Staff mode on the station tablet, unlocked with the facilitator's PIN."""
    session = station_session(server)
    page = session.get(server.base + "/unlock")
    session.post(server.base + "/unlock", data={
        "csrf_token": TOKEN.search(page.text).group(1), "pin": server.targets["pin"]})
    return session


def run_live(server: Server, mode: str, watchers: int) -> dict:
    from watchers import watch

    session = facilitator(server)
    poll = server.targets["poll_id"]
    token = TOKEN.search(session.get(f"{server.base}/vote/run/polls/{poll}").text).group(1)

    def tap():
        answer = session.post(f"{server.base}/vote/run/polls/{poll}/tap", data={
            "csrf_token": token, "option_id": server.targets["option_ids"][0],
            "request_key": os.urandom(12).hex()},
            # gunicorn closes idle keep-alive connections after 2 s: a tap every 2 s must
            # not reuse one the server just closed.
            headers={"HX-Request": "true", "Connection": "close"})
        answer.raise_for_status()

    return watch(server.base, server.targets["tv_token"], tap, server.pids(),
                 watchers=watchers, mode=mode)


def run_page_weight(server: Server) -> dict:
    from playwright.sync_api import sync_playwright

    pages = {"kiosk home": "/", "phone suggestion form":
             f"/m/s/{server.targets['location_token']}"}
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        for name, path in pages.items():
            context = browser.new_context()
            page = context.new_page()
            requests_seen: list = []

            def keep(request, seen=requests_seen):  # a bound builtin cannot be a handler
                seen.append(request)

            page.on("requestfinished", keep)
            page.goto(server.base + path, wait_until="networkidle")
            total, foreign = 0, 0
            for request in requests_seen:
                sizes = request.sizes()
                total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                if not request.url.startswith(server.base):
                    foreign += 1
            results[name] = {"kb": total / 1024, "requests": len(requests_seen),
                             "other_origin": foreign}
            context.close()
        browser.close()
    return results


def phone_photo() -> bytes:
    """A photo like a phone's: 12 MP (3000×4000), soft shapes and sensor noise, ~1.5 MB."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(7)
    image = Image.new("RGB", (3000, 4000), (110, 140, 170))
    draw = ImageDraw.Draw(image)
    for _ in range(400):
        x, y, r = rng.randrange(3000), rng.randrange(4000), rng.randrange(40, 400)
        draw.ellipse([x - r, y - r, x + r, y + r],
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    image = Image.blend(image.filter(ImageFilter.GaussianBlur(3)),
                        Image.effect_noise((3000, 4000), 18).convert("RGB"), 0.12)
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def run_burst(server: Server, count: int, seconds: int) -> dict:
    photo = phone_photo()
    path = f"{server.base}/m/s/{server.targets['location_token']}"
    timings, errors = [], []

    window_start = time.monotonic()

    def one(n: int) -> None:
        # Suggestion n leaves n/count of the way through the window, whatever came before.
        time.sleep(max(0.0, window_start + n * seconds / count - time.monotonic()))
        session = requests.Session()
        try:
            form = session.get(path, timeout=30)
            token = TOKEN.search(form.text).group(1)
            key = os.urandom(16).hex()
            started = time.monotonic()
            first = session.post(path, data={
                "csrf_token": token, "request_key": key, "step_key": os.urandom(16).hex(),
                "category": "repairs", "text": f"第{n}号：路灯不亮，请修理。"},
                files={"photos": ("photo.jpg", photo, "image/jpeg")},
                allow_redirects=False, timeout=30)
            timings.append(time.monotonic() - started)
            started = time.monotonic()
            second = session.post(path + "/confirm", data={"csrf_token": token,
                                                           "request_key": key},
                                  allow_redirects=False, timeout=30)
            timings.append(time.monotonic() - started)
            if first.status_code != 303 or second.status_code != 303:
                errors.append((n, first.status_code, second.status_code))
        except requests.RequestException as error:
            errors.append((n, str(error)))

    with ThreadPoolExecutor(max_workers=64) as pool:
        list(pool.map(one, range(count)))
    timings.sort()
    return {"suggestions": count, "photo_kb": len(photo) / 1024,
            "wall_s": time.monotonic() - window_start, "errors": len(errors),
            "p50_s": statistics.median(timings), "p99_s": timings[int(0.99 * (len(timings) - 1))]}


# ---------- PostgreSQL: what must hold across worker processes ----------


def check_rate_limit_across_workers(database_url: str, workers: int) -> dict:
    """With Redis storage and several workers, one phone still gets exactly its 5."""
    server = Server(database_url, workers, {
        "MULING_RATELIMIT_STORAGE_URL": REDIS_URL,
        "MULING_SUGGESTION_RATE_LIMIT": "5 per 10 minutes",  # per device: a new one each run
        "MULING_SUGGESTION_ADDRESS_RATE_LIMIT": "1000 per 10 minutes"})
    try:
        session = requests.Session()
        path = f"{server.base}/m/s/{server.targets['location_token']}"
        accepted = refused = 0
        for n in range(8):
            token = TOKEN.search(session.get(path).text).group(1)
            key = os.urandom(16).hex()
            first = session.post(path, data={"csrf_token": token, "request_key": key,
                                             "category": "other", "text": f"限流检查 {n} 号"},
                                 allow_redirects=False)
            if first.status_code == 429:
                refused += 1
                continue
            second = session.post(path + "/confirm", data={"csrf_token": token,
                                                           "request_key": key},
                                  allow_redirects=False)
            accepted += second.status_code == 303
            refused += second.status_code == 429
    finally:
        server.stop()
    return {"accepted": accepted, "refused": refused, "holds": accepted == 5}


# ---------- report ----------


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(results: dict) -> str:
    lines = [f"# bench run {results['when']} · {results['engine']} · workers "
             f"{results['workers']} · factor {results['factor']}", ""]
    for part, title in (("reads", "Reads as deployed (wrk, 16 connections)"),
                        ("renders", "Reads rendered afresh each time, Cache-Control: no-cache "
                                    "(wrk, 16 connections)")):
        if part not in results:
            continue
        reads = results[part]
        lines += [f"## {title}", "",
                  "| endpoint | req/s | p50 ms | p99 ms | errors | queries per render | × hello "
                  "| target |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
                  f"| hello | {reads['hello']['rps']:.0f} | {reads['hello']['p50_ms']:.1f} | "
                  f"{reads['hello']['p99_ms']:.1f} | {reads['hello']['errors']} | 0 | 1.00 | |"]
        for name in READS:
            row = reads[name]
            ok = row["ratio"] >= TARGETS["read_ratio"] and row["p99_ms"] <= TARGETS["read_p99_ms"]
            lines.append(f"| {name} | {row['rps']:.0f} | {row['p50_ms']:.1f} | "
                         f"{row['p99_ms']:.1f} | {row['errors']} | {row['queries']} | "
                         f"{row['ratio']:.2f} | ≥ 0.5×, p99 ≤ 50 ms: {verdict(ok)} |")
        lines.append("")
    if "writes" in results:
        writes = results["writes"]
        lines += ["## Writes (locust, 16 users; the write step of each flow)", "",
                  "| endpoint | req/s | p50 ms | p99 ms | errors | × hello | target |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
                  f"| hello | {writes['hello']['rps']:.0f} | {writes['hello']['p50_ms']:.0f} | "
                  f"{writes['hello']['p99_ms']:.0f} | {writes['hello']['errors']} | 1.00 | |"]
        for name in WRITES.values():
            row = writes[name]
            errors = row["errors"] + row["other_errors"]
            ok = row["ratio"] >= TARGETS["write_ratio"] and errors == 0
            lines.append(f"| {name} | {row['rps']:.0f} | {row['p50_ms']:.0f} | "
                         f"{row['p99_ms']:.0f} | {errors} | {row['ratio']:.2f} | "
                         f"≥ 0.3×, 0 errors: {verdict(ok)} |")
        lines.append("")
    for live in results.get("live", []):
        ok = (live["p95_s"] is not None and live["p95_s"] <= TARGETS["live_p95_s"]
              and live["server_cpu_share_of_one_core"] <= TARGETS["live_cpu"]
              and live["missed"] == 0)
        lines += [f"## Live display ({live['mode']}): {live['watchers']} watchers, "
                  f"{live['changes']} changes", "",
                  f"p50 {live['p50_s']:.2f} s · p95 {live['p95_s']:.2f} s · missed "
                  f"{live['missed']} · server CPU {live['server_cpu_share_of_one_core']:.0%} of "
                  f"one core · target p95 ≤ 0.5 s, ≤ 25 %: {verdict(ok)}", ""]
    if "page_weight" in results:
        lines += ["## Page weight (Chromium, first load, gzip)", ""]
        for name, row in results["page_weight"].items():
            ok = row["kb"] <= TARGETS["page_kb"] and row["other_origin"] == 0
            lines.append(f"- {name}: {row['kb']:.1f} KB in {row['requests']} requests, "
                         f"{row['other_origin']} to another origin — target ≤ 40 KB, 0: "
                         f"{verdict(ok)}")
        lines.append("")
    if "burst" in results:
        burst = results["burst"]
        ok = burst["errors"] == 0 and burst["p99_s"] <= TARGETS["burst_p99_s"]
        lines += ["## Burst: phone suggestions with a photo", "",
                  f"{burst['suggestions']} in {burst['wall_s']:.0f} s, photo "
                  f"{burst['photo_kb']:.0f} KB · errors {burst['errors']} · p50 "
                  f"{burst['p50_s']:.2f} s · p99 {burst['p99_s']:.2f} s · target 0 errors, "
                  f"p99 ≤ 1 s: {verdict(ok)}", ""]
    if "growth" in results:
        lines += ["## Growth: reads at factor 1 and 10", "",
                  "| endpoint | p50 ms ×1 | p50 ms ×10 | ratio | queries ×1 | queries ×10 "
                  "| target |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
        for name, row in results["growth"].items():
            ok = row["ratio"] <= TARGETS["growth"] and row["queries_1"] == row["queries_10"]
            lines.append(f"| {name} | {row['p50_1']:.1f} | {row['p50_10']:.1f} | "
                         f"{row['ratio']:.2f} | {row['queries_1']} | {row['queries_10']} | "
                         f"≤ 1.2×, same queries: {verdict(ok)} |")
        lines.append("")
    for part, error in results.get("failed", {}).items():
        lines += [f"## {part}: FAILED — {error}", ""]
    if "rate_limit" in results:
        rl = results["rate_limit"]
        lines += [f"## Rate limit across workers (Redis): {rl['accepted']} accepted, "
                  f"{rl['refused']} refused of 8 from one phone (limit 5): "
                  f"{verdict(rl['holds'])}", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--factor", type=int, default=1)
    parser.add_argument("--postgres", action="store_true",
                        help="PostgreSQL with 4 workers and Redis rate limits")
    parser.add_argument("--growth", action="store_true", help="reads at factor 1 and 10")
    parser.add_argument("--only", default="reads,renders,writes,live,weight,burst",
                        help="comma-separated parts to run")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--watchers", type=int, default=200)
    parser.add_argument("--live-modes", default="poll,sse")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    sys.path.insert(0, str(BENCH))
    workdir = Path(tempfile.mkdtemp(prefix="muling-bench-"))
    workers = 4 if args.postgres else 1
    database_url = postgres_copy(args.factor) if args.postgres else sqlite_copy(args.factor,
                                                                                 workdir)
    results = {"when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
               "engine": "PostgreSQL" if args.postgres else "SQLite", "workers": workers,
               "factor": args.factor, "machine": machine()}
    server = Server(database_url, workers,
                    {"MULING_RATELIMIT_STORAGE_URL": REDIS_URL} if args.postgres else None)
    steps = [("reads", lambda: run_reads(server, args.seconds, 16)),
             ("renders", lambda: run_reads(server, args.seconds, 16, render=True)),
             ("writes", lambda: run_writes(server, args.seconds, 16, workdir)),
             ("live", lambda: [run_live(server, mode, args.watchers)
                               for mode in args.live_modes.split(",")]),
             ("weight", lambda: run_page_weight(server)),
             ("burst", lambda: run_burst(server, 300, 60))]
    names = {"weight": "page_weight"}
    try:
        for part, step in steps:
            if part in parts:
                print(f"» {part}", flush=True)
                results[names.get(part, part)] = attempt(step, results, part)
    finally:
        server.stop()
    if args.growth:
        results["growth"] = attempt(lambda: run_growth(args, workdir, workers), results,
                                    "growth")
    if args.postgres:
        print("» rate limit across workers", flush=True)
        results["rate_limit"] = attempt(
            lambda: check_rate_limit_across_workers(database_url, workers), results,
            "rate_limit")
    for key in [k for k, v in results.items() if v is None]:
        del results[key]
    text = report(results)
    print("\n" + text)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    (RESULTS / f"{stamp}.md").write_text(text + "\n")
    shutil.rmtree(workdir, ignore_errors=True)


def attempt(step, results: dict, part: str):
    """Run one part; a part that fails is reported as failed, the others still run."""
    try:
        return step()
    except Exception as error:
        results.setdefault("failed", {})[part] = f"{type(error).__name__}: {error}"
        print(f"   {part} failed: {error}", flush=True)
        return None


def run_growth(args, workdir: Path, workers: int) -> dict:
    figures = {}
    for factor in (1, 10):
        print(f"» growth: reads at factor {factor}", flush=True)
        url = postgres_copy(factor) if args.postgres else sqlite_copy(factor, workdir)
        server = Server(url, workers)
        try:
            figures[factor] = run_reads(server, args.seconds, 16, render=True)
        finally:
            server.stop()
    return {name: {"p50_1": figures[1][name]["p50_ms"], "p50_10": figures[10][name]["p50_ms"],
                   "ratio": figures[10][name]["p50_ms"] / figures[1][name]["p50_ms"],
                   "queries_1": figures[1][name]["queries"],
                   "queries_10": figures[10][name]["queries"]} for name in READS}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    return f"{os.cpu_count()} cores, {cpu}"


if __name__ == "__main__":
    main()
