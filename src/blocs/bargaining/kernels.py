"""The compiled kernels of the expected utility model and the exchange model: are they ready?

Both models run their inner loops compiled by numba (`_eum_kernel.py`, `exchange/kernel.py`).
numba compiles a kernel on its first call, one to three seconds, and keeps the machine code in
its on-disk cache: next to the module in ``__pycache__`` (``*.nbi`` index and ``*.nbc`` data
files), or under ``NUMBA_CACHE_DIR`` when that is set.  Every later process loads it in a few
milliseconds.  A fresh installation (or an edit of a kernel's source, or another CPU) starts
without it: this module tells whether the cache holds a kernel (`kernels_ready`), and
`eum_kernel` / `exchange_kernels` compile what is missing under a progress task that says so
(`blocs.progress`, `COMPILING`), so that the first run does not sit silent for seconds.

Each kernel is compiled for exactly one set of argument types (the callers pass C-ordered
float64, intp, int8 and bool arrays, Python ints and floats): one specialisation serves
single runs, batches and every variant, and the compile happens once.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from blocs import progress

#: What the progress display says while the kernels compile.
COMPILING = "compiling the model kernels (once after installation)"


def cached(dispatcher: Any) -> bool:
    """Whether a numba function needs no compiling: it is compiled (or loaded) in this process
    already, or numba's on-disk cache holds a version for this source and this machine.

    Reads numba's cache index the way numba does (`numba.core.caching`: the index is keyed by
    signature, the machine's target triple, CPU name and features, and a hash of the function's
    bytecode; an index written for other source is stale and read as empty).  True when it
    cannot tell (JIT disabled, or a numba whose cache is laid out otherwise): nothing is said
    then rather than something wrong.
    """
    overloads = getattr(dispatcher, "overloads", None)
    if overloads is None:  # NUMBA_DISABLE_JIT: plain Python, nothing to compile
        return True
    if len(overloads):
        return True
    try:
        cache = dispatcher._cache
        index = cache._cache_file._load_index()  # {} when missing or stale
        codegen = dispatcher.targetctx.codegen()
        return any(cache._index_key(key[0], codegen) == key for key in index)
    except Exception:  # numba internals changed: cannot tell
        return True


def _eum_module() -> ModuleType:
    from blocs.bargaining import _eum_kernel

    return _eum_kernel


def _exchange_module() -> ModuleType:
    from blocs.bargaining.exchange import kernel

    return kernel


def kernels_ready(model: str | None = None) -> bool:
    """Whether the kernels of ``model`` ("eum" or "exchange"; None: both) are compiled or in
    numba's on-disk cache, so that the first run starts at once."""
    wanted = ("eum", "exchange") if model is None else (model,)
    for name in wanted:
        if name == "eum":
            entries = [_eum_module().run_chunk]
        elif name == "exchange":
            k = _exchange_module()
            entries = [k.calculate, k.realise]
        else:
            raise ValueError(f"unknown kernel '{name}' (allowed: eum, exchange)")
        if not all(cached(d) for d in entries):
            return False
    return True


def eum_kernel() -> Any:
    """`_eum_kernel.run_chunk`, compiled (under a progress task when it must be)."""
    k = _eum_module()
    if not cached(k.run_chunk):
        with progress.task(COMPILING, None):
            k.warm_up()
    return k.run_chunk


def exchange_kernels() -> ModuleType:
    """The module `exchange.kernel`, its entry points compiled (under a progress task when
    they must be)."""
    k = _exchange_module()
    if not (cached(k.calculate) and cached(k.realise)):
        with progress.task(COMPILING, None):
            k.warm_up()
    return k
