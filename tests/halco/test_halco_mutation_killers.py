"""Tests that kill surviving mutants of halco/layout.py (`make mutation`): each checks one
layout fact written out from the documented BSS-2 layout, not derived from halco's tables."""

import halco


def test_a_quad_column_holds_the_even_or_odd_columns_of_its_eight():
    """Quad columns 0..31 hold the even synapse columns, 32..63 the odd ones; quad column q
    covers columns 8*(q % 32) .. 8*(q % 32) + 7 (so 5 holds 40, 42, 44, 46 and 37 the odd
    ones); each conversion gives ints, not a float that only happens to round right."""
    even = halco.SynapseQuadColumnOnDLS(5).to_synapse_on_synapse_row()
    odd = halco.SynapseQuadColumnOnDLS(37).to_synapse_on_synapse_row()
    assert [s.value() for s in even] == [40, 42, 44, 46]
    assert [s.value() for s in odd] == [41, 43, 45, 47]
    neurons = halco.SynapseQuadColumnOnDLS(37).to_neuron_column_on_dls()
    assert [n.value() for n in neurons] == [41, 43, 45, 47]
