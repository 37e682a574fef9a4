#!/usr/bin/env python3
"""ge2eToOnnx.py - turn Resemblyzer's GE2E speaker encoder (pretrained.pt, a
PyTorch checkpoint) into an ONNX model, without torch.

The network (Resemblyzer's voice_encoder.py): a 3-layer LSTM over 40-channel
mel frames (hidden size 256), the last layer's final hidden state through a
256 x 256 linear layer and a ReLU, then scaled to unit length.

pretrained.pt is torch's legacy (pre-1.6) format, five pickles in a row:
a magic number, the protocol version, system info, the checkpoint itself
(tensors refer to storages by key) and the list of storage keys; then each
storage as an int64 element count and its raw little-endian bytes.  The
checkpoint is read by a restricted unpickler that knows only the handful of
globals such a file needs, so a tampered file cannot run code.

The ONNX graph takes `mels` [batch, frames, 40] and gives `embedding`
[batch, 256].  ONNX's LSTM orders its gates i, o, f, c where PyTorch orders
them i, f, g, o, and takes both bias vectors in one [1, 8H] input.

Before writing, the graph is run by onnx's own reference evaluator on a fixed
input and compared with an independent numpy forward pass written from
PyTorch's LSTM equations; --reference writes that input and the numpy output
so the product's tests can check onnxruntime against them.

Needs python3 + numpy + onnx.  Usage:
  ge2eToOnnx.py PRETRAINED.pt OUT.onnx [--reference OUT.json]
"""
import argparse
import collections
import io
import json
import pickle
import struct
import sys

import numpy as np

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
N_MELS = 40
HIDDEN = 256
LAYERS = 3
STORAGE_DTYPES = {
    'FloatStorage': np.float32,
    'DoubleStorage': np.float64,
    'HalfStorage': np.float16,
    'LongStorage': np.int64,
    'IntStorage': np.int32,
    'ByteStorage': np.uint8,
}


class Storage:
    """A storage the checkpoint refers to; its bytes follow the pickles."""

    def __init__(self, dtype, numel):
        self.dtype = dtype
        self.numel = numel
        self.array = None


class TensorRef:
    """A tensor's view of a storage, resolved once the storages are read."""

    def __init__(self, storage, offset, size, stride):
        self.storage = storage
        self.offset = offset
        self.size = tuple(size)
        self.stride = tuple(stride)

    def resolve(self):
        base = self.storage.array
        if not self.size:
            return base[self.offset].copy()
        itemsize = base.itemsize
        view = np.lib.stride_tricks.as_strided(
            base[self.offset:],
            shape=self.size,
            strides=tuple(s * itemsize for s in self.stride),
        )
        return np.array(view, copy=True)


def rebuild_tensor_v2(storage, offset, size, stride, requires_grad=False, hooks=None, *rest):
    return TensorRef(storage, offset, size, stride)


class StorageType:
    def __init__(self, name):
        self.name = name


class RestrictedUnpickler(pickle.Unpickler):
    """Knows only what a state-dict checkpoint holds; any other global is refused."""

    def __init__(self, f, storages):
        super().__init__(f)
        self.storages = storages

    def find_class(self, module, name):
        if module == 'torch._utils' and name == '_rebuild_tensor_v2':
            return rebuild_tensor_v2
        if module == 'torch' and name in STORAGE_DTYPES:
            return StorageType(name)
        if module == 'collections' and name == 'OrderedDict':
            return collections.OrderedDict
        raise pickle.UnpicklingError('refused global %s.%s in the checkpoint' % (module, name))

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == 'storage'):
            raise pickle.UnpicklingError('unexpected persistent id in the checkpoint')
        _, storage_type, key, _location, numel = pid[:5]
        if not isinstance(storage_type, StorageType) or len(pid) > 5 and pid[5] is not None:
            raise pickle.UnpicklingError('unsupported storage in the checkpoint')
        if key not in self.storages:
            self.storages[key] = Storage(STORAGE_DTYPES[storage_type.name], numel)
        return self.storages[key]


def plain_load(f):
    """Loads a pickle that may hold only plain values (no globals at all)."""

    class Plain(pickle.Unpickler):
        def find_class(self, module, name):
            raise pickle.UnpicklingError('refused global %s.%s' % (module, name))

    return Plain(f).load()


def resolve(obj):
    if isinstance(obj, TensorRef):
        return obj.resolve()
    if isinstance(obj, dict):
        return {k: resolve(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(resolve(v) for v in obj)
    return obj


def load_legacy_checkpoint(path):
    with open(path, 'rb') as f:
        data = f.read()
    f = io.BytesIO(data)
    if plain_load(f) != LEGACY_MAGIC:
        raise ValueError('%s is not a legacy torch checkpoint' % path)
    if plain_load(f) != LEGACY_PROTOCOL:
        raise ValueError('unsupported torch checkpoint protocol')
    sys_info = plain_load(f)
    if not sys_info.get('little_endian', False):
        raise ValueError('the checkpoint was written big-endian')
    storages = {}
    result = RestrictedUnpickler(f, storages).load()
    keys = plain_load(f)
    for key in keys:
        storage = storages[key]
        (numel,) = struct.unpack('<q', f.read(8))
        if numel != storage.numel:
            raise ValueError('storage %s holds %d elements, expected %d' % (key, numel, storage.numel))
        nbytes = numel * np.dtype(storage.dtype).itemsize
        raw = f.read(nbytes)
        if len(raw) != nbytes:
            raise ValueError('the checkpoint is cut short')
        storage.array = np.frombuffer(raw, dtype=storage.dtype)
    if f.read(1):
        raise ValueError('unexpected bytes after the last storage')
    return resolve(result)


def encoder_weights(checkpoint):
    state = checkpoint['model_state']
    w = {}
    for layer in range(LAYERS):
        for name in ('weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'):
            key = 'lstm.%s_l%d' % (name, layer)
            w[key] = state[key].astype(np.float32)
    w['linear.weight'] = state['linear.weight'].astype(np.float32)
    w['linear.bias'] = state['linear.bias'].astype(np.float32)
    inputs = N_MELS
    for layer in range(LAYERS):
        expect = {
            'weight_ih': (4 * HIDDEN, inputs),
            'weight_hh': (4 * HIDDEN, HIDDEN),
            'bias_ih': (4 * HIDDEN,),
            'bias_hh': (4 * HIDDEN,),
        }
        for name, shape in expect.items():
            got = w['lstm.%s_l%d' % (name, layer)].shape
            if got != shape:
                raise ValueError('lstm.%s_l%d has shape %s, expected %s' % (name, layer, got, shape))
        inputs = HIDDEN
    if w['linear.weight'].shape != (HIDDEN, HIDDEN) or w['linear.bias'].shape != (HIDDEN,):
        raise ValueError('the linear layer has an unexpected shape')
    return w


def to_onnx_gates(m):
    """PyTorch stacks gates i, f, g, o; ONNX wants i, o, f, c (c is PyTorch's g)."""
    i, f, g, o = np.split(m, 4, axis=0)
    return np.concatenate([i, o, f, g], axis=0)


def build_model(w):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    inits = []
    nodes = [helper.make_node('Transpose', ['mels'], ['x0'], perm=[1, 0, 2])]
    x = 'x0'
    for layer in range(LAYERS):
        W = to_onnx_gates(w['lstm.weight_ih_l%d' % layer])[None]
        R = to_onnx_gates(w['lstm.weight_hh_l%d' % layer])[None]
        B = np.concatenate(
            [to_onnx_gates(w['lstm.bias_ih_l%d' % layer]), to_onnx_gates(w['lstm.bias_hh_l%d' % layer])]
        )[None]
        names = ['W%d' % layer, 'R%d' % layer, 'B%d' % layer]
        for name, value in zip(names, (W, R, B)):
            inits.append(numpy_helper.from_array(np.ascontiguousarray(value, dtype=np.float32), name))
        y, h = 'y%d' % layer, 'h%d' % layer
        nodes.append(helper.make_node('LSTM', [x] + names, [y, h], hidden_size=HIDDEN, direction='forward'))
        if layer < LAYERS - 1:
            # Y is [frames, directions, batch, hidden]; the next layer takes [frames, batch, hidden].
            nodes.append(helper.make_node('Squeeze', [y, 'axis1'], ['x%d' % (layer + 1)]))
            x = 'x%d' % (layer + 1)
    inits.append(numpy_helper.from_array(np.array([1], dtype=np.int64), 'axis1'))
    inits.append(numpy_helper.from_array(np.array([0], dtype=np.int64), 'axis0'))
    inits.append(numpy_helper.from_array(np.ascontiguousarray(w['linear.weight'].T), 'linearW'))
    inits.append(numpy_helper.from_array(w['linear.bias'], 'linearB'))
    last = 'h%d' % (LAYERS - 1)
    nodes += [
        helper.make_node('Squeeze', [last, 'axis0'], ['hidden']),
        helper.make_node('MatMul', ['hidden', 'linearW'], ['projected']),
        helper.make_node('Add', ['projected', 'linearB'], ['biased']),
        helper.make_node('Relu', ['biased'], ['raw']),
        helper.make_node('ReduceL2', ['raw'], ['norm'], axes=[1], keepdims=1),
        helper.make_node('Div', ['raw', 'norm'], ['embedding']),
    ]
    graph = helper.make_graph(
        nodes,
        'ge2e_speaker_encoder',
        [helper.make_tensor_value_info('mels', TensorProto.FLOAT, ['batch', 'frames', N_MELS])],
        [helper.make_tensor_value_info('embedding', TensorProto.FLOAT, ['batch', HIDDEN])],
        inits,
    )
    # Opset 13 keeps ReduceL2's axes an attribute; nothing here needs later ops.
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid('', 13)],
        producer_name='toex ge2eToOnnx.py',
        producer_version='1',
        ir_version=7,
    )
    model.doc_string = 'Resemblyzer 0.1.4 GE2E speaker encoder (Apache-2.0, Resemble AI), converted without torch'
    onnx.checker.check_model(model)
    return model


def numpy_forward(w, mels):
    """PyTorch's LSTM equations written out, independent of the ONNX graph."""

    def sigmoid(v):
        return 1.0 / (1.0 + np.exp(-v))

    x = mels.astype(np.float64)
    batch, frames, _ = x.shape
    for layer in range(LAYERS):
        Wi = w['lstm.weight_ih_l%d' % layer].astype(np.float64)
        Wh = w['lstm.weight_hh_l%d' % layer].astype(np.float64)
        b = (w['lstm.bias_ih_l%d' % layer] + w['lstm.bias_hh_l%d' % layer].astype(np.float64))
        h = np.zeros((batch, HIDDEN))
        c = np.zeros((batch, HIDDEN))
        out = np.zeros((batch, frames, HIDDEN))
        for t in range(frames):
            gates = x[:, t] @ Wi.T + h @ Wh.T + b
            i, f, g, o = np.split(gates, 4, axis=1)
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
            out[:, t] = h
        x = out
    raw = np.maximum(0.0, h @ w['linear.weight'].astype(np.float64).T + w['linear.bias'])
    return raw / np.linalg.norm(raw, axis=1, keepdims=True)


def fixed_input():
    """Mel-like power values that vary over time and channel; the same on every run."""
    rng = np.random.default_rng(20191116)
    return (rng.gamma(0.6, 0.2, size=(2, 160, N_MELS))).astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('checkpoint')
    ap.add_argument('out')
    ap.add_argument('--reference', help='write the fixed input and numpy embedding here (JSON)')
    args = ap.parse_args()

    w = encoder_weights(load_legacy_checkpoint(args.checkpoint))
    model = build_model(w)

    from onnx.reference import ReferenceEvaluator

    mels = fixed_input()
    want = numpy_forward(w, mels)
    (got,) = ReferenceEvaluator(model).run(None, {'mels': mels})
    worst = float(np.max(np.abs(got - want)))
    if worst > 1e-4:
        raise SystemExit('ge2eToOnnx: the ONNX graph differs from the numpy forward pass by %g' % worst)
    print('ge2eToOnnx: ONNX graph matches the numpy forward pass (max difference %.2g)' % worst, file=sys.stderr)

    with open(args.out, 'wb') as f:
        f.write(model.SerializeToString())
    if args.reference:
        with open(args.reference, 'w') as f:
            json.dump(
                {
                    'shape': list(mels.shape),
                    'mels': [float(v) for v in mels.reshape(-1)],
                    'embedding': [round(float(v), 7) for v in want.reshape(-1)],
                },
                f,
            )
            f.write('\n')


if __name__ == '__main__':
    main()
