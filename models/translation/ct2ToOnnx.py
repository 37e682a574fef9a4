#!/usr/bin/env python3
"""ct2ToOnnx.py - rebuilds an OPUS-MT (Marian) translation model that a
CTranslate2 model.bin holds, int8, as two ONNX graphs that onnxruntime runs:

  encoder.onnx  input_ids [batch, src] int64, attention_mask [batch, src] int64
                -> mask_bias [batch, 1, 1, src] float (0, or -1e9 over padding),
                   and for each decoder layer i the cross-attention keys
                   cross_k_i [batch, heads, head_dim, src] (already turned for
                   the product with the queries) and values
                   cross_v_i [batch, heads, src, head_dim]
  decoder.onnx  one step: input_ids [batch, 1] int64, position [1] int64 (the
                step's index), k [1] int64, mask_bias, cross_k_i, cross_v_i,
                and the self-attention cache past_k_i / past_v_i [batch, heads,
                past, head_dim] -> the k best next tokens of each row,
                top_log_probs [batch, k] and top_ids [batch, k] (best first),
                and present_k_i / present_v_i (the cache with this step added).
                Only the k best leave the graph: a search needs no more, and
                copying every row's 65,001 log-probabilities out at each step
                cost more than the step itself.

The weights stay int8 with CTranslate2's per-row scales, run by onnxruntime's
DynamicQuantizeMatMul, which quantises the activations to uint8 over the
whole batch at each call. (Quantising each row on its own, as CTranslate2
does, was tried with MatMulInteger: on these models it lost too much, and
greedy output fell apart into repetition.)
The shared embedding table is stored once, turned ([d_model, vocab + 1]): its
last column is the all-zero embedding Marian starts decoding from (id =
vocab), and the same table is the output projection, whose bias for that id
is -1e9 so it is never chosen.

Needs python3 with numpy and onnx.  Usage:
  ct2ToOnnx.py MODEL_DIR OUT_DIR
MODEL_DIR holds model.bin, config.json and shared_vocabulary.json.
"""
import json
import math
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from ct2Model import read_ct2  # noqa: E402

MS = 'com.microsoft'
NEG = -1e9


class Graph:
    """Nodes and initializers of one graph, with fresh names for every value."""

    def __init__(self, weights, eps):
        self.w = weights
        self.eps = eps
        self.nodes = []
        self.inits = []
        self.count = 0
        self.known = set()

    def name(self, hint):
        self.count += 1
        return '%s_%d' % (hint, self.count)

    def const(self, value, hint='c'):
        n = self.name(hint)
        self.inits.append(numpy_helper.from_array(np.asarray(value), n))
        return n

    def weight(self, array, name):
        if name not in self.known:
            self.known.add(name)
            self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, kind, inputs, domain=None, **attrs):
        out = self.name(kind.lower())
        self.nodes.append(helper.make_node(kind, inputs, [out], domain=domain, **attrs))
        return out

    def ops(self, kind, inputs, count, **attrs):
        outs = [self.name(kind.lower()) for _ in range(count)]
        self.nodes.append(helper.make_node(kind, inputs, outs, **attrs))
        return outs

    def linear(self, x, prefix):
        """x @ W^T + b with CTranslate2's int8 W and its per-row scale."""
        q = self.w[prefix + '/weight']
        if q.dtype != np.int8:
            raise ValueError('%s is %s: only int8 models are converted' % (prefix, q.dtype))
        key = prefix.replace('/', '.')
        inv = self.weight((1.0 / self.w[prefix + '/weight_scale']).astype(np.float32), key + '.scale')
        bias = self.weight(self.w[prefix + '/bias'].astype(np.float32), key + '.bias')
        return self.int8_matmul(x, self.weight(q.T, key + '.qweight'), inv, bias)

    def int8_matmul(self, x, qweight, inv_scale, bias):
        """x (float) @ an int8 weight [in, out] with per-column scales, by onnxruntime's
        DynamicQuantizeMatMul: x is quantised to uint8 over its whole tensor at each call."""
        zero = self.weight(np.zeros(self.shape_of(inv_scale), np.int8), inv_scale + '.zero')
        return self.op('DynamicQuantizeMatMul', [x, qweight, inv_scale, zero, bias], domain=MS)

    def shape_of(self, name):
        return next(i.dims for i in self.inits if i.name == name)

    def layer_norm(self, x, prefix):
        key = prefix.replace('/', '.')
        g = self.weight(self.w[prefix + '/gamma'].astype(np.float32), key + '.gamma')
        b = self.weight(self.w[prefix + '/beta'].astype(np.float32), key + '.beta')
        return self.op('LayerNormalization', [x, g, b], axis=-1, epsilon=self.eps)

    def heads(self, x, heads, head_dim, perm):
        """[b, t, d] -> [b, heads, t, head_dim] (perm 0,2,1,3) or turned (0,2,3,1)."""
        shaped = self.op('Reshape', [x, self.const(np.array([0, 0, heads, head_dim], np.int64))])
        return self.op('Transpose', [shaped], perm=perm)

    def attend(self, q, k_turned, v, bias, heads, head_dim):
        """softmax(q k / sqrt(d) + bias) v, back to [b, t, d]."""
        scores = self.op('MatMul', [q, k_turned])
        scaled = self.op('Mul', [scores, self.const(np.float32(1.0 / math.sqrt(head_dim)))])
        if bias is not None:
            scaled = self.op('Add', [scaled, bias])
        probs = self.op('Softmax', [scaled], axis=-1)
        ctx = self.op('MatMul', [probs, v])
        back = self.op('Transpose', [ctx], perm=[0, 2, 1, 3])
        return self.op('Reshape', [back, self.const(np.array([0, 0, heads * head_dim], np.int64))])

    def ffn(self, x, prefix):
        h = self.linear(x, prefix + '/linear_0')
        act = self.op('Mul', [h, self.op('Sigmoid', [h])])  # swish, Marian's activation
        return self.layer_norm(self.op('Add', [x, self.linear(act, prefix + '/linear_1')]), prefix + '/layer_norm')

    def embed(self, ids, table, scales, d_model):
        """Rows of the turned int8 table for ids, dequantised and scaled by sqrt(d_model)."""
        cols = self.op('Gather', [table, ids], axis=1)              # [d, b, t] int8
        rows = self.op('Transpose', [cols], perm=[1, 2, 0])        # [b, t, d]
        floats = self.op('Cast', [rows], to=TensorProto.FLOAT)
        scale = self.op('Unsqueeze', [self.op('Gather', [scales, ids], axis=0),
                                      self.const(np.array([-1], np.int64))])
        return self.op('Mul', [self.op('Mul', [floats, scale]), self.const(np.float32(math.sqrt(d_model)))])


def checked(variables, aliases):
    v = dict(variables)
    for alias, target in aliases.items():
        v[alias] = v[target]
    flag = lambda name: int(np.asarray(v[name]).reshape(-1)[0])
    for side in ('encoder', 'decoder'):
        if flag(side + '/pre_norm') != 0:
            raise ValueError('%s is pre-norm: only post-norm (Marian) models are converted' % side)
        if flag(side + '/activation') != 2:
            raise ValueError('%s activation is not swish (CTranslate2 id 2)' % side)
        if flag(side + '/scale_embeddings') != 1:
            raise ValueError('%s embeddings are not scaled: not a Marian model' % side)
    if flag('decoder/start_from_zero_embedding') != 1:
        raise ValueError('the decoder does not start from a zero embedding: not a Marian model')
    return v


def layers(v, side):
    n = 0
    while '%s/layer_%d/ffn/linear_0/weight' % (side, n) in v:
        n += 1
    return n


def shared_table(v):
    emb = v['decoder/embeddings/weight']
    if emb.dtype != np.int8:
        raise ValueError('the embeddings are %s: only int8 models are converted' % emb.dtype)
    vocab, d_model = emb.shape
    table = np.zeros((d_model, vocab + 1), np.int8)
    table[:, :vocab] = emb.T
    inv = np.zeros(vocab + 1, np.float32)
    inv[:vocab] = 1.0 / v['decoder/embeddings/weight_scale']
    return table, inv


def build_encoder(v, eps):
    g = Graph(v, eps)
    heads = int(np.asarray(v['encoder/num_heads']).reshape(-1)[0])
    table, inv = shared_table(v)
    d_model = table.shape[0]
    head_dim = d_model // heads
    t = g.weight(table, 'embeddings.table')
    s = g.weight(inv, 'embeddings.scale')

    x = g.embed('input_ids', t, s, d_model)
    length = g.op('Gather', [g.op('Shape', ['input_ids']), g.const(np.array([1], np.int64))], axis=0)
    positions = g.op('Slice', [g.weight(v['encoder/position_encodings/encodings'].astype(np.float32),
                                        'positions'), g.const(np.array([0], np.int64)), length])
    x = g.op('Add', [x, positions])
    mask = g.op('Cast', ['attention_mask'], to=TensorProto.FLOAT)
    pad = g.op('Mul', [g.op('Sub', [g.const(np.float32(1)), mask]), g.const(np.float32(NEG))])
    bias = g.op('Unsqueeze', [pad, g.const(np.array([1, 2], np.int64))])
    g.nodes.append(helper.make_node('Identity', [bias], ['mask_bias']))

    for i in range(layers(v, 'encoder')):
        p = 'encoder/layer_%d' % i
        q, k, val = g.ops('Split', [g.linear(x, p + '/self_attention/linear_0'),
                                    g.const(np.array([d_model] * 3, np.int64))], 3, axis=-1)
        ctx = g.attend(g.heads(q, heads, head_dim, [0, 2, 1, 3]), g.heads(k, heads, head_dim, [0, 2, 3, 1]),
                       g.heads(val, heads, head_dim, [0, 2, 1, 3]), bias, heads, head_dim)
        out = g.linear(ctx, p + '/self_attention/linear_1')
        x = g.layer_norm(g.op('Add', [x, out]), p + '/self_attention/layer_norm')
        x = g.ffn(x, p + '/ffn')

    outputs = [helper.make_tensor_value_info('mask_bias', TensorProto.FLOAT, ['batch', 1, 1, 'src'])]
    for i in range(layers(v, 'decoder')):
        k, val = g.ops('Split', [g.linear(x, 'decoder/layer_%d/attention/linear_1' % i),
                                 g.const(np.array([d_model] * 2, np.int64))], 2, axis=-1)
        g.nodes.append(helper.make_node('Identity', [g.heads(k, heads, head_dim, [0, 2, 3, 1])], ['cross_k_%d' % i]))
        g.nodes.append(helper.make_node('Identity', [g.heads(val, heads, head_dim, [0, 2, 1, 3])], ['cross_v_%d' % i]))
        outputs += [
            helper.make_tensor_value_info('cross_k_%d' % i, TensorProto.FLOAT, ['batch', heads, head_dim, 'src']),
            helper.make_tensor_value_info('cross_v_%d' % i, TensorProto.FLOAT, ['batch', heads, 'src', head_dim]),
        ]
    inputs = [helper.make_tensor_value_info('input_ids', TensorProto.INT64, ['batch', 'src']),
              helper.make_tensor_value_info('attention_mask', TensorProto.INT64, ['batch', 'src'])]
    return model(g, 'opus-mt encoder', inputs, outputs)


def build_decoder(v, eps):
    g = Graph(v, eps)
    heads = int(np.asarray(v['decoder/num_heads']).reshape(-1)[0])
    table, inv = shared_table(v)
    d_model, vocab1 = table.shape
    head_dim = d_model // heads
    t = g.weight(table, 'embeddings.table')
    s = g.weight(inv, 'embeddings.scale')

    x = g.embed('input_ids', t, s, d_model)
    pos = g.op('Gather', [g.weight(v['decoder/position_encodings/encodings'].astype(np.float32), 'positions'),
                          'position'], axis=0)
    x = g.op('Add', [x, pos])

    inputs = [helper.make_tensor_value_info('input_ids', TensorProto.INT64, ['batch', 1]),
              helper.make_tensor_value_info('position', TensorProto.INT64, [1]),
              helper.make_tensor_value_info('mask_bias', TensorProto.FLOAT, ['batch', 1, 1, 'src'])]
    outputs = []
    n = layers(v, 'decoder')
    for i in range(n):
        p = 'decoder/layer_%d' % i
        q, k, val = g.ops('Split', [g.linear(x, p + '/self_attention/linear_0'),
                                    g.const(np.array([d_model] * 3, np.int64))], 3, axis=-1)
        g.nodes.append(helper.make_node('Concat', ['past_k_%d' % i, g.heads(k, heads, head_dim, [0, 2, 1, 3])],
                                        ['present_k_%d' % i], axis=2))
        g.nodes.append(helper.make_node('Concat', ['past_v_%d' % i, g.heads(val, heads, head_dim, [0, 2, 1, 3])],
                                        ['present_v_%d' % i], axis=2))
        turned = g.op('Transpose', ['present_k_%d' % i], perm=[0, 1, 3, 2])
        ctx = g.attend(g.heads(q, heads, head_dim, [0, 2, 1, 3]), turned, 'present_v_%d' % i, None, heads, head_dim)
        x = g.layer_norm(g.op('Add', [x, g.linear(ctx, p + '/self_attention/linear_1')]),
                         p + '/self_attention/layer_norm')

        cq = g.heads(g.linear(x, p + '/attention/linear_0'), heads, head_dim, [0, 2, 1, 3])
        ctx = g.attend(cq, 'cross_k_%d' % i, 'cross_v_%d' % i, 'mask_bias', heads, head_dim)
        x = g.layer_norm(g.op('Add', [x, g.linear(ctx, p + '/attention/linear_2')]), p + '/attention/layer_norm')
        x = g.ffn(x, p + '/ffn')

        inputs += [
            helper.make_tensor_value_info('cross_k_%d' % i, TensorProto.FLOAT, ['batch', heads, head_dim, 'src']),
            helper.make_tensor_value_info('cross_v_%d' % i, TensorProto.FLOAT, ['batch', heads, 'src', head_dim]),
            helper.make_tensor_value_info('past_k_%d' % i, TensorProto.FLOAT, ['batch', heads, 'past', head_dim]),
            helper.make_tensor_value_info('past_v_%d' % i, TensorProto.FLOAT, ['batch', heads, 'past', head_dim]),
        ]
        outputs += [
            helper.make_tensor_value_info('present_k_%d' % i, TensorProto.FLOAT, ['batch', heads, 'total', head_dim]),
            helper.make_tensor_value_info('present_v_%d' % i, TensorProto.FLOAT, ['batch', heads, 'total', head_dim]),
        ]

    bias = np.full(vocab1, NEG, np.float32)
    bias[:vocab1 - 1] = v['decoder/projection/bias']
    flat = g.op('Reshape', [x, g.const(np.array([-1, d_model], np.int64))])
    logits = g.int8_matmul(flat, t, s, g.weight(bias, 'projection.bias'))
    log_probs = g.op('LogSoftmax', [logits], axis=-1)
    g.nodes.append(helper.make_node('TopK', [log_probs, 'k'], ['top_log_probs', 'top_ids'], axis=-1,
                                    largest=1, sorted=1))
    inputs.insert(2, helper.make_tensor_value_info('k', TensorProto.INT64, [1]))
    outputs[0:0] = [helper.make_tensor_value_info('top_log_probs', TensorProto.FLOAT, ['batch', 'k']),
                    helper.make_tensor_value_info('top_ids', TensorProto.INT64, ['batch', 'k'])]
    return model(g, 'opus-mt decoder step', inputs, outputs)


def model(g, name, inputs, outputs):
    graph = helper.make_graph(g.nodes, name, inputs, outputs, g.inits)
    m = helper.make_model(graph, producer_name='toex ct2ToOnnx',
                          opset_imports=[helper.make_opsetid('', 17), helper.make_opsetid(MS, 1)])
    m.ir_version = 8
    return m


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    try:
        with open(os.path.join(src, 'config.json')) as f:
            config = json.load(f)
        with open(os.path.join(src, 'model.bin'), 'rb') as f:
            spec, _, variables, aliases = read_ct2(f.read())
        if spec != 'TransformerSpec':
            raise ValueError('model.bin holds a %s, not a TransformerSpec' % spec)
        v = checked(variables, aliases)
        eps = config.get('layer_norm_epsilon') or 1e-6
        os.makedirs(out, exist_ok=True)
        save(build_encoder(v, eps), os.path.join(out, 'encoder.onnx'))
        save(build_decoder(v, eps), os.path.join(out, 'decoder.onnx'))
    except (OSError, ValueError, KeyError) as e:
        sys.exit('ct2ToOnnx: %s' % e)


if __name__ == '__main__':
    main()
