"""ct2Model.py - reads a CTranslate2 model.bin (binary version 6) into numpy
arrays, without CTranslate2: the converters of Whisper (ct2ToGgml.py) and of
the translation models (ct2ToOnnx.py) both start from it.
"""
import struct

import numpy as np

# CTranslate2 model.bin, binary version 6 (verified on the files at hand):
#   u32 version, str spec, u32 revision, u32 n_vars,
#   n_vars x { str name, u8 ndim, u32 dims[ndim], u8 dtype, u32 nbytes, bytes },
#   u32 n_aliases, n_aliases x { str alias, str target }
#   str = u16 length including a trailing NUL, the bytes, the NUL
CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def read_ct2(buf):
    off = 0

    def take(fmt):
        nonlocal off
        vals = struct.unpack_from('<' + fmt, buf, off)
        off += struct.calcsize('<' + fmt)
        return vals

    def string():
        nonlocal off
        (n,) = take('H')
        raw = bytes(buf[off:off + n])
        off += n
        if n == 0 or raw[-1] != 0:
            raise ValueError('malformed string in model.bin at offset %d' % off)
        return raw[:-1].decode('utf-8')

    (version,) = take('I')
    if version != 6:
        raise ValueError('unsupported CTranslate2 model.bin version %d' % version)
    spec = string()
    (revision,) = take('I')
    (nvars,) = take('I')
    variables = {}
    for _ in range(nvars):
        name = string()
        (ndim,) = take('B')
        shape = take('%dI' % ndim) if ndim else ()
        (dtype,) = take('B')
        (nbytes,) = take('I')
        if dtype not in CT2_DTYPES:
            raise ValueError('%s: unsupported dtype id %d' % (name, dtype))
        dt = np.dtype(CT2_DTYPES[dtype]).newbyteorder('<')
        variables[name] = np.frombuffer(buf, dtype=dt, count=nbytes // dt.itemsize, offset=off).reshape(shape)
        off += nbytes
    (naliases,) = take('I')
    aliases = {}
    for _ in range(naliases):
        alias = string()
        aliases[alias] = string()
    if off != len(buf):
        raise ValueError('model.bin has %d trailing bytes' % (len(buf) - off))
    return spec, revision, variables, aliases
