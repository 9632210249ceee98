"""Contingency-table tests of a Table 1 at parity with R's ``stats``:
``fisher_test`` (``fisher.test``) and ``chisq_test`` (``chisq.test``)."""
from .chisq import CHISQ_WARNING, chisq_test
from .fisher import fisher_test
from .rxc_table import RxCControl
from .zeroin import UnirootControl

__all__ = ["fisher_test", "chisq_test", "RxCControl", "UnirootControl", "CHISQ_WARNING"]
