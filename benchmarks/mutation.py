"""Mutation testing (`make mutation`): mutmut over the modules where a slip is silent, each module
against its own fast test subset.

mutmut 3 writes its mutants into a `mutants/` copy of the sources, never into the sources
themselves; this script goes one step further and runs every module in a scratch copy of the
repository under `.mutation/<name>/` (git-ignored), so a mutation run never touches the working
tree other people test in, even if it is interrupted. mutmut mutates function and method bodies
(operators, constants, arguments, return values), not module-level tables.

mutmut imports the code once and forks a child per mutant, switching the mutant on in the
child: code that ran at import time ran unmutated. Mutants of functions called only while the
modules load (haldls's field constructors `UInt`, `Int`, `Enum`, `Array`, `Field.__init__`,
`at` and the tables they build for each container class) therefore survive whatever the tests
check; the golden words of tests/haldls/test_field_layouts.py pin those layouts instead. Read the
haldls scores with that in mind.

Usage: `python benchmarks/mutation.py [name ...]` (no name: every module; `--list` shows them).
The scores go to stdout and to `.mutation/scores.md`; a module's surviving mutants are listed
with their diffs in `.mutation/<name>/survivors.txt`. The survivors judged equivalent (no
behaviour can tell them apart) are listed with the reason in benchmarks/mutation_equivalents.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / ".mutation"
MUTMUT = Path(sys.executable).parent / "mutmut"
# every package goes into mutmut's copy: mutmut runs the tests from that copy, where a package
# left out would be found as the namespace package of its tests/ folder instead
PACKAGES = ["halco", "haldls", "lola", "stadls", "grenade", "calix", "pynn_frontend", "emulator",
            "libnux_vm"]


@dataclass(frozen=True)
class Target:
    """One module (or group of modules) to mutate and the tests that exercise it."""

    package: str  # the package directory copied into mutmut's source paths
    pattern: str  # mutmut's mutant-name glob: the module's dotted path
    tests: list[str]  # the fast test subset, relative to the repository
    env: dict[str, str] = field(default_factory=dict)
    #: tests of the subset that look at the source rather than the behaviour (mutmut's
    #: trampolines change every function's signature): deselected, as pytest node ids
    deselect: list[str] = field(default_factory=list)
    #: mutmut leaves decorated functions alone: in the scratch copy the module's
    #: ``@numba.njit(...)`` lines are removed (with NUMBA_DISABLE_JIT=1 they change nothing), so
    #: that its numba kernels are mutated too
    strip_njit: bool = False


# test_roundtrip.py (hypothesis, ~30 s) is left out: a mutant's run would take half a minute
TESTS_HALDLS = ["tests/haldls/test_field_layouts.py", "tests/haldls/test_golden.py",
                "tests/haldls/test_haldls_bad_input.py", "tests/haldls/test_haldls_mutation_killers.py"]

TARGETS: dict[str, Target] = {
    "halco.layout": Target("halco", "halco.layout.*",
                           ["tests/halco/test_layout.py", "tests/halco/test_coordinates.py",
                            "tests/halco/test_halco_mutation_killers.py"]),
    "stadls.builder": Target("stadls", "stadls.builder.*",
                             ["tests/stadls/test_programs.py", "tests/stadls/test_stadls_bad_input.py",
                              "tests/stadls/test_read_array.py",
                              "tests/stadls/test_stadls_mutation_killers.py"]),
    "libnux_vm.isa": Target("libnux_vm", "libnux_vm.isa.*",
                            ["tests/libnux_vm/test_libnux_runtime.py",
                             "tests/libnux_vm/test_libnux_errors.py",
                             "tests/libnux_vm/test_libnux_image.py",
                             "tests/libnux_vm/test_libnux_mutation_killers.py"]),
    "calix.algorithms": Target("calix", "calix.common.algorithms.*",
                               ["tests/calix/test_calix_algorithms.py",
                                "tests/calix/test_calix_mutation_killers.py"]),
    "haldls._fields": Target("haldls", "haldls._fields.*", TESTS_HALDLS),
    "haldls._container": Target("haldls", "haldls._container.*", TESTS_HALDLS),
    "haldls.v3": Target("haldls", "haldls.v3.*", TESTS_HALDLS),
    "emulator.readout": Target("emulator", "emulator.readout.*",
                               ["tests/emulator/test_readout_timing.py",
                                "tests/emulator/test_cadc_ramp.py",
                                "tests/emulator/test_analog.py",              # the MADC
                                "tests/emulator/test_capmem_debug_select.py",
                                "tests/emulator/test_emulator_mutation_killers.py"]),
    # core.py's kernels are numba-compiled: a compiled kernel cannot call mutmut's trampolines,
    # so the kernels run as plain Python here (slow: run it last, on its own)
    "emulator.core": Target("emulator", "emulator.core.*",
                            ["tests/emulator/test_exact_expectations.py",
                             "tests/emulator/test_emulator_mutation_killers.py"],
                            env={"NUMBA_DISABLE_JIT": "1"}, strip_njit=True),
    "libnux_vm.vm": Target("libnux_vm", "libnux_vm.vm.*",
                           ["tests/libnux_vm/test_libnux_runtime.py",
                            "tests/libnux_vm/test_libnux_errors.py",
                            "tests/libnux_vm/test_libnux_builtins.py",
                            "tests/libnux_vm/test_libnux_mutation_killers.py"],
                           env={"NUMBA_DISABLE_JIT": "1"},  # the interpreter is numba-compiled
                           deselect=["tests/libnux_vm/test_libnux_builtins.py::test_the_public_surface_is_annotated"],
                           strip_njit=True),
}

STATUSES = ("killed", "survived", "timeout", "suspicious", "no tests", "skipped", "segfault",
            "not checked")


def _prepare(name: str, target: Target) -> Path:
    """A fresh scratch copy: the mutated package, the tests and the examples they import."""
    work = SCRATCH / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, work / package, ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    shutil.copytree(ROOT / "examples", work / "examples", ignore=ignore)
    if target.strip_njit:
        module = work / (target.pattern.rstrip(".*").replace(".", "/") + ".py")
        lines = module.read_text().splitlines(keepends=True)
        module.write_text("".join(line for line in lines if not line.lstrip().startswith("@numba.njit")))
    tests = [t for t in target.tests if (ROOT / t).exists()]
    quoted = ", ".join([f'"{t}"' for t in tests] + [f'"--deselect={d}"' for d in target.deselect])
    copied = ", ".join(f'"{p}/"' for p in PACKAGES if p != target.package)
    (work / "pyproject.toml").write_text(
        "[tool.mutmut]\n"
        f'source_paths = ["{target.package}/"]\n'
        f"pytest_add_cli_args_test_selection = [{quoted}]\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:randomly"]\n'
        f'also_copy = ["tests/", "examples/", {copied}]\n'
        "\n[tool.pytest.ini_options]\n"
        'testpaths = ["tests"]\n')
    return work


def _counts(work: Path, pattern: str) -> tuple[dict[str, int], list[str]]:
    """Each status's count among the target's mutants, and the survivors' names."""
    prefix = pattern.rstrip("*")
    out = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=work, text=True,
                         capture_output=True, check=True).stdout
    counts = {s: 0 for s in STATUSES}
    survivors = []
    for line in out.splitlines():
        mutant, _, status = line.strip().rpartition(": ")
        if not mutant.startswith(prefix):
            continue
        counts[status] = counts.get(status, 0) + 1
        if status == "survived":
            survivors.append(mutant)
    return counts, survivors


#: a mutant's test run that takes longer than this [s] is stopped: mutmut's own timeout does not
#: stop a mutant that loops forever (e.g. a ``while`` condition inverted); mutmut then counts
#: it as suspicious
HANG_SECONDS = 90.0


def _stop_hanging_mutants(parent: int) -> None:
    """Kill the children of mutmut's process ``parent`` (one per mutant) that have run longer
    than :data:`HANG_SECONDS` (Linux: read from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue                       # the process ended meanwhile
        # after the command: state, ppid, ..., starttime is field 22 of stat (index 19 here)
        if int(fields[1]) == parent and uptime - int(fields[19]) / ticks > HANG_SECONDS:
            with contextlib.suppress(ProcessLookupError):     # it ended meanwhile
                os.kill(int(entry.name), 9)


def run(name: str, children: int) -> dict[str, int]:
    """Mutate one target and return its counts (also writes its survivors' diffs)."""
    target = TARGETS[name]
    work = _prepare(name, target)
    env = dict(os.environ, HYPOTHESIS_PROFILE="ci", **target.env)
    start = time.monotonic()
    with open(work / "mutmut.log", "w") as log:
        process = subprocess.Popen([str(MUTMUT), "run", "--max-children", str(children), target.pattern],
                                   cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
        while process.poll() is None:
            _stop_hanging_mutants(process.pid)
            time.sleep(5.0)
    counts, survivors = _counts(work, target.pattern)
    counts["seconds"] = round(time.monotonic() - start)
    with open(work / "survivors.txt", "w") as out:
        for mutant in survivors:
            diff = subprocess.run([str(MUTMUT), "show", mutant], cwd=work, text=True,
                                  capture_output=True, check=False).stdout
            out.write(diff + "\n")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="targets to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the targets and their tests")
    parser.add_argument("--children", type=int, default=1,
                        help="mutants tested at once (default 1: the CI machine has 2 cores)")
    args = parser.parse_args()
    if args.list:
        for name, target in TARGETS.items():
            print(f"{name}: {target.pattern} against {' '.join(target.tests)}")
        return
    unknown = [n for n in args.names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {unknown}; allowed: {sorted(TARGETS)}")
    SCRATCH.mkdir(exist_ok=True)
    rows = []
    for name in args.names or list(TARGETS):
        c = run(name, args.children)
        # a mutant no test reaches counts as surviving
        tested = sum(c[s] for s in STATUSES if s not in ("skipped", "not checked"))
        score = 100.0 * (c["killed"] + c["timeout"] + c["segfault"]) / tested if tested else 0.0
        total = sum(c[s] for s in STATUSES)
        row = (f"| {name} | {total} | {c['killed']} | {c['survived']} | {c['timeout']} | "
               f"{c['no tests']} | {score:.1f} % | {c['seconds']} s |")
        print(row, flush=True)
        rows.append(row)
    header = ("| module | mutants | killed | survived | timeout | no tests | score | time |\n"
              "|---|---|---|---|---|---|---|---|\n")
    (SCRATCH / "scores.md").write_text(header + "\n".join(rows) + "\n")
    print(f"survivors: {SCRATCH}/<module>/survivors.txt; "
          "equivalent ones: benchmarks/mutation_equivalents.md")


if __name__ == "__main__":
    main()
