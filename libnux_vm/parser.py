"""Source text -> syntax tree (:mod:`libnux_vm.nodes`), with lark's LALR(1) parser.

Every lark error is turned into a :class:`~libnux_vm.errors.CompileError` that names the line
and column and says what was found and what was expected.
"""

from __future__ import annotations

import functools

import lark
from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.exceptions import VisitError

from . import nodes as n
from .errors import CompileError
from .grammar import GRAMMAR

# Friendly names of the pattern terminals in "expected ..." messages.
_TERMINAL_NAMES = {"NAME": "a name", "NUMBER": "a number", "$END": "the end of the input"}


#: words of the language that are never names (the contextual lexer would otherwise take one
#: for a name where no keyword can stand: ``int if = 3;``)
RESERVED_WORDS = frozenset({"bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int",
                            "vec_u8", "vec_s8", "void", "if", "else", "for", "while", "do",
                            "break", "continue", "return", "true", "false"})
#: the most digits of a decimal literal (4294967295 has 10; leading zeros are refused)
_MAX_DECIMAL_DIGITS = 10


class _LexError(Exception):
    def __init__(self, token: Token, message: str):
        self.token = token
        self.message = message


def _on_unterminated_comment(token: Token):
    raise _LexError(token, "unterminated comment: '/*' without a closing '*/'")


def _on_name(token: Token) -> Token:
    if token.value in RESERVED_WORDS:
        raise _LexError(token, f"'{token.value}' is a reserved word of the language and cannot "
                               "be used as a name")
    return token


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark(GRAMMAR, parser="lalr", propagate_positions=True,
                maybe_placeholders=True,
                lexer_callbacks={"UNTERMINATED_COMMENT": _on_unterminated_comment,
                                 "NAME": _on_name})


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        pattern = _lark().get_terminal(name).pattern
    except KeyError:
        return name
    if isinstance(pattern, lark.lexer.PatternStr):
        return repr(pattern.value)
    return name.lower()


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "end of input"
    if token.type == "NAME":
        return f"name {token.value!r}"
    if token.type == "NUMBER":
        return f"number {token.value}"
    return repr(str(token.value))


# Listed first in "expected ..." messages: the usual culprits.
_FIRST = ["';'", "')'", "']'", "'}'", "','", "'{'", "'('", "'='", "a name", "a number"]


def _expected(names) -> str:
    described = sorted({_describe_terminal(x) for x in names},
                        key=lambda d: (_FIRST.index(d) if d in _FIRST else len(_FIRST), d))
    if not described:
        return ""
    if len(described) > 8:
        described = described[:8] + ["..."]
    return "; expected " + (described[0] if len(described) == 1 else
                            "one of " + ", ".join(described))


def _acceptable(e: UnexpectedToken):
    """The terminals that could really come next (LALR's merged lookahead sets are larger)."""
    try:
        return e.interactive_parser.accepts() or e.expected
    except Exception:  # noqa: BLE001 - only a nicer message is at stake
        return e.expected


def _end_position(source: str) -> tuple[int, int]:
    lines = source.split("\n")
    return len(lines), len(lines[-1]) + 1


def parse(source: str) -> n.Module:
    """Parse ``source`` into a :class:`~libnux_vm.nodes.Module`; raise CompileError if invalid."""
    try:
        tree = _lark().parse(source)
    except _LexError as e:
        raise CompileError(e.message, source=source, line=e.token.line,
                           column=e.token.column) from None
    except UnexpectedCharacters as e:
        char = source[e.pos_in_stream] if 0 <= e.pos_in_stream < len(source) else "?"
        raise CompileError(f"unexpected character {char!r}", source=source, line=e.line,
                           column=e.column) from None
    except UnexpectedToken as e:
        token = e.token
        line, column = token.line, token.column
        if token.type == "$END" or line is None:
            line, column = _end_position(source)
        raise CompileError(f"syntax error: unexpected {_describe_token(token)}"
                           + _expected(_acceptable(e)), source=source, line=line,
                           column=column) from None
    except UnexpectedEOF as e:
        line, column = _end_position(source)
        raise CompileError("syntax error: unexpected end of input" + _expected(e.expected),
                           source=source, line=line, column=column) from None
    except UnexpectedInput as e:  # any other lark input error
        raise CompileError(f"syntax error: {e}", source=source, line=getattr(e, "line", None),
                           column=getattr(e, "column", None)) from None
    try:
        return _Builder(source).transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, (CompileError, RecursionError)):
            raise e.orig_exc from None
        raise


def _pos(meta_or_token):
    return meta_or_token.line, meta_or_token.column


@v_args(meta=True)
class _Builder(Transformer):
    """lark tree -> nodes. Each method receives the rule's ``meta`` and its children."""

    def __init__(self, source: str):
        super().__init__()
        self.source = source

    # ---- top level
    def start(self, meta, children):
        globals_, functions = [], []
        for item in children:
            if isinstance(item, n.FuncDef):
                functions.append(item)
            else:
                globals_.extend(item.decls)
        return n.Module(1, 1, globals_, functions, children)

    def declaration(self, meta, children):
        return children[0]

    def decl_body(self, meta, children):
        type_name, *declarators = children
        return n.DeclStmt(*_pos(meta), [n.VarDecl(line, col, type_name, name, dim, init)
                                        for (line, col, name, dim, init) in declarators])

    def declarator(self, meta, children):
        name, dim, *rest = children
        init = rest[-1] if rest else None
        return (name.line, name.column, str(name), dim, init)

    def array_dim(self, meta, children):
        return children[0]

    def init_list(self, meta, children):
        return n.InitList(*_pos(meta), [c for c in children if c is not None])

    def function(self, meta, children):
        ret, name, params, body = children
        if isinstance(ret, Token):  # void
            ret = n.TypeName(ret.line, ret.column, "void")
        return n.FuncDef(*_pos(meta), ret, str(name), params or [], body)

    def params(self, meta, children):
        if len(children) == 1 and isinstance(children[0], Token):  # (void)
            return []
        return children

    def param(self, meta, children):
        type_name, name, dim = children
        return n.Param(name.line, name.column, type_name, str(name), dim is not None)

    def type_name(self, meta, children):
        token = children[0]
        return n.TypeName(token.line, token.column, str(token))

    # ---- statements
    def block(self, meta, children):
        return n.Block(*_pos(meta), children)

    def if_stmt(self, meta, children):
        cond, then, else_ = children if len(children) == 3 else (*children, None)
        return n.If(*_pos(meta), cond, then, else_)

    def while_stmt(self, meta, children):
        cond, body = children
        return n.While(*_pos(meta), cond, body)

    def do_stmt(self, meta, children):
        body, cond = children
        return n.DoWhile(*_pos(meta), body, cond)

    def for_stmt(self, meta, children):
        init, cond, step, body = children
        return n.For(*_pos(meta), init, cond, step, body)

    def for_init(self, meta, children):
        return children[0]

    def for_step(self, meta, children):
        return children[0]

    def break_stmt(self, meta, children):
        return n.Break(*_pos(meta))

    def continue_stmt(self, meta, children):
        return n.Continue(*_pos(meta))

    def return_stmt(self, meta, children):
        return n.Return(*_pos(meta), children[0])

    def empty_stmt(self, meta, children):
        return n.Block(*_pos(meta), [])

    def expr_stmt(self, meta, children):
        return n.ExprStmt(*_pos(meta), children[0])

    def assign(self, meta, children):
        target, op, value = children
        return n.Assign(op.line, op.column, target, str(op), value)

    def postfix_incdec(self, meta, children):
        target, op = children
        return self._incdec(target, op)

    def prefix_incdec(self, meta, children):
        op, target = children
        return self._incdec(target, op)

    @staticmethod
    def _incdec(target, op):
        one = n.IntLit(op.line, op.column, 1, "1")
        return n.Assign(op.line, op.column, target, "+=" if op == "++" else "-=", one)

    # ---- expressions
    def binop(self, meta, children):
        left, op, right = children
        return n.Binary(op.line, op.column, str(op), left, right)

    def ternary(self, meta, children):
        cond, question, then, _, else_ = children
        return n.Conditional(question.line, question.column, cond, then, else_)

    def unop(self, meta, children):
        op, operand = children
        return n.Unary(op.line, op.column, str(op), operand)

    def cast(self, meta, children):
        type_name, operand = children
        return n.Cast(*_pos(meta), type_name, operand)

    def index(self, meta, children):
        base, index = children
        return n.Index(*_pos(meta), base, index)

    def call(self, meta, children):
        name, args = children
        return n.Call(name.line, name.column, str(name), args or [])

    def args(self, meta, children):
        return children

    def number(self, meta, children):
        token = children[0]
        text = str(token)
        if len(text) > 1 and text[0] == "0" and text[1] not in "xX":
            raise CompileError(f"integer literal {text} has a leading zero (octal literals are "
                               "not supported; write it without the leading zeros)",
                               source=self.source, line=token.line, column=token.column)
        if text[:2] not in ("0x", "0X") and len(text) > _MAX_DECIMAL_DIGITS:
            shown = text if len(text) <= 24 else f"{text[:10]}...{text[-4:]} ({len(text)} digits)"
            raise CompileError(f"integer constant {shown} is too large (the largest is "
                               "4294967295 = 0xFFFFFFFF)", source=self.source, line=token.line,
                               column=token.column)
        return n.IntLit(token.line, token.column, int(text, 0), text)

    def true(self, meta, children):
        return n.BoolLit(*_pos(meta), True)

    def false(self, meta, children):
        return n.BoolLit(*_pos(meta), False)

    def name(self, meta, children):
        token = children[0]
        return n.Name(token.line, token.column, str(token))
