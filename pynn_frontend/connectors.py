"""PyNN's connectors, each with the keyword-only arguments ``location_selector`` (the
postsynaptic compartment) and ``source_location_selector`` (the presynaptic compartment) of the
real backend: a compartment label of the multi-compartment cells (:mod:`pynn_frontend.morphology`)
the projection connects; a selector on point neurons, or a label that is unknown or names
several compartments, raises ``ValueError`` when the projection is made (the default: the first
compartment)."""

from __future__ import annotations

from typing import Any

from pyNN import connectors as _pynn
from pyNN.connectors import Connector  # noqa: F401


class _Selectors:
    """Adds ``location_selector`` and ``source_location_selector`` (keyword-only)."""

    def __init__(self, *args: Any, location_selector: Any = None, source_location_selector: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.location_selector = location_selector
        self.source_location_selector = source_location_selector


class AllToAllConnector(_Selectors, _pynn.AllToAllConnector):
    __doc__ = _pynn.AllToAllConnector.__doc__


class OneToOneConnector(_Selectors, _pynn.OneToOneConnector):
    __doc__ = _pynn.OneToOneConnector.__doc__


class FixedProbabilityConnector(_Selectors, _pynn.FixedProbabilityConnector):
    __doc__ = _pynn.FixedProbabilityConnector.__doc__


class DistanceDependentProbabilityConnector(_Selectors, _pynn.DistanceDependentProbabilityConnector):
    __doc__ = _pynn.DistanceDependentProbabilityConnector.__doc__


class DisplacementDependentProbabilityConnector(_Selectors, _pynn.DisplacementDependentProbabilityConnector):
    __doc__ = _pynn.DisplacementDependentProbabilityConnector.__doc__


class IndexBasedProbabilityConnector(_Selectors, _pynn.IndexBasedProbabilityConnector):
    __doc__ = _pynn.IndexBasedProbabilityConnector.__doc__


class FromListConnector(_Selectors, _pynn.FromListConnector):
    __doc__ = _pynn.FromListConnector.__doc__


class FromFileConnector(_Selectors, _pynn.FromFileConnector):
    __doc__ = _pynn.FromFileConnector.__doc__


class FixedNumberPreConnector(_Selectors, _pynn.FixedNumberPreConnector):
    __doc__ = _pynn.FixedNumberPreConnector.__doc__


class FixedNumberPostConnector(_Selectors, _pynn.FixedNumberPostConnector):
    __doc__ = _pynn.FixedNumberPostConnector.__doc__


class SmallWorldConnector(_Selectors, _pynn.SmallWorldConnector):
    __doc__ = _pynn.SmallWorldConnector.__doc__


class CSAConnector(_Selectors, _pynn.CSAConnector):
    __doc__ = _pynn.CSAConnector.__doc__


class CloneConnector(_Selectors, _pynn.CloneConnector):
    __doc__ = _pynn.CloneConnector.__doc__


class ArrayConnector(_Selectors, _pynn.ArrayConnector):
    __doc__ = _pynn.ArrayConnector.__doc__


class FixedTotalNumberConnector(_Selectors, _pynn.FixedTotalNumberConnector):
    __doc__ = _pynn.FixedTotalNumberConnector.__doc__


__all__ = ["Connector", "AllToAllConnector", "OneToOneConnector", "FixedProbabilityConnector",
           "DistanceDependentProbabilityConnector", "DisplacementDependentProbabilityConnector",
           "IndexBasedProbabilityConnector", "FromListConnector", "FromFileConnector",
           "FixedNumberPreConnector", "FixedNumberPostConnector", "SmallWorldConnector",
           "CSAConnector", "CloneConnector", "ArrayConnector", "FixedTotalNumberConnector"]
