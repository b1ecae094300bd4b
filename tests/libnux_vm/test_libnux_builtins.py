"""A chip built-in is one declaration: the checker, compiler, machine and hosts read its
signature, cost, checks, answer and timing from :mod:`libnux_vm.builtins` alone."""

import ast
import inspect
from pathlib import Path

import numpy as np
import pytest

import libnux_vm
from libnux_vm import CompileError, Host, HostError, Machine, MemoryHost, Trap, builtins, isa, vm
from libnux_vm.builtins import (ANY_ROW, BUILTINS, BY_ID, NEURONS, ROW, SYNAPSES, Builtin,
                                BuiltinParam, declare, doc_table)
from libnux_vm.errors import BuiltinDeclarationError
from libnux_vm.typesys import INT32, VEC_S8, VEC_U8, VOID

PACKAGE = Path(libnux_vm.__file__).parent


def _factor_in_range(args, columns):
    if not 1 <= args[1] <= 4:
        raise HostError("out_of_range", f"factor {args[1]} is outside 1..4")


def _rows_in_view(args, rows, columns, cycles):
    return 256 if rows is None else int(rows.sum())


SCALED = Builtin("scaled_weights", VEC_U8, (SYNAPSES, ROW, BuiltinParam("factor")), 20,
                 "the row's weights times factor (1..4)", check=_factor_in_range,
                 at_chip_time=True)
VIEW_ROWS = Builtin("view_rows", INT32, (SYNAPSES,), 3, "how many rows the view has",
                    answer=_rows_in_view)
STAMP = Builtin("stamp", INT32, (), 2, "the machine's cycle count, unless the host has a clock",
                answer=lambda args, rows, columns, cycles: cycles, host_may_answer=True)


@pytest.fixture
def declared():
    """Declare SCALED, VIEW_ROWS and STAMP for one test; the table is restored after it."""
    before = dict(BUILTINS), dict(BY_ID)
    added = [declare(b) for b in (SCALED, VIEW_ROWS, STAMP)]
    yield added
    BUILTINS.clear(), BUILTINS.update(before[0])
    BY_ID.clear(), BY_ID.update(before[1])


class ScalingHost(MemoryHost):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.calls = []

    def scaled_weights(self, row, factor):
        self.calls.append((row, factor))
        return self.weights[row] * factor


# ---------------------------------------------------------------- the table and its docs

def test_the_docstring_table_is_the_declarations():
    assert doc_table() in builtins.__doc__
    assert [b.name for b in builtins.DECLARATIONS] == [BY_ID[i].name for i in sorted(BY_ID)]
    assert list(BUILTINS) == [b.name for b in builtins.DECLARATIONS]


def test_the_table_follows_a_changed_declaration(declared):
    table = doc_table()
    assert "vec_u8 scaled_weights(synapses, row, int32 factor)    20  the row's weights" in table
    assert table.splitlines()[0] == "=" * 50 + "  ====  " + "=" * 44       # widened
    assert "int32 view_rows(synapses)" in table and table not in builtins.__doc__


def test_every_built_in_that_reaches_a_host_has_a_method_with_its_arguments():
    for b in BUILTINS.values():
        method = getattr(Host, b.name, None)
        if not b.reaches_host:
            assert method is None, b.name
            continue
        params = list(inspect.signature(method).parameters)[1:]
        assert len(params) == len(b.host_params) + b.writes, b.name
        assert ("columns" in params) == b.writes, b.name
        assert method is not getattr(MemoryHost, b.name), f"MemoryHost lacks {b.name}"


# ---------------------------------------------------------------- a new built-in

def test_a_new_built_in_is_checked_by_the_compiler(declared):
    with pytest.raises(CompileError, match="takes 3 arguments but 2 were given"):
        libnux_vm.compile("void f() { scaled_weights(0, 1); }")
    with pytest.raises(CompileError, match="cannot convert vec_s8 to int32"):
        libnux_vm.compile("void f() { scaled_weights(0, 1, (vec_s8) 0); }")
    with pytest.raises(CompileError, match="'view_rows' is a built-in function and cannot be"):
        libnux_vm.compile("int view_rows = 3;")
    program = libnux_vm.compile("void f() { scaled_weights(0, 1, 2); }")
    assert f"HOSTCALL {declared[0].id}" in program.disassemble()


def test_a_new_built_in_is_costed_and_dispatched_with_its_checks(declared):
    host = ScalingHost()
    host.weights[3] = np.arange(256) % 16
    m = Machine(libnux_vm.compile("vec_u8 f(int32 h, int32 r, int32 k) {\n"
                                  "    return scaled_weights(h, r, k);\n}"), host=host)
    np.testing.assert_array_equal(m.call("f", 0, 3, 4), (np.arange(256) % 16) * 4)
    assert m.last_call_cycles == 3 * isa.COSTS[vm.LDL] + SCALED.cost + isa.COSTS[vm.RET]
    for args, kind, text in [((0, 300, 1), "out_of_bounds", "row 300 of 'scaled_weights'"),
                             ((0, 3, 5), "out_of_range", "factor 5 is outside 1..4"),
                             ((1, 3, 1), "other_hemisphere", "'scaled_weights' was given"),
                             ((7, 3, 1), "out_of_bounds", "names nothing")]:
        with pytest.raises(Trap) as info:
            m.call("f", *args)
        assert info.value.kind == kind and info.value.line == 2 and text in str(info.value)
    assert host.calls == [(3, 4)]                     # no refused call reached the host


def test_a_new_built_in_is_yielded_with_its_declaration(declared):
    m = Machine(libnux_vm.compile("void f() { scaled_weights(0, 2, 1); }"), host=ScalingHost())
    run = m.run("f")
    request = next(run)
    assert request.builtin.at_chip_time and request.builtin is BY_ID[declared[0].id]
    assert request.args == (2, 1) and request.done - request.issued == SCALED.cost


def test_a_host_without_the_method_traps_no_chip(declared):
    m = Machine(libnux_vm.compile("void f() {\n    scaled_weights(0, 2, 1);\n}"), host=Host())
    with pytest.raises(Trap) as info:
        m.call("f")
    assert info.value.kind == "no_chip" and info.value.line == 2
    assert "'scaled_weights' but Host does not provide it" in str(info.value)

    class Bare:               # not a Host at all
        hemisphere = 0
    m.host = Bare()
    with pytest.raises(Trap, match="'scaled_weights' but Bare does not provide it"):
        m.call("f")


def test_a_new_built_in_the_machine_answers_never_reaches_the_host(declared):
    source = "int32 f(int32 h) { return view_rows(h); }\nvoid k(int32 s, int32 n) { }"
    view = libnux_vm.SynapseView(0, rows=[1, 5, 9])
    program = libnux_vm.compile(source, timers=[libnux_vm.Timer(1000, 1000, 1, "k",
                                                                synapses=view)])
    m = Machine(program, host=Host())               # a host that does nothing
    assert m.call("f", 0) == 256 and m.call("f", 2) == 3
    assert next(m.run("f", 0), None) is None        # nothing was yielded


def test_a_built_in_the_host_may_answer_goes_to_a_host_that_overrides_it(declared):
    m = Machine(libnux_vm.compile("int32 f() { return stamp(); }"), host=Host())
    assert m.call("f") == m.cycles - isa.COSTS[vm.RET]

    class Clock(Host):
        def stamp(self, answer):
            return answer + 1000
    m.host = Clock()
    assert m.call("f") == m.cycles - isa.COSTS[vm.RET] + 1000
    request = next(m.run("f"))
    assert request.builtin.name == "stamp" and request.args == (request.done,)


# ---------------------------------------------------------------- now, the machine's answer

def test_now_is_the_machines_cycle_count_unless_the_host_overrides_it():
    program = libnux_vm.compile("uint32 f() { return now(); }")
    for host in (Host(), type("Quiet", (Host,), {})()):
        m = Machine(program, host=host)
        assert m.call("f") == m.cycles - isa.COSTS[vm.RET]
        assert next(m.run("f"), None) is None       # answered without a host call
    m = Machine(program, host=MemoryHost())
    m.host.time_offset = 7
    assert m.call("f") == m.cycles - isa.COSTS[vm.RET] + 7


def test_now_wraps_to_32_bits():
    m = Machine(libnux_vm.compile("uint32 f() { return now(); }"), host=Host())
    m.cycles = 2 ** 32 - 1
    assert m.call("f") == (m.cycles - isa.COSTS[vm.RET]) % 2 ** 32


# ---------------------------------------------------------------- bad declarations

@pytest.mark.parametrize("kwargs, fragment", [
    (dict(name="1x"), "the name must be an identifier"),
    (dict(cost=0), "at least the HOSTCALL's 1"),
    (dict(cost=2.5), "whole number of PPU cycles"),
    (dict(meaning=" "), "meaning must be a non-empty text"),
    (dict(params=(ROW,)), "a row must be the parameter right after a handle"),
    (dict(params=(SYNAPSES, BuiltinParam("x"), ROW)), "right after a handle"),
    (dict(params=(BuiltinParam("x"), NEURONS)), "only the first parameter may be a handle"),
    (dict(params=[SYNAPSES]), "params must be a tuple of BuiltinParam"),
    (dict(params=(), writes=True), "a built-in that writes needs a handle"),
    (dict(host_may_answer=True), "host_may_answer needs the machine's own answer"),
    (dict(answer=lambda *a: 0, at_chip_time=True), "cannot write or act at chip time"),
    (dict(check=3), "check must be callable"),
    (dict(ret=INT32.name), "the return type must be"),
])
def test_a_bad_declaration_is_refused(kwargs, fragment):
    spec = dict(name="thing", ret=VOID, params=(NEURONS,), cost=4, meaning="does a thing")
    with pytest.raises(BuiltinDeclarationError, match=fragment):
        Builtin(**(spec | kwargs))


@pytest.mark.parametrize("args, fragment", [
    (("x y",), "must be an identifier"),
    (("r", VOID), "needs a scalar or vector type"),
    (("r", INT32, "column"), "the roles are value, synapses"),
    (("r", VEC_S8, "row"), "is a row and must be int32"),
])
def test_a_bad_parameter_is_refused(args, fragment):
    with pytest.raises(BuiltinDeclarationError, match=fragment):
        BuiltinParam(*args)


def test_declaring_twice_or_something_else_is_refused():
    with pytest.raises(BuiltinDeclarationError, match="'now' is already declared"):
        declare(BUILTINS["now"])
    with pytest.raises(BuiltinDeclarationError, match="'select' is already declared"):
        declare(Builtin("select", VOID, (), 2, "x"))
    with pytest.raises(BuiltinDeclarationError, match="needs a Builtin, not str"):
        declare("now")
    assert len(BUILTINS) == len(BY_ID) == len(builtins.DECLARATIONS)


def test_the_declared_roles_set_the_machines_checks():
    assert (BUILTINS["get_weights"].handle, BUILTINS["get_weights"].row_arg,
            BUILTINS["get_weights"].in_view) == ("synapses", True, True)
    assert (BUILTINS["has_row"].row_arg, BUILTINS["has_row"].in_view) == (True, False)
    assert BUILTINS["get_rate_counters"].handle == "neurons"
    assert BUILTINS["send_spike"].handle is None and not BUILTINS["send_spike"].row_arg
    assert ANY_ROW.role == "row" and str(BuiltinParam("v", VEC_U8)) == "vec_u8 v"


# ---------------------------------------------------------------- the package's own rules

def _top_level_names(tree: ast.Module) -> list[str]:
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [name for name in names if not name.startswith("__")]


def test_no_name_is_defined_in_two_modules():
    where = {}
    for path in sorted(PACKAGE.glob("*.py")):
        for name in _top_level_names(ast.parse(path.read_text())):
            assert name not in where, f"{name} is defined in {where.get(name)} and {path.name}"
            where[name] = path.name


def test_the_public_surface_is_annotated():
    missing = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text())
        functions = [(f, "") for f in tree.body if isinstance(f, ast.FunctionDef)]
        for cls in tree.body:
            if isinstance(cls, ast.ClassDef) and not cls.name.startswith("_"):
                functions += [(f, cls.name + ".") for f in cls.body
                              if isinstance(f, ast.FunctionDef)]
        for f, owner in functions:
            if f.name.startswith("_") and f.name not in ("__init__", "__post_init__"):
                continue
            params = f.args.posonlyargs + f.args.args + f.args.kwonlyargs
            params += [a for a in (f.args.vararg, f.args.kwarg) if a is not None]
            unannotated = [a.arg for a in params
                           if a.annotation is None and a.arg not in ("self", "cls")]
            if f.returns is None or unannotated:
                missing.append(f"{path.name}:{f.lineno} {owner}{f.name} {unannotated}")
    assert not missing, "\n".join(missing)


def test_libnux_vm_imports_nothing_of_the_project():
    project = {"halco", "haldls", "lola", "stadls", "grenade", "calix", "emulator",
               "pynn_frontend"}
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & project, f"{path.name} imports {roots & project}"
