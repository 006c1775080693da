"""On-call handoff: list the incidents still open at handoff from the week's incident log and pages."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import json_text, jsonl_text

__all__ = ["OncallHandoff"]

SERVICES = (
    ("website", ("homepage returning 502s", "TLS certificate expiring in 3 days", "slow page loads from the CDN")),
    ("booking-api", ("booking requests timing out", "double bookings after retry storm", "5xx rate above 2%")),
    ("payments", ("card authorisations failing for one acquirer", "refund job stuck", "webhook backlog growing")),
    ("email-relay", ("outbound mail queue over 10k", "messages bouncing from one provider", "DKIM failures")),
    ("vpn", ("staff unable to connect from home", "VPN gateway CPU pegged", "MFA prompts not arriving")),
    ("pos-sync", ("tills not syncing sales", "price updates not reaching stores", "sync lag over 30 min")),
    ("file-server", ("share mounted read-only", "disk 95% full on file-01", "snapshots failing")),
    ("backup-jobs", ("nightly backup failed twice", "offsite copy 2 days behind", "restore test failing")),
    ("inventory-db", ("replica lag over 10 minutes", "slow queries on stock lookups", "connection pool exhausted")),
    ("phone-system", ("inbound calls dropping after 30s", "voicemail not delivering", "IVR menu looping")),
    ("door-access", ("badge readers offline on floor 2", "door controller rebooting", "access log not updating")),
    ("reporting", ("daily sales report missing", "dashboard showing stale data", "export job out of memory")),
)
NOTES = {
    "investigating": (
        "Looking into it; {metric} confirmed on {host}.",
        "Pulled logs from {host}, errors started around the last deploy.",
        "Paged the vendor; waiting for their engineer.",
        "Checking whether this is related to the network change on {host}.",
    ),
    "identified": (
        "Root cause: config change on {host}; rollback prepared.",
        "Identified a full disk on {host}; clearing old logs.",
        "Upstream provider issue confirmed, ticket {ticket} open with them.",
        "Expired credential on {host}; new one requested.",
    ),
    "monitoring": (
        "Fix deployed to {host}; watching error rates.",
        "Rolled back on {host}; metrics recovering, keeping an eye on it overnight.",
        "Workaround in place (traffic moved off {host}); monitoring.",
    ),
    "resolved": (
        "Resolved; error rate back to baseline for 2h.",
        "Resolved after vendor fix; postmortem to follow.",
        "Closed: no recurrence after the fix on {host}.",
    ),
    "reopened": (
        "Reopened: errors are back on {host}.",
        "Reopened — same symptoms as before, fix didn't hold.",
    ),
}
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
VALIDATOR = '''#!/usr/bin/env python3
"""Sanity-check a handoff.json before posting it (shape only; it cannot know the right answer)."""
import json
import re
import sys

STAMP = re.compile(r"^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$")
FIELDS = ("id", "severity", "opened_at", "last_update_at", "last_update", "pages")


def main(path):
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    problems = []
    for key in ("handoff_at", "open_incidents", "unlinked_pages"):
        if key not in data:
            problems.append("missing key: " + key)
    incidents = data.get("open_incidents", [])
    for index, incident in enumerate(incidents):
        for field in FIELDS:
            if field not in incident:
                problems.append("incident %d: missing %s" % (index, field))
        for field in ("opened_at", "last_update_at"):
            if field in incident and not STAMP.match(str(incident[field])):
                problems.append("incident %d: %s is not YYYY-MM-DDTHH:MM:SSZ" % (index, field))
        if str(incident.get("severity", "")) not in ("SEV1", "SEV2", "SEV3", "SEV4"):
            problems.append("incident %d: severity must be SEV1..SEV4" % index)
    keys = [(str(i.get("severity")), str(i.get("opened_at"))) for i in incidents]
    if keys != sorted(keys):
        problems.append("open_incidents must be sorted by severity (SEV1 first), then opened_at (oldest first)")
    for problem in problems:
        print("ERROR:", problem)
    if problems:
        return 1
    print("handoff.json OK: %d open incidents" % len(incidents))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "handoff.json"))
'''


class OncallHandoff(TaskFamily):
    """Write the on-call handoff: which incidents are still open at handoff time, most severe and oldest first.

    **Request**: from the week's incident log and pages, write
    ``handoff.md`` (an "Open incidents" list, one bullet per incident open
    at the stated handoff time, sorted by severity then age, each with its
    last update) and ``handoff.json`` (the same incidents with severity,
    opened/last-update timestamps, last update text and page count, plus the
    number of pages not linked to any incident), then run the team's
    validator script on the JSON.

    **Workspace**: ``oncall/<week>/incidents.jsonl`` or ``incidents.log``
    (timestamped status updates per incident), ``pages.log`` (alert pages,
    most tagged with an incident id), ``oncall/tools/check_handoff.py``, a
    runbook note, distractors.

    **Checks**: the JSON parses; count and order of open incidents; each
    one's severity, last update time, last update text and pages; unlinked
    pages; the validator passes; the Markdown list (ids in order) and each
    bullet's last update; the inputs and validator unchanged.

    **Hard**: more incidents; incidents resolved and later reopened; a
    severity changed mid-incident (the latest counts); log lines written
    after the handoff time that must be ignored (an incident resolved just
    after handoff is still open at handoff).

    **Rubric**: the next on-call engineer can act on the handoff.
    """

    name = "oncall_handoff"
    scenario = Scenario.MESSAGING_COLLABORATION
    operations = (Operation.COMMUNICATION, Operation.SYSTEM_ENVIRONMENT)
    rubric_capable = True
    domains = ("software", "finance", "media", "logistics", "research", "healthcare")

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        start = dt.datetime(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 21), 9, 0)
        start -= dt.timedelta(days=start.weekday())  # on-call weeks run Monday 09:00 to Monday 09:00
        handoff = start + dt.timedelta(days=7)
        week = start.strftime("%Y-%m-%d")
        folder = f"oncall/week_of_{week}"
        count = rng.randint(9, 12) if b.hard else rng.randint(6, 8)
        services = rng.sample(SERVICES, count)
        hosts = [f"{name}-{rng.randint(1, 4):02d}" for name, _ in services]
        next_id = rng.randint(1200, 4800)

        def note(status: str, host: str) -> str:
            return rng.choice(NOTES[status]).format(host=host, metric=rng.choice(("5xx spike", "latency",
                                                                                "error burst")),
                                                    ticket=f"#{rng.randint(10000, 99999)}")  # fmt: skip

        # Decide which incidents are open at handoff.
        open_count = rng.randint(4, 5) if b.hard else rng.randint(3, 4)
        fates = ["open"] * open_count + ["closed"] * (count - open_count)
        fates = rng.shuffled(fates)
        if b.hard:
            closed = [i for i, f in enumerate(fates) if f == "closed"]
            opened_ones = [i for i, f in enumerate(fates) if f == "open"]
            fates[opened_ones[0]] = "reopened"
            fates[opened_ones[1]] = "resolved_after_handoff"
            fates[closed[0]] = "opened_after_handoff"

        incidents = []
        used_notes: set[str] = set()
        for index, ((service, titles), host) in enumerate(zip(services, hosts, strict=True)):
            fate = fates[index]
            severity = rng.weighted(SEVERITIES, (1, 3, 4, 2))
            if fate == "opened_after_handoff":
                opened = handoff + dt.timedelta(minutes=rng.randint(20, 200))
            else:
                opened = start + dt.timedelta(minutes=rng.randint(30, 6 * 24 * 60))
            events = [(opened, "investigating", severity, f"Opened: {rng.choice(titles)}.")]
            moment = opened
            path = ["identified", "monitoring"][: rng.randint(1, 2)]
            if fate == "closed":
                path.append("resolved")
            elif fate == "reopened":
                path += ["resolved", "reopened", "investigating"]
            for status in path:
                moment += dt.timedelta(minutes=rng.randint(25, 600))
                text = note(status, host)
                while text in used_notes:
                    text = note(status, host)
                used_notes.add(text)
                events.append((moment, status, severity, text))
            # Keep open incidents' updates before the handoff (hard: one gets resolved right after it).
            if fate in ("open", "reopened", "resolved_after_handoff") and events[-1][0] >= handoff:
                shift = events[-1][0] - handoff + dt.timedelta(minutes=rng.randint(30, 300))
                events = [(t - shift, s, sev, n) for t, s, sev, n in events]
            if fate == "closed" and events[-1][0] >= handoff:
                shift = events[-1][0] - handoff + dt.timedelta(minutes=rng.randint(30, 300))
                events = [(t - shift, s, sev, n) for t, s, sev, n in events]
            if fate == "resolved_after_handoff":
                events.append((handoff + dt.timedelta(minutes=rng.randint(10, 90)), "resolved", severity,
                               note("resolved", host)))  # fmt: skip
            if b.hard and fate == "open" and severity != "SEV1" and rng.chance(0.6):
                # escalated mid-incident
                new = SEVERITIES[SEVERITIES.index(severity) - 1]
                t, s, _, n = events[-1]
                events[-1] = (t, s, new, n)
            incidents.append({"id": "", "service": service,
                              "host": host, "events": events, "fate": fate})  # fmt: skip
        # Everyone's events must be after the week starts.
        for incident in incidents:
            earliest = incident["events"][0][0]
            if earliest < start:
                shift = start - earliest + dt.timedelta(minutes=rng.randint(5, 90))
                incident["events"] = [(t + shift, s, sev, n) for t, s, sev, n in incident["events"]]

        # Ticket numbers follow the order incidents were opened in.
        incidents.sort(key=lambda incident: incident["events"][0][0])
        for incident in incidents:
            next_id += rng.randint(1, 6)
            incident["id"] = f"INC-{next_id}"

        # Pages.
        pages = []
        for incident in incidents:
            opened = incident["events"][0][0]
            for _ in range(rng.randint(1, 4)):
                at = opened + dt.timedelta(minutes=rng.randint(-8, 180))
                if not b.hard:
                    at = min(at, handoff - dt.timedelta(minutes=rng.randint(1, 30)))
                pages.append((at, incident["events"][0][2], incident["service"], incident["id"]))
        unlinked_total = rng.randint(2, 5)
        for _ in range(unlinked_total):
            service = rng.choice(services)[0]
            at = start + dt.timedelta(minutes=rng.randint(10, 7 * 24 * 60 - 10))
            pages.append((at, rng.choice(("SEV3", "SEV4")), service, None))
        if b.hard:
            pages.append((handoff + dt.timedelta(minutes=rng.randint(5, 60)), "SEV3", rng.choice(services)[0], None))
        pages.sort(key=lambda p: (p[0], p[2]))
        responders = list(b.persona.team)
        page_lines = []
        for at, sev, service, inc in pages:
            tag = f"[{inc}]" if inc else "[no incident]"
            ack = rng.choice(responders).split()[0].lower()
            page_lines.append(f"{_stamp(at)} PAGE {sev.lower()} {service}: alert fired {tag} ack={ack}")
        pages_text = "\n".join(page_lines) + "\n"

        # Incident log, one line per update, in time order.
        rows = []
        for incident in incidents:
            for t, status, sev, text in incident["events"]:
                rows.append((t, incident["id"], sev, status, incident["service"], text))
        rows.sort()
        if rng.chance(0.5):
            log_path = f"{folder}/incidents.jsonl"
            log_text = jsonl_text({"ts": _stamp(t), "incident": i, "severity": sev, "status": s, "service": svc,
                                   "update": n} for t, i, sev, s, svc, n in rows)  # fmt: skip
        else:
            log_path = f"{folder}/incidents.log"
            log_text = "".join(f"{_stamp(t)} {i} {sev} {s:<13} {svc:<13} {n}\n" for t, i, sev, s, svc, n in rows)
        b.file(log_path, log_text)
        b.file(f"{folder}/pages.log", pages_text)
        b.file("oncall/tools/check_handoff.py", VALIDATOR, executable=True)
        runbook = [
            f"# On-call handoff — {b.persona.org}",
            "",
            "Handoff happens Monday 09:00 UTC. The outgoing engineer posts a handoff note with everything",
            "still open, worst first, so the incoming person knows where to start.",
            "",
            "- Statuses: investigating, identified, monitoring, resolved (and reopened). Anything not resolved",
            "  at handoff time is open.",
            "- Severity: SEV1 is the worst. If severity changes during an incident, the latest value counts.",
            "- Run `python3 oncall/tools/check_handoff.py <path to handoff.json>` before posting.",
        ]
        runbook_text = "\n".join(runbook) + "\n"
        b.file("oncall/RUNBOOK.md", runbook_text)
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["oncall/", "handoff/"])

        # Ground truth at handoff.
        state = []
        for incident in incidents:
            seen = [e for e in incident["events"] if e[0] <= handoff]
            if not seen or seen[-1][1] == "resolved":
                continue
            last = seen[-1]
            page_count = sum(1 for p in pages if p[3] == incident["id"] and p[0] <= handoff)
            state.append({
                "id": incident["id"],
                "service": incident["service"],
                "severity": last[2],
                "status": last[1],
                "opened_at": _stamp(seen[0][0]),
                "last_update_at": _stamp(last[0]),
                "last_update": last[3],
                "pages": page_count,
                "first_update": seen[0][3],
            })  # fmt: skip
        state.sort(key=lambda x: (SEVERITIES.index(x["severity"]), x["opened_at"]))
        unlinked = sum(1 for p in pages if p[3] is None and p[0] <= handoff)
        handoff_at = _stamp(handoff)

        # Request.
        md_path, json_path = "handoff/handoff.md", "handoff/handoff.json"
        item = "`- <id> [<severity>] <service>: last update <last_update_at> — <last update text>`"
        fields = "id, severity, opened_at, last_update_at, last_update, pages"
        body = b.pick(
            [
                f"I'm handing over on-call at {handoff_at} and need the handoff note. The week's incident log is "
                f"{log_path} and the pages are in {folder}/pages.log. Please write {md_path} with an "
                '"## Open incidents" section listing every incident still open at the handoff time, most severe '
                f"first and, within a severity, oldest first, one bullet each like {item}. Also write "
                f"{json_path} with handoff_at, open_incidents (same order; each with {fields}, where pages is "
                "how many pages referenced that incident up to handoff and last_update is the latest update "
                "text verbatim) and unlinked_pages (pages up to handoff that aren't tied to any incident). "
                "Then run oncall/tools/check_handoff.py on the JSON and fix anything it complains about.",
                f"Handoff time! It's {handoff_at}.\n\n"
                f"1. Go through {log_path} and {folder}/pages.log.\n"
                f'2. Write {json_path}: {{"handoff_at": ..., "open_incidents": [...], "unlinked_pages": '
                f"N}}. open_incidents = incidents not resolved as of {handoff_at}, sorted by severity (SEV1 "
                f"first) then opened_at (oldest first), each with {fields}. last_update is the text of its most "
                "recent update as written; pages counts the page lines tagged with its id; unlinked_pages counts "
                "pages tagged [no incident].\n"
                f'3. Write {md_path} with a section "## Open incidents": same incidents, same order, bullets '
                f"formatted {item}.\n"
                "4. Run `python3 oncall/tools/check_handoff.py` on the JSON; it should say OK.",
                f"my on-call week ends at {handoff_at} — can you put the handoff together? incidents are in "
                f'{log_path}, pages in {folder}/pages.log. I need {md_path} (an "## Open incidents" list of '
                f"what's still open at handoff, worst severity first then oldest, each bullet {item}) and "
                f"{json_path} (handoff_at, unlinked_pages = pages with no incident, and open_incidents in the "
                f"same order with {fields}; last_update copied exactly, pages = number of pages for that "
                "incident). run the checker in oncall/tools/ on the json when you're done.",
            ]
        )
        if b.hard:
            body += (
                "\n\nA few things to watch: some incidents were resolved and then reopened; a severity can "
                "change during an incident (the latest one counts, see oncall/RUNBOOK.md); and the log and "
                "pages were exported a little after handoff, so ignore anything timestamped after "
                f"{handoff_at}."
            )
        body += "\n\nTimestamps as YYYY-MM-DDTHH:MM:SSZ. Don't modify the logs or the checker."
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(8 if b.hard else 6)

        # Checks.
        c = b.checks
        ok = c.json_valid("handoff_json_written", json_path)
        c.json_length("open_incident_count", json_path, "/open_incidents", len(state), requires=[ok])
        for index, x in enumerate(state):
            base = f"/open_incidents/{index}"
            n = index + 1
            c.json_equals(f"incident_{n}_id", json_path, f"{base}/id", x["id"], ignore_case=True, requires=[ok])
            c.json_equals(f"incident_{n}_severity", json_path, f"{base}/severity", x["severity"], ignore_case=True,
                          requires=[ok])  # fmt: skip
            c.json_equals(f"incident_{n}_last_update", json_path, f"{base}/last_update", x["last_update"],
                          requires=[ok])  # fmt: skip
            c.json_equals(f"incident_{n}_last_update_at", json_path, f"{base}/last_update_at", x["last_update_at"],
                          requires=[ok])  # fmt: skip
            c.json_equals(f"incident_{n}_pages", json_path, f"{base}/pages", x["pages"], requires=[ok])
        c.json_equals("unlinked_pages", json_path, "/unlinked_pages", unlinked, requires=[ok])
        c.command("validator_passes", f"python3 oncall/tools/check_handoff.py {json_path}",
                  stdout_contains=["OK"], requires=[ok])  # fmt: skip
        md = c.file_exists("handoff_md_written", md_path)
        c.md_items("md_open_incidents_in_order", md_path, "Open incidents", [x["id"] for x in state],
                   match="contains", requires=[md])  # fmt: skip
        for index, x in enumerate(state, start=1):
            c.text_regex(f"md_incident_{index}_last_update", md_path,
                         rf"{re.escape(x['id'])}[^\n]*{re.escape(x['last_update'])}", requires=[md])  # fmt: skip
        inputs = {log_path: log_text, f"{folder}/pages.log": pages_text, "oncall/tools/check_handoff.py": VALIDATOR}
        c.files_unchanged("inputs_unchanged", inputs, requires=[ok])

        # Reference solution.
        s = b.solution
        s.read("oncall/RUNBOOK.md")
        s.exec(f"ls -R oncall && cat {log_path}")
        s.exec(f"grep -c 'no incident' {folder}/pages.log; grep -o 'INC-[0-9]*' {folder}/pages.log | sort | uniq -c")
        s.write(json_path, json_text(_json(state, handoff_at, unlinked)))
        s.write(md_path, _markdown(state, handoff_at))
        s.exec(f"python3 oncall/tools/check_handoff.py {json_path}")

        # Near miss: the first update of each incident reported instead of the latest one.
        stale = [dict(x, last_update=x["first_update"]) for x in state]
        stale_json, stale_md = json_text(_json(stale, handoff_at, unlinked)), _markdown(stale, handoff_at)
        b.near_miss([*s.steps[:3], {"name": "write", "arguments": {"path": json_path, "content": stale_json}},
                     {"name": "write", "arguments": {"path": md_path, "content": stale_md}}])  # fmt: skip

        if b.hybrid:
            b.rubric(
                "handoff_actionable",
                "The handoff lets the incoming on-call engineer act immediately: what is on fire and how bad, "
                "what was last tried or is pending (vendor tickets, rollbacks being monitored), and what to do "
                "or watch first, without having to reread the logs.",
                {
                    "0": "Missing or useless for the next engineer.",
                    "0.25": "Lists incidents but gives no state or next step.",
                    "0.5": "State is there but priorities or next steps are unclear.",
                    "0.75": "Clear priorities and state; next steps for most incidents.",
                    "1.0": "Crisp priorities, current state and a concrete next step for every open incident.",
                },
                weight=2.0,
            )


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(state: list[dict], handoff_at: str, unlinked: int) -> dict:
    keys = ("id", "severity", "opened_at", "last_update_at", "last_update", "pages")
    return {
        "handoff_at": handoff_at,
        "open_incidents": [{key: x[key] for key in keys} | {"status": x["status"]} for x in state],
        "unlinked_pages": unlinked,
    }


def _markdown(state: list[dict], handoff_at: str) -> str:
    lines = [f"# On-call handoff — {handoff_at}", "", "## Open incidents", ""]
    for x in state:
        lines.append(f"- {x['id']} [{x['severity']}] {x['service']}: last update {x['last_update_at']} — "
                     f"{x['last_update']}")  # fmt: skip
    lines += ["", f"{len(state)} open. Start with {state[0]['id']}." if state else "Nothing open."]
    return "\n".join(lines) + "\n"
