#!/usr/bin/env python3
# Runs Autobahn|Testsuite's client conformance cases (1.* to 13.*) against the real `sockpit` binary and judges the report.
"""Autobahn|Testsuite client conformance for `sockpit connect --echo`.

Starts the fuzzing server (tests/autobahn/fuzzingserver.py under the Python 2.7 venv that setup.sh
makes) on 127.0.0.1 and a free port, then drives the `sockpit` binary through the fuzzing server's
protocol, one process per step, sequentially (the fuzzing server keeps one case state per agent):

    sockpit connect ws://127.0.0.1:PORT/getCaseCount --count 1          -> N
    sockpit connect 'ws://127.0.0.1:PORT/runCase?case=I&agent=sockpit' --echo --timeout T   (I = 1..N)
    sockpit connect 'ws://127.0.0.1:PORT/updateReports?agent=sockpit' --timeout T

then reads OUTDIR/reports/index.json and prints counts per behavior and every case that is not
OK / NON-STRICT / INFORMATIONAL, with its description, expectation and what it observed.

Exit status: 0 when every case is acceptable; 1 when some case is not (or is missing from the
report); 2 when the harness itself could not run (no venv, no binary, server did not start).

UNIMPLEMENTED is tolerated for the cases matched by AUTOBAHN_ALLOW_UNIMPLEMENTED (or
--allow-unimplemented): a comma-separated list of case patterns such as `12.*,13.*`, `*` or `1` for
all, empty or `0` for none (the default). Only UNIMPLEMENTED is ever tolerated; FAILED never is.

Writes OUTDIR/spec.json, OUTDIR/reports/ (the testsuite's HTML and JSON reports), OUTDIR/logs/
(fuzzing server log, stderr of every sockpit run) and OUTDIR/summary.json.
"""

import argparse
import ast
import fnmatch
import json
import os
import queue
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
AGENT = "sockpit"
ACCEPTED = ("OK", "NON-STRICT", "INFORMATIONAL")


def default_sockpit():
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    if not os.path.isabs(target):
        target = os.path.join(ROOT, target)
    for profile in ("debug", "release"):
        path = os.path.join(target, profile, "sockpit")
        if os.access(path, os.X_OK):
            return path
    return os.path.join(target, "debug", "sockpit")


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Autobahn|Testsuite client conformance for sockpit (see the module docstring).")
    p.add_argument("sockpit", nargs="?", default=None,
                   help="path of the sockpit binary (default: $CARGO_TARGET_DIR or target/, debug then release)")
    p.add_argument("--outdir", default=os.environ.get("AUTOBAHN_OUTDIR", os.path.join(ROOT, "tests", "output", "autobahn")),
                   help="where spec, reports, logs and summary go (default: tests/output/autobahn; replaced)")
    p.add_argument("--cases", default=os.environ.get("AUTOBAHN_CASES", "*"),
                   help="comma-separated case patterns for the spec (default: *, all 517)")
    p.add_argument("--exclude", default=os.environ.get("AUTOBAHN_EXCLUDE", ""),
                   help="comma-separated case patterns to leave out (default: none)")
    p.add_argument("--allow-unimplemented", default=os.environ.get("AUTOBAHN_ALLOW_UNIMPLEMENTED", ""),
                   help="case patterns whose UNIMPLEMENTED is tolerated ('*' or '1' = all; default: none)")
    p.add_argument("--case-timeout", type=float, default=float(os.environ.get("AUTOBAHN_CASE_TIMEOUT", "120")),
                   help="sockpit --timeout for one case, seconds (the process is killed 5 s later)")
    p.add_argument("--total-timeout", type=float, default=float(os.environ.get("AUTOBAHN_TOTAL_TIMEOUT", "2400")),
                   help="stop starting cases after this many seconds; the rest count as NOT-RUN")
    p.add_argument("--jobs", type=int, default=int(os.environ.get("AUTOBAHN_JOBS", "2")),
                   help="fuzzing servers run side by side, each with its share of the cases (default 2: the Python server and sockpit each take about one core)")
    p.add_argument("--sockpit-arg", action="append", default=[],
                   help="extra argument for every `sockpit connect` of a case (repeatable)")
    p.add_argument("--python27", default=os.path.join(HERE, ".venv27", "bin", "python"),
                   help="Python 2.7 with autobahntestsuite (default: the venv of setup.sh)")
    return p.parse_args(argv)


def patterns(text):
    return [s.strip() for s in text.split(",") if s.strip()]


def allowed_unimplemented(spec_text):
    if spec_text.strip() in ("", "0"):
        return []
    if spec_text.strip() == "1":
        return ["*"]
    return patterns(spec_text)


def matches(case_id, pats):
    return any(fnmatch.fnmatchcase(case_id, p) for p in pats)


def case_key(case_id):
    return tuple(int(x) if x.isdigit() else x for x in case_id.split("."))


class Harness:
    """One fuzzing server and the cases it runs: runCase numbers shard, shard + jobs, ... (1-based)."""

    def __init__(self, args, shard=0, jobs=1):
        self.args = args
        self.shard = shard
        self.jobs = jobs
        self.sockpit = os.path.abspath(args.sockpit or default_sockpit())
        self.outdir = os.path.abspath(args.outdir)
        suffix = "" if jobs == 1 else "-%d" % (shard + 1)
        self.reports = os.path.join(self.outdir, "reports" + suffix)
        self.spec_path = os.path.join(self.outdir, "spec%s.json" % suffix)
        self.server_log_path = os.path.join(self.outdir, "logs", "fuzzingserver%s.log" % suffix)
        self.logs = os.path.join(self.outdir, "logs")
        self.server = None
        self.server_log = None
        self.port = None
        self.case_ids = []

    def fail_setup(self, msg):
        print("autobahn: error: " + msg, file=sys.stderr)
        sys.exit(2)

    # -- fuzzing server -------------------------------------------------------------------------
    def start_server(self):
        if not os.access(self.args.python27, os.X_OK):
            self.fail_setup("%s is missing: run tests/autobahn/setup.sh first" % self.args.python27)
        if not os.access(self.sockpit, os.X_OK):
            self.fail_setup("the sockpit binary is missing at %s: run `cargo build -p sockpit-cli` "
                            "or pass its path" % self.sockpit)
        os.makedirs(self.logs, exist_ok=True)
        spec = {
            "url": "ws://127.0.0.1:0",
            "outdir": self.reports,
            "cases": patterns(self.args.cases) or ["*"],
            "exclude-cases": patterns(self.args.exclude),
            "exclude-agent-cases": {},
        }
        spec_path = self.spec_path
        with open(spec_path, "w") as f:
            json.dump(spec, f, indent=2)
        self.server_log = open(self.server_log_path, "w")
        self.server = subprocess.Popen(
            [self.args.python27, "-u", os.path.join(HERE, "fuzzingserver.py"), spec_path],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=self.outdir, text=True, start_new_session=True)
        lines = queue.Queue()

        def pump():
            for line in self.server.stdout:
                self.server_log.write(line)
                self.server_log.flush()
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            if line.startswith("Cases = "):
                # The server's case list, in runCase order (runCase?case=I is case_ids[I-1]).
                self.case_ids = ast.literal_eval(line[len("Cases = "):].strip())
            if line.startswith("listening on ws://127.0.0.1:"):
                self.port = int(line.rsplit(":", 1)[1])
                return
        self.stop_server()
        self.fail_setup("the fuzzing server did not start; see %s" % self.server_log.name)

    def stop_server(self):
        if self.server and self.server.poll() is None:
            try:
                os.killpg(self.server.pid, signal.SIGTERM)
                self.server.wait(10)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                try:
                    os.killpg(self.server.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.server.wait()

    # -- sockpit ---------------------------------------------------------------------------------
    def sockpit_run(self, url, extra, timeout, log_name, capture=False):
        """Runs `sockpit connect URL EXTRA --timeout T`; returns (exit status or 'killed', stdout, seconds)."""
        cmd = [self.sockpit, "connect", url] + extra + ["--timeout", "%g" % timeout]
        t0 = time.monotonic()
        with open(os.path.join(self.logs, log_name), "wb") as err:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                                    stderr=err, start_new_session=True)
            try:
                out, _ = proc.communicate(timeout=timeout + 5)
                status = proc.returncode
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, _ = proc.communicate()
                status = "killed"
        return status, (out or b"").decode("utf-8", "replace"), time.monotonic() - t0

    def base(self):
        return "ws://127.0.0.1:%d" % self.port

    def case_count(self):
        status, out, _ = self.sockpit_run(self.base() + "/getCaseCount", ["--count", "1"], 15,
                                          "getCaseCount-%d.stderr" % (self.shard + 1), capture=True)
        text = out.strip()
        if not text.isdigit():
            self.fail_setup("getCaseCount: expected a number on stdout, got %r (exit %s); see %s"
                            % (text[:200], status, os.path.join(self.logs, "getCaseCount-%d.stderr" % (self.shard + 1))))
        return int(text)

    def run_cases(self, n):
        runs = {}
        started = time.monotonic()
        for i in range(self.shard + 1, n + 1, self.jobs):
            if time.monotonic() - started > self.args.total_timeout:
                print("autobahn: total time limit of %gs reached before runCase %d of %d"
                      % (self.args.total_timeout, i, n), file=sys.stderr)
                break
            url = "%s/runCase?case=%d&agent=%s" % (self.base(), i, AGENT)
            status, _, secs = self.sockpit_run(url, ["--echo"] + self.args.sockpit_arg,
                                               self.args.case_timeout, "case-%03d.stderr" % i)
            runs[i] = {"exit": status, "seconds": round(secs, 3)}
        return runs

    def update_reports(self):
        status, _, _ = self.sockpit_run("%s/updateReports?agent=%s" % (self.base(), AGENT), [], 120,
                                        "updateReports%s.stderr" % ("" if self.jobs == 1 else "-%d" % (self.shard + 1)))
        return status


def judge(case_ids, results, runs, allow_pats, logs_dir):
    """Returns (counts per behavior, problems, tolerated UNIMPLEMENTED); every case of case_ids is judged.

    results: case id -> index.json entry plus "_reports", the directory of its report files."""
    counts = {}
    problems = []
    tolerated = []
    for n, case_id in enumerate(case_ids, start=1):
        r = results.get(case_id)
        if r is None:
            behavior = "NOT-RUN" if n not in runs else "MISSING"
            r = {}
        else:
            behavior = r.get("behavior", "MISSING")
        counts[behavior] = counts.get(behavior, 0) + 1
        run = runs.get(n, {})
        if behavior in ACCEPTED:
            continue
        detail = {"case": case_id, "runCase": n, "behavior": behavior,
                  "behaviorClose": r.get("behaviorClose"), "remoteCloseCode": r.get("remoteCloseCode"),
                  "sockpit_exit": run.get("exit"), "seconds": run.get("seconds")}
        if behavior == "NOT-RUN":
            detail["description"] = "not started: the total time limit ran out"
        elif behavior == "MISSING":
            detail["description"] = "no result in the report: the connection never reached the case"
        try:
            with open(os.path.join(r["_reports"], r["reportfile"])) as f:
                rep = json.load(f)
            for k in ("description", "expectation", "result", "resultClose"):
                detail[k] = rep.get(k)
            for line in (rep.get("httpResponse") or "").splitlines():
                if line.lower().startswith("sec-websocket-extensions:"):
                    detail["negotiated"] = line.split(":", 1)[1].strip()
        except (OSError, KeyError, ValueError):
            pass
        try:
            with open(os.path.join(logs_dir, "case-%03d.stderr" % n), errors="replace") as f:
                detail["sockpit_stderr"] = f.read()[-500:].strip()
        except OSError:
            pass
        if behavior == "UNIMPLEMENTED" and matches(case_id, allow_pats):
            tolerated.append(detail)
        else:
            problems.append(detail)
    return counts, problems, tolerated


def short(value, limit=300):
    s = value if isinstance(value, str) else json.dumps(value)
    return s if len(s) <= limit else s[:limit] + "..."


def main(argv):
    args = parse_args(argv)
    allow_pats = allowed_unimplemented(args.allow_unimplemented)
    jobs = max(1, args.jobs)
    shards = [Harness(args, k, jobs) for k in range(jobs)]
    h = shards[0]
    shutil.rmtree(h.outdir, ignore_errors=True)
    t0 = time.monotonic()
    runs = {}
    upd = []
    try:
        for sh in shards:
            sh.start_server()
        n = h.case_count()
        print("autobahn: %d cases, %d fuzzing server(s) on %s, sockpit %s" % (
            n, jobs, " ".join(sh.base() for sh in shards), h.sockpit))
        if jobs == 1:
            runs.update(h.run_cases(n))
        else:
            # Separate servers share nothing: each runs the runCase numbers of its shard.
            results = [None] * jobs

            def work(k):
                results[k] = shards[k].run_cases(n)

            threads = [threading.Thread(target=work, args=(k,)) for k in range(jobs)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for r in results:
                runs.update(r or {})
        t_cases = time.monotonic() - t0
        upd = [sh.update_reports() for sh in shards]
        cpu_sockpit = child_cpu()
    finally:
        for sh in shards:
            sh.stop_server()
    cpu_server = child_cpu() - cpu_sockpit
    merged = {}
    for sh in shards:
        index_path = os.path.join(sh.reports, "index.json")
        try:
            with open(index_path) as f:
                index = json.load(f)
        except (OSError, ValueError) as e:
            print("autobahn: error: no report at %s (%s); updateReports exit %s" % (index_path, e, upd),
                  file=sys.stderr)
            return 2
        for case_id, r in index.get(AGENT, {}).items():
            merged[case_id] = dict(r, _reports=sh.reports)
    if len(h.case_ids) != n:
        print("autobahn: error: getCaseCount said %d, the server listed %d cases" % (n, len(h.case_ids)), file=sys.stderr)
        return 2
    counts, problems, tolerated = judge(h.case_ids, merged, runs, allow_pats, h.logs)
    timed_out = sorted(i for i, r in runs.items() if r["exit"] in (3, "killed"))
    killed = sorted(i for i, r in runs.items() if r["exit"] == "killed")
    slowest = sorted(runs.items(), key=lambda kv: -kv[1]["seconds"])[:5]
    elapsed = time.monotonic() - t0

    order = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"]
    keys = order + sorted(k for k in counts if k not in order)
    print()
    print("Autobahn|Testsuite client conformance: %d cases in %.1f s (cases %.1f s)" % (n, elapsed, t_cases))
    print("  " + "  ".join("%s %d" % (k, counts.get(k, 0)) for k in keys))
    if tolerated:
        print("  UNIMPLEMENTED tolerated (AUTOBAHN_ALLOW_UNIMPLEMENTED=%s): %d cases, %s"
              % (args.allow_unimplemented, len(tolerated), compress_ids([d["case"] for d in tolerated])))
    if timed_out:
        print("  sockpit hit --timeout on runCase %s%s" % (
            compress_nums(timed_out), " (killed: %s)" % compress_nums(killed) if killed else ""))
    print("  slowest: " + ", ".join("%s %.1fs" % (h.case_ids[i - 1], r["seconds"]) for i, r in slowest))
    print("  CPU time: sockpit %.1f s, fuzzing server %.1f s" % (cpu_sockpit, cpu_server))
    lenient = [k for k in ("NON-STRICT", "INFORMATIONAL") if counts.get(k)]
    for k in lenient:
        ids = sorted((c for c in h.case_ids if merged.get(c, {}).get("behavior") == k), key=case_key)
        print("  %s (accepted): %s" % (k, " ".join(ids)))
    unimpl = [d for d in problems if d["behavior"] == "UNIMPLEMENTED"]
    not_run = [d for d in problems if d["behavior"] == "NOT-RUN"]
    others = [d for d in problems if d["behavior"] not in ("UNIMPLEMENTED", "NOT-RUN")]
    if not_run:
        print()
        print("NOT-RUN, the total time limit (%gs) ran out first (%d): %s" % (
            args.total_timeout, len(not_run), " ".join(d["case"] for d in not_run)))
    if unimpl:
        print()
        print("UNIMPLEMENTED, not tolerated (%d): %s" % (len(unimpl), compress_ids([d["case"] for d in unimpl])))
        no_ext = sum(1 for d in unimpl if not d.get("negotiated"))
        print("  %d of them negotiated no extension (the server marks compression cases UNIMPLEMENTED then);"
              " set AUTOBAHN_ALLOW_UNIMPLEMENTED to tolerate them" % no_ext)
        print("  first: %s: %s" % (unimpl[0]["case"], short(unimpl[0].get("description") or "")))
    if others:
        print()
        print("Not accepted (%d):" % len(others))
        for d in others:
            ran_out = " -- sockpit ran out of --timeout (too slow, or hung)" if d.get("sockpit_exit") in (3, "killed") else ""
            print("  %s %s (close: %s, remote close code %s, sockpit exit %s after %s s)%s" % (
                d["case"], d["behavior"], d.get("behaviorClose"), d.get("remoteCloseCode"),
                d.get("sockpit_exit"), d.get("seconds"), ran_out))
            for k in ("description", "expectation", "result", "resultClose"):
                if d.get(k):
                    print("      %s: %s" % (k, short(d[k])))
            if d.get("negotiated"):
                print("      negotiated: %s" % d["negotiated"])
            if d.get("sockpit_stderr"):
                print("      sockpit stderr: %s" % short(d["sockpit_stderr"], 200))
    print()
    print("reports: %s" % " ".join(os.path.join(sh.reports, "index.html") for sh in shards))
    passed = sum(counts.get(k, 0) for k in ACCEPTED)
    summary = {"cases": n, "passed": passed, "failed": len(problems), "tolerated": len(tolerated),
               "counts": counts, "problems": problems,
               "tolerated_unimplemented": [d["case"] for d in tolerated],
               "allow_unimplemented": allow_pats, "timed_out_runs": timed_out, "killed_runs": killed,
               "cpu_seconds_sockpit": round(cpu_sockpit, 1), "cpu_seconds_server": round(cpu_server, 1),
               "jobs": jobs, "seconds": round(elapsed, 1), "seconds_cases": round(t_cases, 1), "sockpit": h.sockpit}
    with open(os.path.join(h.outdir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    # The plain closing line: UNIMPLEMENTED cases that are tolerated count as skipped.
    print("autobahn: %d passed, %d failed, %d skipped" % (passed, len(problems), len(tolerated)))
    return 1 if problems else 0


def child_cpu():
    """User + system CPU seconds of the reaped child processes so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def compress_ids(ids):
    """'12.1.1 .. 13.7.18' style: groups by top-level section."""
    groups = {}
    for c in sorted(ids, key=case_key):
        groups.setdefault(c.split(".")[0], []).append(c)
    return ", ".join("%s.* x%d" % (k, len(v)) for k, v in sorted(groups.items(), key=lambda kv: int(kv[0])))


def compress_nums(nums):
    out, start, prev = [], None, None
    for x in nums:
        if start is None:
            start = prev = x
        elif x == prev + 1:
            prev = x
        else:
            out.append("%d" % start if start == prev else "%d-%d" % (start, prev))
            start = prev = x
    if start is not None:
        out.append("%d" % start if start == prev else "%d-%d" % (start, prev))
    return ",".join(out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
