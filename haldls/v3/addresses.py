"""The revision-3 address map (word addresses on the chip bus; FPGA registers have bit 31 set).

Values from the real address map where it is documented. Where it is not, the placement is ours
and marked "(designed)": it keeps each region inside its documented block and clear of the others.
"""

from __future__ import annotations

import numpy as np

# PPU subtrees (top, bottom): the bottom hemisphere swaps 0x02... for 0x03...
PPU_SUBTREE = np.array([0x0200_0000, 0x0300_0000], dtype=np.int64)
PPU_MEMORY = PPU_SUBTREE + 0x0080_0000          # word n at +n
PPU_CONTROL = PPU_MEMORY | 0x0020_0000
PPU_STATUS = PPU_CONTROL + 1
COMMON_SYNRAM_CONFIG = PPU_SUBTREE + 0          # 3 words
COMMON_CORRELATION_CONFIG = PPU_SUBTREE + 0x0020_0000
CORRELATION_RESET = PPU_SUBTREE | 0x00C9_0000   # + row*64 + quad column
CADC_CONFIG = PPU_SUBTREE | 0x0040_1000
CADC_OFFSET_SRAM_WEST = PPU_SUBTREE | 0x0040_0800
CADC_OFFSET_SRAM_EAST = PPU_SUBTREE | 0x0040_0000

# synapse array ("synacc") per synram
SYNACC = PPU_SUBTREE + 0x00C0_0000
SYNAPSE_WEIGHTS = SYNACC + 0x0_0000
SYNAPSE_EVEN_2MSB = SYNACC + 0x1_0000
SYNAPSE_ODD_2MSB = SYNACC + 0x2_0000
SYNAPSE_LABELS = SYNACC + 0x4_0000
CADC_CAUSAL = SYNACC + 0x8_0000
CADC_ACAUSAL = SYNACC + 0xC_0000
SYNAPSE_QUAD = SYNACC + 0xF_0000
CADC_BUFFERED_BIT = 0x0020_0000

SYNAPSE_BIAS_SELECTION = 0x10_0000
PADI = np.array([0x11_0000, 0x11_8000], dtype=np.int64)          # event +0, bus config +1, STP +2
SYNAPSE_DRIVER_SRAM = np.array([0x11_0400, 0x11_8400], dtype=np.int64)  # 4*d + i

NEURON_RESET = np.array([0x12_2000, 0x12_A000], dtype=np.int64)  # west, east; 4*n
SPIKE_COUNTER_READ = NEURON_RESET | 0x800
SPIKE_COUNTER_RESET = NEURON_RESET | 0xC00
BLOCK_POST_PULSE = np.array([0x12_2400, 0x12_A400], dtype=np.int64)

CROSSBAR = 0x13_0000
CROSSBAR_OUTPUT_CONFIG = CROSSBAR
BACKGROUND_SPIKE_SOURCE = CROSSBAR + 1          # + 3*i
CROSSBAR_NODE = CROSSBAR + 0x19                 # + node enum
# after the 76 crossbar nodes: the 20 input drop counters, then the 12 output event counters
CROSSBAR_INPUT_DROP_COUNTER = CROSSBAR_NODE + 8 * 3 + 4 * 9 + 8 * 2   # 0x13_0065 + input
CROSSBAR_OUTPUT_EVENT_COUNTER = CROSSBAR_INPUT_DROP_COUNTER + 20      # 0x13_0079 + output

CAPMEM = np.array([0x14_0000, 0x14_8000, 0x15_0000, 0x15_8000], dtype=np.int64)  # col*32 + row
CAPMEM_BLOCK_CONFIG = CAPMEM + 0x4000

NEURON_SRAM = np.array([0x16_0000, 0x16_8000, 0x17_0000, 0x17_8000], dtype=np.int64)  # 2 + 8n + i
NEURON_BACKEND_SRAM = np.array([0x1A_1000, 0x1A_9000], dtype=np.int64)  # 4n + i
COMMON_NEURON_BACKEND = np.array([0x1A_1800, 0x1A_9800], dtype=np.int64)

MADC = 0x0C_0000                                # control +0, config +1..+10
REFERENCE_GENERATOR_CONFIG = MADC + 18          # 9 words, in the MADC's block
READOUT_SOURCE_SELECTION = MADC + 12            # 2 words: +12, +13
PAD_MULTIPLEXER_CONFIG = MADC + 14              # 2 words per pad: + 2 pad, + 2 pad + 1

FPGA_EXECUTOR = 0x8800_0000
FPGA_DEVICE_DNA = FPGA_EXECUTOR + 3             # 2 words
EVENT_RECORDING_CONFIG = FPGA_EXECUTOR + 5
POLLING_OMNIBUS_BLOCK_CONFIG = FPGA_EXECUTOR + 6  # 3 words
INSTRUCTION_TIMEOUT_CONFIG = FPGA_EXECUTOR + 9
SYSTIME_CORRECTION_BARRIER_CONFIG = FPGA_EXECUTOR + 0xB
TIMER_READOUT = FPGA_EXECUTOR + 0xC
