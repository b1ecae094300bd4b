"""The grammar of the kernel language, for lark's LALR(1) parser.

It is kept in a Python module (not a .lark data file) so that it ships with the package
without any package-data configuration.
"""

GRAMMAR = r"""
// libnux_vm kernel language: a small C dialect, LALR(1).
// Precedence, lowest first: ?:  ||  &&  |  ^  &  == !=  < <= > >=  << >>  + -  * / %  unary
// postfix. The conditional ?: groups to the right (a ? b : c ? d : e is a ? b : (c ? d : e)).
// Assignments (= += -= *= /= %= <<= >>= &= |= ^=) and ++/-- are statements, not expressions.
// The dangling `else` binds to the nearest `if` (LALR shift).

start: _top*
_top: declaration | function | ";"

declaration: decl_body ";"
decl_body: type_name declarator ("," declarator)*
declarator: NAME [array_dim] [ASSIGN _initializer]
array_dim: "[" expr "]"
_initializer: expr | init_list
init_list: "{" [expr ("," expr)* [","]] "}"

function: (type_name | VOID) NAME "(" [params] ")" block
params: param ("," param)* | VOID
param: type_name NAME [array_dim]

type_name: BOOL | INT8 | UINT8 | INT16 | UINT16 | INT32 | UINT32 | INT | VEC_U8 | VEC_S8
BOOL: "bool"
INT8: "int8"
UINT8: "uint8"
INT16: "int16"
UINT16: "uint16"
INT32: "int32"
UINT32: "uint32"
INT: "int"
VEC_U8: "vec_u8"
VEC_S8: "vec_s8"
VOID: "void"

block: "{" _statement* "}"
_statement: block
          | declaration
          | _simple ";"
          | if_stmt
          | while_stmt
          | do_stmt
          | for_stmt
          | break_stmt
          | continue_stmt
          | return_stmt
          | empty_stmt
if_stmt: "if" "(" expr ")" _statement ["else" _statement]
while_stmt: "while" "(" expr ")" _statement
do_stmt: "do" _statement "while" "(" expr ")" ";"
for_stmt: "for" "(" [for_init] ";" [expr] ";" [for_step] ")" _statement
for_init: decl_body | _simple
for_step: _simple
break_stmt: "break" ";"
continue_stmt: "continue" ";"
return_stmt: "return" [expr] ";"
empty_stmt: ";"

_simple: assign | incdec | expr_stmt
expr_stmt: expr
assign: postfix _assign_op expr
_assign_op: ASSIGN | ADD_ASSIGN | SUB_ASSIGN | MUL_ASSIGN | DIV_ASSIGN | MOD_ASSIGN
           | SHL_ASSIGN | SHR_ASSIGN | AND_ASSIGN | OR_ASSIGN | XOR_ASSIGN
incdec: postfix (INC | DEC) -> postfix_incdec
      | (INC | DEC) postfix -> prefix_incdec

?expr: conditional
?conditional: lor | lor QUESTION expr COLON conditional -> ternary
?lor: land | lor OROR land -> binop
?land: bor | land ANDAND bor -> binop
?bor: bxor | bor PIPE bxor -> binop
?bxor: band | bxor CARET band -> binop
?band: equality | band AMP equality -> binop
?equality: relation | equality (EQ | NE) relation -> binop
?relation: shift | relation (LT | LE | GT | GE) shift -> binop
?shift: sum | shift (SHL | SHR) sum -> binop
?sum: product | sum (PLUS | MINUS) product -> binop
?product: unary | product (STAR | SLASH | PERCENT) unary -> binop
?unary: postfix
      | (PLUS | MINUS | TILDE | BANG) unary -> unop
      | "(" type_name ")" unary -> cast
?postfix: primary
        | postfix "[" expr "]" -> index
        | NAME "(" [args] ")" -> call
args: expr ("," expr)*
?primary: NUMBER -> number
        | "true" -> true
        | "false" -> false
        | NAME -> name
        | "(" expr ")"

// Operators: one string terminal each, so that the lexer tries them longest first
// ("<<=" before "<<" before "<"; "+=" and "++" before "+"; "==" before "=").
ASSIGN: "="
ADD_ASSIGN: "+="
SUB_ASSIGN: "-="
MUL_ASSIGN: "*="
DIV_ASSIGN: "/="
MOD_ASSIGN: "%="
SHL_ASSIGN: "<<="
SHR_ASSIGN: ">>="
AND_ASSIGN: "&="
OR_ASSIGN: "|="
XOR_ASSIGN: "^="
INC: "++"
DEC: "--"
OROR: "||"
ANDAND: "&&"
PIPE: "|"
CARET: "^"
AMP: "&"
EQ: "=="
NE: "!="
LT: "<"
LE: "<="
GT: ">"
GE: ">="
SHL: "<<"
SHR: ">>"
PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
PERCENT: "%"
TILDE: "~"
BANG: "!"
QUESTION: "?"
COLON: ":"

NAME: /[A-Za-z_][A-Za-z0-9_]*/
NUMBER: /0[xX][0-9a-fA-F]+|[0-9]+/

WHITESPACE: /[ \t\f\r\n]+/
LINE_COMMENT: /\/\/[^\n]*/
BLOCK_COMMENT.3: /\/\*[\s\S]*?\*\//
UNTERMINATED_COMMENT.2: /\/\*[\s\S]*/
%ignore WHITESPACE
%ignore LINE_COMMENT
%ignore BLOCK_COMMENT
%ignore UNTERMINATED_COMMENT
"""
