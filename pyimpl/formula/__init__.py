"""The formula form of pyimpl's functions: R's model frame and model matrix
of a :class:`~rparity_contract.formula.ModelFormula` (parsed by the contract,
evaluated here with R's semantics)."""
from .evaluate import combine, evaluate
from .frame import (
                    Frame,
                    as_series,
                    column_or_values,
                    complete_frame,
                    incomplete_elsewhere,
                    model_frame,
                    response_start,
                    subset_rows,
)
from .matrix import terms_matrix

__all__ = ["combine", "evaluate", "Frame", "as_series", "column_or_values", "model_frame", "subset_rows",
           "terms_matrix", "complete_frame", "incomplete_elsewhere", "response_start"]
