"""What every calibration shares (calix's ``calix.common``): the :class:`Calib` framework and
its results (:mod:`~calix.common.base`), the search algorithms
(:mod:`~calix.common.algorithms`), measurement helpers (:mod:`~calix.common.helpers`), the
CADC calibration (:mod:`~calix.common.cadc`) and the cached entry point :func:`calibrate`
(:mod:`~calix.common.cache`)."""

from . import algorithms, base, cache, cadc, cadc_helpers, helpers
from .algorithms import (BinarySearch, LinearPrediction, LinearSearch, NoisyBinarySearch,
                         PolynomialPrediction, PredictiveModel, SecantPrediction)
from .base import (Algorithm, Calib, CalibResult, ParameterCalibResult, ParameterRange,
                   TopLevelCalibTarget)
from .cache import calibrate
from .cadc import CADCCalibOptions, CADCCalibResult, CADCCalibTarget

__all__ = ["CADCCalibOptions", "CADCCalibResult", "CADCCalibTarget", "cadc", "cadc_helpers",
           "Algorithm", "BinarySearch", "Calib", "CalibResult", "LinearPrediction", "SecantPrediction",
           "LinearSearch", "NoisyBinarySearch", "ParameterCalibResult", "ParameterRange",
           "PolynomialPrediction", "PredictiveModel", "TopLevelCalibTarget", "algorithms", "base",
           "cache", "calibrate", "helpers"]
