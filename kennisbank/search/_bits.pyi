"""Types of the compiled loops in ``_bits.c``."""

import numpy as np
import numpy.typing as npt

def shared_counts(matrix: npt.NDArray[np.uint64], bits: npt.NDArray[np.uint64], out: npt.NDArray[np.int64]) -> None:
    """``out[r]`` = the number of bits row ``r`` of ``matrix`` shares with ``bits``."""

def set_numbers(bits: npt.NDArray[np.uint64], numbers: npt.NDArray[np.int32]) -> None:
    """Set bit ``n`` of ``bits`` for every ``n`` in ``numbers`` (IndexError if one is outside)."""
