"""Access log report: summarise nginx access logs (current and rotated) and build a blocklist of noisy clients."""

from __future__ import annotations

import datetime as dt
import ipaddress
import struct
import zlib
from dataclasses import dataclass

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import OPERATIONS_DOMAINS, TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import json_text

__all__ = ["AccessLogReport"]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SITES = {
    "shop": (
        "/",
        "/products",
        "/products/{id}",
        "/cart",
        "/checkout",
        "/api/cart",
        "/api/orders",
        "/login",
        "/static/app.js",
        "/static/style.css",
    ),
    "portal": (
        "/",
        "/dashboard",
        "/api/appointments",
        "/api/patients/{id}",
        "/login",
        "/logout",
        "/reports",
        "/static/main.js",
        "/static/logo.png",
        "/api/search",
    ),
    "booking": (
        "/",
        "/rooms",
        "/rooms/{id}",
        "/api/availability",
        "/api/bookings",
        "/book",
        "/login",
        "/static/bundle.js",
        "/static/site.css",
        "/contact",
    ),
}
API_PREFIX = "/api/"
SCAN_PATHS = (
    "/wp-login.php",
    "/.env",
    "/admin/config.php",
    "/phpmyadmin/",
    "/.git/config",
    "/xmlrpc.php",
    "/cgi-bin/luci",
    "/vendor/phpunit/eval-stdin.php",
)
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "curl/8.5.0",
)
SCANNER_AGENTS = ("python-requests/2.31.0", "Mozilla/5.0 zgrab/0.x", "Go-http-client/1.1")
HEALTH_AGENT = "ELB-HealthChecker/2.0"


@dataclass
class _Request:
    when: dt.datetime
    ip: str
    method: str
    path: str
    query: str
    status: int
    size: int
    referer: str
    agent: str
    health: bool = False

    def line(self) -> str:
        stamp = f"{self.when.day:02d}/{MONTHS[self.when.month - 1]}/{self.when.year}:{self.when:%H:%M:%S} +0000"
        target = self.path + (f"?{self.query}" if self.query else "")
        return (
            f'{self.ip} - - [{stamp}] "{self.method} {target} HTTP/1.1" {self.status} {self.size} '
            f'"{self.referer}" "{self.agent}"'
        )


def _gzip_stored(data: bytes) -> bytes:
    """A gzip file holding ``data`` in stored (uncompressed) deflate blocks: byte-identical everywhere."""
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    chunks = [data[index : index + 65535] for index in range(0, len(data), 65535)] or [b""]
    body = bytearray()
    for index, chunk in enumerate(chunks):
        body += bytes([1 if index == len(chunks) - 1 else 0])
        body += struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk
    return header + bytes(body) + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)


def _ip_key(ip: str) -> int:
    return int(ipaddress.IPv4Address(ip))


class AccessLogReport(TaskFamily):
    """Summarise a web server's nginx access logs (current and rotated) into a JSON report and an IP blocklist.

    **Request**: across ``access.log`` and its rotated ``access.log.1``
    (and, when hard, ``access.log.2.gz``), write ``report.json`` (total
    requests, requests per status class, the top five client IPs with a
    numeric tie-break, 5xx responses per path without the query string, the
    busiest hour) and ``blocklist.txt`` (IPs with at least a stated number
    of 4xx responses, sorted numerically).

    **Workspace**: combined-format logs for one of three sites with regular
    visitors, vulnerability scanners producing 404s and 403s, API paths that
    sometimes fail with 5xx, query strings, a planted busiest hour, an IP
    exactly at the blocklist threshold; a README about the server; unrelated
    files.

    **Checks**: the JSON parses; total; status classes; the top five IPs in
    order; 5xx per path; the busiest hour; the blocklist exactly; the logs
    untouched.

    **Hard**: a third, gzipped log; load-balancer health checks
    (``/healthz``) that must be left out of everything; truncated lines to
    skip; ties in the top five whose order differs between numeric and text
    sorting of IPs; more traffic.
    """

    name = "access_log_report"
    scenario = Scenario.SYSTEMS_INFRASTRUCTURE
    operations = (Operation.DATA_ANALYSIS, Operation.SYSTEM_ENVIRONMENT)
    domains = OPERATIONS_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        site = rng.choice(sorted(SITES))
        paths = SITES[site]
        day = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(4, 28))
        days = [day - dt.timedelta(days=offset) for offset in ((2, 1, 0) if hard else (1, 0))]
        threshold = rng.randint(5, 8)

        # Clients and how many requests each makes (with planted ties and a client just below the threshold).
        prefixes = ("198.51.100.", "203.0.113.", "192.0.2.")
        used: set[str] = set()

        def new_ip(prefix: str | None = None, last: int | None = None) -> str:
            while True:
                ip = f"{prefix or rng.choice(prefixes)}{last if last is not None else rng.randint(2, 254)}"
                if ip not in used:
                    used.add(ip)
                    return ip

        scale = 2 if hard else 1
        if hard:
            shared = rng.choice(prefixes)
            tied = [new_ip(shared, 9), new_ip(shared, 10)]  # text order puts .10 first, numeric order .9
        else:
            tied = [new_ip(), new_ip()]
        counts = sorted((rng.randint(4, 14) * scale for _ in range(rng.randint(9, 13))), reverse=True)
        clients = [new_ip() for _ in counts]
        plan: dict[str, tuple[int, int]] = {}  # ip -> (requests, of which 4xx)
        top = [rng.randint(30, 40) * scale, rng.randint(24, 29) * scale]
        tie = rng.randint(16, 22) * scale
        for ip, total in zip([new_ip(), new_ip(), *tied], [*top, tie, tie], strict=True):
            plan[ip] = (total, rng.randint(0, 2))
        for ip, total in zip(clients, counts, strict=True):
            plan[ip] = (min(total, tie - 1), rng.randint(0, 2))
        near = clients[0]
        plan[near] = (max(plan[near][0], threshold + 3), threshold - 1)
        scanners = [new_ip(), new_ip()]
        plan[scanners[0]] = (threshold + rng.randint(2, 6), threshold + rng.randint(1, 4))
        plan[scanners[1]] = (threshold + rng.randint(0, 2), threshold)
        plan[scanners[0]] = (max(plan[scanners[0]]), plan[scanners[0]][1])
        plan[scanners[1]] = (max(plan[scanners[1]]), plan[scanners[1]][1])

        # Requests.
        peak_day = rng.choice(days)
        peak_hour = rng.randint(9, 20)
        requests: list[_Request] = []
        api_paths = [path for path in paths if path.startswith(API_PREFIX)]
        for ip, (total, n4xx) in plan.items():
            scanner = ip in scanners
            agent = rng.choice(SCANNER_AGENTS if scanner else AGENTS)
            statuses = [rng.choice((404, 404, 403, 401, 429)) for _ in range(n4xx)]
            for _ in range(total - n4xx):
                roll = rng.random()
                statuses.append(
                    200 if roll < 0.78 else 304 if roll < 0.86 else 301 if roll < 0.9 else rng.choice((500, 502, 503))
                )
            for status in statuses:
                if status >= 500:
                    path = rng.choice(api_paths)
                elif scanner and status in (403, 404):
                    path = rng.choice(SCAN_PATHS)
                elif status == 404:
                    path = rng.choice(("/favicon.ico", "/old-page", "/robots.txt", *paths[:3]))
                else:
                    path = rng.choice(paths)
                path = path.replace("{id}", str(rng.randint(10, 480)))
                query = ""
                if path.startswith(API_PREFIX) and rng.chance(0.5):
                    query = rng.choice(("page=2", "limit=50", "q=blue", "sort=-date", f"id={rng.randint(1, 99)}"))
                method = (
                    "POST" if path in ("/login", "/api/orders", "/api/bookings", "/book") and rng.chance(0.4) else "GET"
                )
                when_day = rng.choice(days)
                hour = rng.randint(0, 23) if when_day != days[-1] else rng.randint(0, 16)
                if rng.chance(0.12):
                    when_day, hour = peak_day, peak_hour
                when = dt.datetime(when_day.year, when_day.month, when_day.day, hour, rng.below(60), rng.below(60))
                size = 0 if status in (304, 301) else rng.randint(180, 48000)
                referer = "-" if scanner or rng.chance(0.4) else f"https://{site}.example.org{rng.choice(paths[:3])}"
                requests.append(_Request(when, ip, method, path, query, status, size, referer, agent))
        health: list[_Request] = []
        if hard:
            lb = ("10.0.0.2", "10.0.0.3")
            for when_day in days:
                last_hour = 23 if when_day != days[-1] else 16
                for minute in range(0, (last_hour + 1) * 60, 20):
                    when = dt.datetime(
                        when_day.year, when_day.month, when_day.day, minute // 60, minute % 60, rng.below(5)
                    )
                    health.append(
                        _Request(when, rng.choice(lb), "GET", "/healthz", "", 200, 2, "-", HEALTH_AGENT, health=True)
                    )

        # Files: one per day, oldest rotated furthest.
        names = ["access.log.2.gz", "access.log.1", "access.log"][-len(days) :]
        files: dict[str, bytes] = {}
        everything = sorted(requests + health, key=lambda r: (r.when, r.ip, r.path))
        for name, when_day in zip(names, days, strict=True):
            lines = [r.line() for r in everything if r.when.date() == when_day]
            if hard and len(lines) > 10:
                for _ in range(2):
                    position = rng.randint(1, len(lines) - 2)
                    cut = lines[position][: rng.randint(20, 60)]
                    lines.insert(position, cut)
            data = ("\n".join(lines) + "\n").encode("utf-8")
            files[f"logs/{name}"] = _gzip_stored(data) if name.endswith(".gz") else data
        for path, data in files.items():
            b.file(path, data)
        b.file(
            "logs/README.md",
            f"# {site}.example.org access logs\n\nnginx, combined log format, times in UTC (+0000). Rotated daily: "
            "`access.log` is today, `access.log.1` yesterday"
            + (", older days are gzipped (`access.log.2.gz`)" if hard else "")
            + ".\n"
            + ("The load balancer polls `/healthz` every few minutes.\n" if hard else ""),
        )
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["logs/", "reports/"], exclude_kinds=("old_log",)
        )

        # Ground truth.
        counted = requests
        classes = {f"{n}xx": 0 for n in (2, 3, 4, 5)}
        per_ip: dict[str, int] = {}
        errors: dict[str, int] = {}
        per_hour: dict[str, int] = {}
        client_errors: dict[str, int] = {}
        for r in counted:
            classes[f"{r.status // 100}xx"] += 1
            per_ip[r.ip] = per_ip.get(r.ip, 0) + 1
            if r.status >= 500:
                errors[r.path] = errors.get(r.path, 0) + 1
            if 400 <= r.status < 500:
                client_errors[r.ip] = client_errors.get(r.ip, 0) + 1
            hour = f"{r.when:%Y-%m-%d %H}:00"
            per_hour[hour] = per_hour.get(hour, 0) + 1
        top_ips = sorted(per_ip.items(), key=lambda item: (-item[1], _ip_key(item[0])))[:5]
        busiest = min(per_hour, key=lambda hour: (-per_hour[hour], hour))
        errors = {path: errors[path] for path in sorted(errors)}
        blocklist = sorted((ip for ip, n in client_errors.items() if n >= threshold), key=_ip_key)
        report = {
            "total_requests": len(counted),
            "by_status_class": classes,
            "top_ips": [{"ip": ip, "requests": n} for ip, n in top_ips],
            "server_errors_by_path": errors,
            "busiest_hour": busiest,
        }

        out_dir = rng.choice(("reports", "reports/access", "ops"))
        report_path = f"{out_dir}/report.json"
        block_path = f"{out_dir}/blocklist.txt"
        listed = [f"logs/{name}" for name in reversed(names)]
        sources = ", ".join(listed[:-1]) + " and " + listed[-1]
        body = b.pick(
            [
                f"Our {site} site had a rough couple of days and I need numbers. Using {sources}, please write "
                f"{report_path} with: total_requests; by_status_class (an object with keys 2xx, 3xx, 4xx, 5xx, "
                "zeros included); top_ips (the five IPs with the most requests, as a list of "
                '{"ip": ..., "requests": ...}, most first, ties broken by IP address in ascending numeric order, '
                "octet by octet); server_errors_by_path (5xx responses per URL path, query string removed, only "
                'paths that had any); and busiest_hour (the UTC hour with the most requests, as "YYYY-MM-DD '
                'HH:00", earliest on a tie). Also write ' + f"{block_path}: every IP with {threshold} or more 4xx "
                "responses in total, one per line, sorted numerically.",
                f"Can you go through the nginx logs ({sources}) and produce two files?\n"
                f"1. {report_path} with keys total_requests, by_status_class (2xx/3xx/4xx/5xx counts, all four "
                'keys), top_ips (top 5 as [{"ip": ..., "requests": ...}], most requests first; equal counts '
                "ordered by IP numerically, octet by octet), server_errors_by_path (path without query string -> "
                'number of 5xx responses, paths with none left out) and busiest_hour ("YYYY-MM-DD HH:00" in '
                "UTC, the earliest if several tie).\n"
                f"2. {block_path}: IPs that got at least {threshold} 4xx responses, one per line, in numeric "
                "order.\nLeave the logs themselves alone.",
                f"need a quick traffic summary from {sources}: {report_path} (total_requests, by_status_class "
                'with 2xx/3xx/4xx/5xx, top_ips = top 5 {"ip","requests"} most first with ties by numeric IP, '
                "server_errors_by_path = 5xx count per path ignoring query strings, busiest_hour as "
                '"YYYY-MM-DD HH:00" UTC with earliest winning ties) and '
                f"{block_path} with every IP that has {threshold}+ 4xx responses, numerically sorted, one per line.",
            ]
        )
        if hard:
            body += (
                "\n\nA few things to watch: access.log.2.gz is compressed; leave the load balancer's health checks "
                "(every request to /healthz) out of everything; and a few lines were cut off mid-write, so skip "
                "anything that isn't a complete log line."
            )
        b.instruct(body)
        b.steps(4 if hard else 3)
        b.constraints(9 if hard else 7)

        # Checks.
        c = b.checks
        valid = c.json_valid("report_json_written", report_path)
        c.json_equals("total_requests_correct", report_path, "/total_requests", len(counted), requires=[valid])
        c.json_equals("status_classes_correct", report_path, "/by_status_class", classes, requires=[valid])
        c.json_equals("top_ip_first", report_path, "/top_ips/0", report["top_ips"][0], requires=[valid])
        c.json_equals("top_ips_exact_order", report_path, "/top_ips", report["top_ips"], requires=[valid])
        c.json_equals("server_errors_by_path_correct", report_path, "/server_errors_by_path", errors, requires=[valid])
        c.json_equals("busiest_hour_correct", report_path, "/busiest_hour", busiest, requires=[valid])
        has_block = c.file_exists("blocklist_written", block_path)
        c.lines_equal("blocklist_exact", block_path, blocklist, requires=[has_block])
        c.files_unchanged("logs_unchanged", files, requires=[valid])

        # Reference solution.
        s = b.solution
        look = f"ls -la logs && cat logs/README.md && head -3 logs/access.log && wc -l {' '.join(files)}"
        if hard:
            look += " && zcat logs/access.log.2.gz | head -3"
        s.exec(look)
        s.write(report_path, json_text(report))
        s.write(block_path, "".join(f"{ip}\n" for ip in blocklist))

        # Near misses: "more than" instead of "at least" for the blocklist; only today's log read.
        strict = sorted((ip for ip, n in client_errors.items() if n > threshold), key=_ip_key)
        b.near_miss(
            [
                s.steps[0],
                s.steps[1],
                {"name": "write", "arguments": {"path": block_path, "content": "".join(f"{ip}\n" for ip in strict)}},
            ]
        )
        today = [r for r in counted if r.when.date() == days[-1]]
        today_classes = {f"{n}xx": sum(1 for r in today if r.status // 100 == n) for n in (2, 3, 4, 5)}
        partial = dict(report, total_requests=len(today), by_status_class=today_classes)
        b.near_miss(
            [
                s.steps[0],
                {"name": "write", "arguments": {"path": report_path, "content": json_text(partial)}},
                s.steps[2],
            ]
        )
