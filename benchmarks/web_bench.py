"""The web app under load: bounded concurrent clients on 127.0.0.1 against a 1M-post workspace.

    .venv/bin/python benchmarks/web_bench.py [--size 1000000] [--clients 50] [--writers 5] [--seconds 30]
        [--workdir DIR] [--store duckdb|postgres] [--database URL] [--only-agents]

Data: the ``metrics_bench.py`` workspace of ``--size`` posts (a 100,000-post enriched demo world copied),
with an admin and an API token added. ``--store postgres`` serves the same posts and enrichments from
PostgreSQL instead: ``--database URL`` (an empty database), else a server of the machine's PostgreSQL
packages started in the workdir (its data kept there for the next run); the posts are loaded once (COPY).
The server is ``groundswell serve`` in its own process; the clients
are ``--clients`` asyncio tasks (aiohttp) in this one, each sending its next request when the last is
answered, for ``--seconds`` per endpoint. Endpoints, each measured alone:

- ``/api/v1/me``: the baseline, no data work (authentication and the server's own cost);
- ``/api/v1/inbox``: the first page of the inbox (the waiting conversations are computed once per data
  version, on the first request: its time is printed apart as "cold");
- ``/api/v1/scorecard``: the scorecard (cached per data version; cold time printed apart).

Prints requests, requests/s, p50 and p99 latency and errors per endpoint, p99 as a ratio of the
baseline's p99, and the CPU share the server and the clients used. Then the inbox while agents work it:
``--writers`` agents (5) assign items and give them back while the other clients (45) read the first page
(every write makes the readers' next page differ), with the readers' and the writes' latencies, and the
readers' p99 as a ratio of the baseline's (``--only-agents``: this part alone, after the baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent / "tests"))  # postgres_server's way of running the machine's PostgreSQL

from metrics_bench import DEFAULT_WORKDIR, base_workspace, scaled_workspace

from groundswell.store.duckdb import DATABASE_FILENAME

ENDPOINTS = ("/api/v1/me", "/api/v1/inbox", "/api/v1/scorecard")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _token(path: Path, database: str | None) -> str:
    from groundswell.accounts import add_user, create_token, find_user
    from groundswell.workspace import Workspace

    with Workspace.open(path, database=database or "") as ws:
        user = find_user(ws.store, "bench") or add_user(ws.store, "bench", "admin", "bench-password-123", actor="bench")
        return create_token(ws.store, user, "web_bench", actor="bench")


@contextmanager
def local_postgres(root: Path) -> Iterator[str]:
    """A PostgreSQL server of the machine's packages, its data in ``root/data`` (made once, kept), on
    127.0.0.1 at a free port while the block runs; the URL of its database ``bench``."""
    from postgres_server import as_postgres_user, pg_binary

    initdb, pg_ctl = pg_binary("initdb"), pg_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise SystemExit("--store postgres needs PostgreSQL's initdb and pg_ctl (apt-get install postgresql)")
    as_postgres = as_postgres_user()
    data = root / "data"
    root.mkdir(parents=True, exist_ok=True)
    if as_postgres:
        shutil.chown(root, "postgres")
        # initdb runs as the postgres user: every folder above the data must let that user through
        if subprocess.run([*as_postgres, "test", "-w", str(root)], check=False).returncode != 0:
            raise SystemExit(f"the postgres user cannot reach {root}: give its parent folders o+x "
                             "(chmod o+x), or pass a --workdir it can reach")  # fmt: skip
    if not (data / "PG_VERSION").exists():
        shutil.rmtree(data, ignore_errors=True)
        subprocess.run([*as_postgres, initdb, "-D", str(data), "-U", "bench", "--auth=trust", "-E", "UTF8",
                        "--locale=C.UTF-8", "--no-sync"], check=True, capture_output=True)  # fmt: skip
    port = _free_port()
    # a throwaway server tuned as a benchmark's: no fsync, enough memory to hold the posts
    options = (f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
               "-c shared_buffers=1GB -c work_mem=64MB -c max_connections=200")  # fmt: skip
    start = [*as_postgres, pg_ctl, "-D", str(data), "-l", str(root / "log"), "-o", options, "-w", "-t", "120"]
    subprocess.run([*start, "start"], check=True, capture_output=True)
    try:
        import psycopg

        with psycopg.connect(f"postgresql://bench@127.0.0.1:{port}/postgres", autocommit=True) as con:
            if not con.execute("SELECT 1 FROM pg_database WHERE datname = 'bench'").fetchall():
                con.execute("CREATE DATABASE bench")
        yield f"postgresql://bench@127.0.0.1:{port}/bench"
    finally:
        subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], check=False,
                       capture_output=True)  # fmt: skip


def postgres_workspace(workdir: Path, embedded: Path, size: int, url: str) -> Path:
    """A workspace folder on the database ``url`` holding the posts and enrichments of the embedded workspace
    ``embedded`` (loaded once: a second run on the same database reuses them)."""
    import duckdb
    import psycopg

    from groundswell.workspace import Workspace

    path = workdir / f"postgres-{size}" / "workspace"
    done = path / ".complete"
    with psycopg.connect(url, autocommit=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        loaded = "posts" in tables and con.execute("SELECT count(*) FROM posts").fetchall()[0][0] > 0
    if done.exists() and loaded:
        return path
    started = time.perf_counter()
    shutil.rmtree(path, ignore_errors=True)
    config_text = (embedded / "groundswell.toml").read_text(encoding="utf-8")
    Workspace.init(path, config_text=config_text, database=url).close()
    with duckdb.connect(str(embedded / DATABASE_FILENAME), read_only=True) as source, psycopg.connect(url) as con:
        for table in ("posts", "enrichments"):
            columns = ", ".join(
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
                    [table],
                ).fetchall()
            )
            csv = path / f"{table}.csv"
            source.execute(f"COPY (SELECT {columns} FROM {table}) TO '{csv}' (FORMAT csv, HEADER)")
            with (
                con.cursor() as cursor,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, HEADER)") as copy,
            ):
                with csv.open("rb") as rows:
                    while block := rows.read(1 << 20):
                        copy.write(block)
            csv.unlink()
        con.commit()
        con.autocommit = True
        con.execute("VACUUM ANALYZE")
    done.write_text("ok\n")
    print(f"# loaded {size:,} posts into PostgreSQL in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _load(url: str, token: str, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` closed-loop clients on one keep-alive connection each, for ``seconds``.

    aiohttp, not httpx: with httpx the client process used a whole core at about 430 requests/s and its own
    queueing made most of the measured latency (the server was 80% idle).
    """
    import aiohttp

    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=120)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(connector=connector, headers=headers, timeout=timeout) as session:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    async with session.get(url) as response:
                        await response.read()
                        if response.status != 200:
                            errors[str(response.status)] = errors.get(str(response.status), 0) + 1
                            continue
                except (aiohttp.ClientError, TimeoutError) as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    continue
                latencies.append(time.perf_counter() - started)

        cpu = os.times()
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - began
        used = os.times()
    return {
        "requests": len(latencies),
        "per_s": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": 1000 * _quantile(latencies, 0.99) if latencies else float("nan"),
        "client_cpu": (used.user - cpu.user + used.system - cpu.system) / elapsed,
        "errors": errors,
    }


async def _agents_at_work(base_url: str, token: str, clients: int, writers: int, seconds: float) -> dict[str, Any]:
    """The inbox while agents work it: ``clients - writers`` clients read the first page; ``writers`` clients
    take an item of it, assign it to themselves and give it back (two writes, each a new inbox version that
    every reader's next page reflects). A 409 (another writer changed the item first) is counted, not an
    error: it is the conflict check doing its job."""
    import aiohttp

    reads: list[float] = []
    writes: list[float] = []
    conflicts = 0
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def call(method: str, path: str, body: Any = None) -> tuple[int | str, Any]:
            """The answer's status and JSON (None for an error page); the exception's name when none came."""
            try:
                async with session.request(method, f"{base_url}{path}", json=body) as response:
                    if response.content_type != "application/json":
                        await response.read()
                        return response.status, None
                    return response.status, await response.json()
            except (aiohttp.ClientError, TimeoutError) as exc:
                return type(exc).__name__, None

        async def reader() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                status, _ = await call("GET", "/api/v1/inbox")
                if status != 200:
                    errors[str(status)] = errors.get(str(status), 0) + 1
                    continue
                reads.append(time.perf_counter() - started)

        async def writer(n: int) -> None:
            nonlocal conflicts
            while time.perf_counter() < deadline:
                status, page = await call("GET", "/api/v1/inbox?limit=20")
                item = page["items"][n % len(page["items"])] if status == 200 and page["items"] else None
                if item is None:
                    errors["no item"] = errors.get("no item", 0) + 1
                    return
                version = item["version"]
                for assignee in ("bench", None):
                    started = time.perf_counter()
                    path = f"/api/v1/inbox/{item['platform']}/{item['post_id']}/assign"
                    status, answer = await call("POST", path, {"assignee": assignee, "version": version})
                    if status == 409:
                        conflicts += 1
                        break
                    if status != 200:
                        errors[str(status)] = errors.get(str(status), 0) + 1
                        break
                    writes.append(time.perf_counter() - started)
                    version = answer["version"]

        await asyncio.gather(*(reader() for _ in range(clients - writers)), *(writer(n) for n in range(writers)))
    return {
        "reads": len(reads),
        "read_p50_ms": 1000 * statistics.median(reads) if reads else float("nan"),
        "read_p99_ms": 1000 * _quantile(reads, 0.99) if reads else float("nan"),
        "writes": len(writes),
        "write_p50_ms": 1000 * statistics.median(writes) if writes else float("nan"),
        "write_p99_ms": 1000 * _quantile(writes, 0.99) if writes else float("nan"),
        "conflicts": conflicts,
        "errors": errors,
    }


def _server_cpu_s(pid: int) -> float:
    """CPU seconds the server process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--writers", type=int, default=5, help="of the clients, agents writing in the last part")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--store", choices=("duckdb", "postgres"), default="duckdb")
    parser.add_argument("--database", metavar="URL", help="with --store postgres: an empty database to load into")
    parser.add_argument("--only-agents", action="store_true", help="the baseline and the agents at work only")
    args = parser.parse_args()
    if not 0 < args.writers < args.clients:
        parser.error("--writers must be at least 1 and fewer than --clients")
    args.workdir.mkdir(parents=True, exist_ok=True)
    base = base_workspace(args.workdir, args.base)
    path = base if args.size == args.base else scaled_workspace(args.workdir, base, args.base, args.size)
    with ExitStack() as stack:
        database = None
        if args.store == "postgres":
            database = args.database or stack.enter_context(local_postgres(args.workdir / f"postgres-{args.size}"))
            path = postgres_workspace(args.workdir, path, args.size, database)
        _serve_and_measure(args, path, database)


def _serve_and_measure(args: argparse.Namespace, path: Path, database: str | None) -> None:
    """Serve ``path`` and print the figures; exits with status 1 when any request failed (a figure is never
    checked against a bound here: the run fails on errors, not on times)."""
    failed: list[str] = []
    token = _token(path, database)
    port = _free_port()
    command = [sys.executable, "-m", "groundswell.cli", "serve", "--workspace", str(path), "--port", str(port)]
    server = subprocess.Popen(
        [*command, *(["--database", database] if database else [])],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        import httpx

        base_url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                httpx.get(f"{base_url}/api/v1/openapi.json", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        print(
            f"# {args.size:,} posts on {args.store}, {args.clients} clients, {args.seconds:g} s per endpoint,"
            f" server pid {server.pid}"
        )
        endpoints = ENDPOINTS[:2] if args.only_agents else ENDPOINTS
        for endpoint in endpoints[1:]:
            started = time.perf_counter()
            cold = httpx.get(f"{base_url}{endpoint}", headers={"Authorization": f"Bearer {token}"}, timeout=1800)
            print(f"# cold {endpoint}: {time.perf_counter() - started:.1f} s (status {cold.status_code})")
        print(
            "endpoint             requests   req/s    p50 ms    p99 ms   p99 / baseline  server cpu  client cpu  errors"
        )
        baseline_p99 = None
        for endpoint in endpoints[:1] if args.only_agents else endpoints:
            server_cpu = _server_cpu_s(server.pid)
            result = asyncio.run(_load(f"{base_url}{endpoint}", token, args.clients, args.seconds))
            server_share = (_server_cpu_s(server.pid) - server_cpu) / args.seconds
            if endpoint == ENDPOINTS[0]:
                baseline_p99 = result["p99_ms"]
            if result["errors"]:
                failed.append(f"{endpoint}: {result['errors']}")
            ratio = f"{result['p99_ms'] / baseline_p99:.1f}x" if baseline_p99 else ""
            print(
                f"{endpoint:<20} {result['requests']:>8,} {result['per_s']:>7.1f} {result['p50_ms']:>9.1f}"
                f" {result['p99_ms']:>9.1f}   {ratio:>14}  {server_share:>9.0%}  {result['client_cpu']:>9.0%}"
                f"  {result['errors'] or 'none'}"
            )
        readers = args.clients - args.writers
        server_cpu = _server_cpu_s(server.pid)
        mixed = asyncio.run(_agents_at_work(base_url, token, args.clients, args.writers, args.seconds))
        server_share = (_server_cpu_s(server.pid) - server_cpu) / args.seconds
        ratio = f"{mixed['read_p99_ms'] / baseline_p99:.1f}x" if baseline_p99 else "?"
        print(
            f"# agents at work: {readers} readers of /api/v1/inbox (first page) while {args.writers} agents assign"
            f" and give back items, {args.seconds:g} s, server cpu {server_share:.0%}\n"
            f"agents at work       reads {mixed['reads']:>8,}  p50 {mixed['read_p50_ms']:7.1f} ms"
            f"  p99 {mixed['read_p99_ms']:7.1f} ms ({ratio} baseline)\n"
            f"                     writes {mixed['writes']:>7,}  p50 {mixed['write_p50_ms']:7.1f} ms"
            f"  p99 {mixed['write_p99_ms']:7.1f} ms  conflicts {mixed['conflicts']}  errors {mixed['errors'] or 'none'}"
        )
        if mixed["errors"]:
            failed.append(f"agents at work: {mixed['errors']}")
        if not mixed["reads"] or not mixed["writes"]:
            failed.append("agents at work: no read or no write was answered")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        if server.returncode not in (0, -15) and server.stderr is not None:
            print(server.stderr.read().decode(errors="replace")[-3000:], file=sys.stderr)
    if failed:
        sys.exit("web_bench: requests failed: " + "; ".join(failed))


if __name__ == "__main__":
    main()
