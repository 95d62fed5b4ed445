"""Which BLAS the process actually calls, for the reference scripts' JSON (charlm_pytorch.py, longmemory_pytorch.py).

torch is built with BLAS_INFO=generic: it calls libblas.so.3, which Debian's alternatives resolve (here to OpenBLAS).
Imports nothing heavy, so a script imports it before torch (pin_threads must run first).
"""
import os

ENV_KEYS = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


def pin_threads(threads):
    """Before torch/numpy load OpenBLAS: its threads to `threads`, and OPENBLAS_CORETYPE removed so that it picks its
    kernel by CPU detection. Returns the variables as found, for the JSON."""
    found = {k: os.environ.get(k) for k in ENV_KEYS}
    os.environ.pop("OPENBLAS_CORETYPE", None)
    os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    return found


def blas_info():
    """The BLAS/LAPACK libraries mapped into this process, and OpenBLAS' config, core and threads if it is loaded."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            if any(s in path for s in ("blas", "lapack", "mkl", "gomp")):
                libs.add(os.path.realpath(path))
    info = {"loaded": sorted(libs), "torch_blas_info": "generic (libblas.so.3)"}
    try:
        import ctypes
        ob = ctypes.CDLL("libopenblas.so.0")
        ob.openblas_get_config.restype = ctypes.c_char_p
        ob.openblas_get_corename.restype = ctypes.c_char_p
        info["openblas_config"] = ob.openblas_get_config().decode()
        info["openblas_core"] = ob.openblas_get_corename().decode()
        info["openblas_threads"] = ob.openblas_get_num_threads()
    except (OSError, AttributeError) as e:
        info["openblas"] = f"not loaded: {e}"
    return info
