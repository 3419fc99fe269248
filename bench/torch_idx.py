# The IDX reader the PyTorch scripts of bench/ share (run as scripts, they import it from beside them).
import struct
import numpy as np

def idx(path):
    """Images (n, rows, cols) or labels (n) of an IDX file, as uint8."""
    data = open(path, 'rb').read()
    magic, n = struct.unpack('>II', data[:8])
    if magic == 2051:
        r, c = struct.unpack('>II', data[8:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, r, c)
    return np.frombuffer(data, np.uint8, offset=8)
