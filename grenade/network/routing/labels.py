"""Stage 2, spike labels (reference section 2.5 step 6). The row-select address [10:6] is the
request's label, the synapse label [5:0] the source's index in its chunk.

- On-chip neuron: AddressOut = the label's low 8 bits, ``x << 6 | k``; the neuron sends
  ``event output << 8 | AddressOut``.
- External source: one label per PADI bus it reaches: SPL1 [15:14] = the bus on its block (the
  L2 input that feeds it), bit 13 = the bus block (hemisphere), bit 12 = record flag (set on one
  label only, so that a spike loops back once).
- Background source: NeuronLabel bit 13 = 1 on the top bus block, bit 11 = record flag (only on
  the top hemisphere's source if the population spans both); the random low bits under the
  mask (``size - 1``) are the synapse labels.
"""

from __future__ import annotations

from . import layout


def internal_address_out(x: int, synapse_label: int) -> int:
    """The 8-bit AddressOut of an on-chip neuron whose chunk took ``x``."""
    return ((x << layout.ROW_SELECT_SHIFT) | synapse_label) & ((1 << layout.EVENT_OUTPUT_SHIFT) - 1)


def internal_spike_label(event_output: int, address_out: int) -> int:
    """The label an on-chip neuron's spike carries into the crossbar."""
    return (event_output << layout.EVENT_OUTPUT_SHIFT) | address_out


def external_spike_label(bus_on_block: int, hemisphere: int, recorded: bool, row_select: int,
                         synapse_label: int) -> int:
    """The 16-bit label an external spike is sent with to reach one PADI bus."""
    return ((bus_on_block << layout.SPL1_SHIFT) | (layout.BIT_BLOCK if hemisphere else 0)
            | (layout.BIT_EXTERNAL_RECORD if recorded else 0)
            | (row_select << layout.ROW_SELECT_SHIFT) | synapse_label)


def background_neuron_label(hemisphere: int, recorded: bool, row_select: int) -> int:
    """The 14-bit NeuronLabel of a background source (random bits under its mask are 0 here)."""
    return ((layout.BIT_BLOCK if hemisphere == 0 else 0)
            | (layout.BIT_BACKGROUND_RECORD if recorded else 0)
            | (row_select << layout.ROW_SELECT_SHIFT))


def background_mask(size: int, enable_random: bool) -> int:
    """The label bits a Poisson background population randomizes: its neuron index."""
    return size - 1 if enable_random else 0


__all__ = ["background_mask", "background_neuron_label", "external_spike_label",
           "internal_address_out", "internal_spike_label"]
