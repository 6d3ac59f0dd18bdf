"""Report of a mutmut run (``make mutate``): kill rate per module and every survivor.

Run from the project root after ``mutmut run``. Reads mutmut's results in
``mutants/`` and the survivors judged equivalent in ``tests/EQUIVALENT_MUTANTS.md``,
and writes

- ``_build/mutation/report.md``: mutants, killed, survivors (equivalent or not),
  timeouts and kill rate per module, and the diff of every survivor;
- ``_build/mutation/survivors.txt``: the names of the survivors not yet explained;
- ``_build/mutation/summary.json``: the counts.

The kill rate is killed / (all mutants - equivalent survivors); a timeout counts as
killed (the mutant made a test loop or stall, which the suite notices). The exit
status is 1 when the kill rate is below ``--min-rate`` (0.95), a survivor is not
explained in ``tests/EQUIVALENT_MUTANTS.md`` or a mutant was not checked, so that
``make mutate`` fails then.

An entry of ``tests/EQUIVALENT_MUTANTS.md`` is a line ``- `name` verdict: why`` (a
mutant's name, as ``mutmut show`` prints it). The verdict ``equivalent`` (no observable
result can change) takes the mutant out of the kill rate's denominator; the verdict
``survives`` (a real change left untested, with the reason) keeps it counted as a
survivor, so that the file explains every survivor without flattering the rate. mutmut numbers mutants by position inside a function, so an edit of a
function renames its mutants: the report lists listed names that no longer
survive (stale entries) so that the file can be kept current.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "mutation"
EQUIVALENT_FILE = ROOT / "tests" / "EQUIVALENT_MUTANTS.md"
ENTRY = re.compile(r"^- `([\w.]+__mutmut_\d+)` (equivalent|survives):")


def explained(path: Path = EQUIVALENT_FILE) -> dict[str, str]:
    """{mutant name: verdict} from the file of explained survivors."""
    if not path.is_file():
        return {}
    return {m.group(1): m.group(2) for line in path.read_text().splitlines()
            if (m := ENTRY.match(line))}


def collect():
    """{module: {mutant name: status}} from mutmut's meta files."""
    by_module: dict[str, dict[str, str]] = defaultdict(dict)
    paths = {}
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        module = ".".join(Path(path).with_suffix("").parts)
        paths[module] = path
        for name, code in data.exit_code_by_key.items():
            by_module[module][name] = status_by_exit_code[code]
    return by_module, paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-rate", type=float, default=0.95)
    parser.add_argument("--seconds", type=float, default=None, help="run time to record")
    args = parser.parse_args(argv)

    by_module, paths = collect()
    if not by_module:
        print("no mutmut results in mutants/: run `mutmut run` first", file=sys.stderr)
        return 1
    verdicts = explained()
    equivalent = {n for n, v in verdicts.items() if v == "equivalent"}
    rows, survivors, diffs, totals = [], [], [], Counter()
    seen_survivors = set()
    for module in sorted(by_module):
        status = by_module[module]
        c = Counter()
        for name, s in sorted(status.items(), key=lambda kv: _natural(kv[0])):
            if s == "survived":
                seen_survivors.add(name)
                if name in equivalent:
                    c["equivalent"] += 1
                    diffs.append((name, "equivalent", get_diff_for_mutant(name, path=paths[module])))
                    continue
                survivors.append(name)
                if name in verdicts:
                    c["explained"] += 1
                kind = "survives, explained" if name in verdicts else "SURVIVED, unexplained"
                diffs.append((name, kind, get_diff_for_mutant(name, path=paths[module])))
            elif s == "timeout":
                c["killed"] += 1
                c["timeout"] += 1
                continue
            elif s in ("killed", "caught by type check", "segfault"):
                s = "killed"
            elif s == "no tests":
                survivors.append(name)
                diffs.append((name, "NO TESTS", get_diff_for_mutant(name, path=paths[module])))
            c[s] += 1
        c["mutants"] = len(status)
        totals.update(c)
        rows.append((module, c))
    stale = sorted(set(verdicts) - seen_survivors)

    def rate(c):
        denominator = c["mutants"] - c["equivalent"]
        return c["killed"] / denominator if denominator else 1.0

    head = ("| module | mutants | killed (timeouts) | survived | no tests | equivalent "
            "| explained survivors | not checked | kill rate |\n"
            "|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for module, c in rows + [("**all**", totals)]:
        lines.append(f"| {module} | {c['mutants']} | {c['killed']} ({c['timeout']}) "
                     f"| {c['survived']} | {c['no tests']} | {c['equivalent']} "
                     f"| {c['explained']} | {c['not checked']} | {rate(c):.1%} |")
    table = "\n".join(lines)
    total_rate = rate(totals)
    OUT.mkdir(parents=True, exist_ok=True)
    text = ["# Mutation testing of wdlib (mutmut)", ""]
    if args.seconds is not None:
        text += [f"Run time: {args.seconds:.0f} s.", ""]
    text += [table, "",
             f"Kill rate (killed / non-equivalent mutants): **{total_rate:.2%}** "
             f"(required: {args.min_rate:.0%}).", ""]
    if stale:
        text += ["## Stale entries of tests/EQUIVALENT_MUTANTS.md (no longer surviving: killed or renamed)", ""]
        text += [f"- `{name}`" for name in stale] + [""]
    text += ["## Survivors", ""]
    for name, kind, diff in diffs:
        text += [f"### {name} ({kind})", "", "```diff", diff.rstrip(), "```", ""]
    (OUT / "report.md").write_text("\n".join(text))
    (OUT / "survivors.txt").write_text("".join(f"{n}\n" for n in survivors if n not in verdicts))
    summary = {"kill_rate": total_rate, "seconds": args.seconds, "stale_equivalent": stale,
               "modules": {m: dict(c) for m, c in rows}, "all": dict(totals)}
    (OUT / "summary.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")

    print(table)
    print(f"\nkill rate {total_rate:.2%} (killed {totals['killed']} of "
          f"{totals['mutants'] - totals['equivalent']} non-equivalent mutants; "
          f"{totals['equivalent']} equivalent survivors; {len(survivors)} other survivors, "
          f"{len(survivors) - totals['explained']} of them unexplained)")
    if stale:
        print(f"{len(stale)} stale entries in {EQUIVALENT_FILE.name}: see the report")
    print(f"report: {OUT / 'report.md'}")
    if totals["not checked"]:
        print(f"{totals['not checked']} mutants were not checked", file=sys.stderr)
        return 1
    unexplained = len(survivors) - totals["explained"]
    if unexplained:
        print(f"{unexplained} survivors are neither killed nor explained in "
              f"{EQUIVALENT_FILE.name}: see {OUT / 'survivors.txt'}", file=sys.stderr)
    return 0 if total_rate >= args.min_rate and not unexplained else 1


def _natural(name: str):
    head, _, number = name.rpartition("__mutmut_")
    return head, int(number) if number.isdigit() else 0


if __name__ == "__main__":
    sys.exit(main())
