"""Tests that kill surviving mutants of libnux_vm/isa.py (`make mutation`): the instruction word's
documented layout (``opcode | operand << 8``, a signed 24-bit operand, one signed int32 word)
written out, and the disassembler's text for hand-made code."""

import pytest

from libnux_vm import isa


def test_an_instruction_without_operand_is_its_opcode():
    assert isa.encode(isa.OPCODES["NOP"]) == 0
    assert isa.encode(isa.OPCODES["ADD"]) == isa.OPCODES["ADD"]


def test_the_operand_range_ends_are_accepted_and_encoded():
    push = isa.OPCODES["PUSH"]
    assert isa.encode(push, 8388607) == 0x7FFFFF00 | push
    # -2**23 << 8 is -2**31: the word's top bit, as a signed int32
    assert isa.encode(push, -8388608) == -(1 << 31) + push
    assert isa.encode(push, -1) == -256 + push


@pytest.mark.parametrize("operand", [8388608, -8388609])
def test_one_past_the_operand_range_is_refused_naming_it(operand):
    with pytest.raises(ValueError, match=rf"operand {operand} of PUSH does not fit 24 bits"):
        isa.encode(isa.OPCODES["PUSH"], operand)


def test_the_disassembler_text_of_hand_made_code():
    """Word addresses from ``base``, operands only where they mean something, PUSHW's constant
    from the next word, an undefined opcode as ``?n``."""
    op = isa.OPCODES
    code = [isa.encode(op["PUSH"], -3), isa.encode(op["PUSHW"]), 0x12345678,
            isa.encode(op["ADD"]), isa.encode(op["JMP"], 10), 99, isa.encode(op["PUSHW"])]
    assert isa.disassemble(code, base=10) == [
        "   10: PUSH -3", "   11: PUSHW 305419896", "   13: ADD", "   14: JMP 10", "   15: ?99",
        "   16: PUSHW"]
    assert isa.disassemble(code[:1]) == ["    0: PUSH -3"]


def test_a_pushw_as_the_last_two_words_shows_its_constant():
    assert isa.disassemble([isa.encode(isa.OPCODES["PUSHW"]), 5]) == ["    0: PUSHW 5"]
