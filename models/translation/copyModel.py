#!/usr/bin/env python3
"""copyModel.py - writes a small translation model in OPUS-MT's own format
whose weights are set by hand so that it copies its source: at each step
the decoder's cross-attention finds the source position equal to its own,
and the output projection gives back the token there, so a text comes out
as it went in, ending where the source ends.

No registry reachable from TOEX's build machines ships a second OPUS-MT
model, so this one stands in where a test needs two models at once
(pivoting through English). It is not a stub: it is a post-norm Marian
transformer (swish, scaled embeddings shared with the output projection,
decoding from the zero embedding), int8, written as a CTranslate2 model.bin
that ct2ToOnnx.py converts like any OPUS-MT model and that TOEX's runtime
runs unchanged. Only its numbers are not learnt:

- Each vector has a token part (TOKEN_DIMS) and a position part
  (POSITION_DIMS). Token embeddings are random unit vectors in the token
  part; position encodings random vectors in the position part (the model
  stores its own table, so any table is as valid as Marian's sinusoids).
- Self-attention and feed-forward weights are zero, so those sublayers
  leave each vector as it is (the layer norms only rescale it).
- Cross-attention compares position parts only, scaled so that softmax
  picks the one source position equal to the step, and carries that
  position's token part, amplified, into the decoder's vector.
- The output projection is the embedding table: the token carried scores
  highest.

Needs python3 with numpy.  Usage:
  copyModel.py SHARED_VOCABULARY_JSON OUT_DIR
OUT_DIR gets model.bin, config.json and shared_vocabulary.json.
"""
import json
import os
import struct
import sys

import numpy as np

TOKEN_DIMS = 128
POSITION_DIMS = 64
D_MODEL = TOKEN_DIMS + POSITION_DIMS
POSITIONS = 2048
SEED = 20261205
# The length of each token vector: larger gives the copied token a wider lead.
TOKEN_NORM = 3.0
# Scales the queries and keys (position parts): softmax becomes a pick.
QUERY_KEY_SCALE = 3.0
# Scales the token part cross-attention carries over the decoder's own.
CARRY_SCALE = 6.0

# CTranslate2 model.bin, binary version 6, as ct2Model.py reads it.
CT2_DTYPE_IDS = {np.dtype(np.float32): 0, np.dtype(np.int8): 1, np.dtype(np.int16): 2}


def ct2_string(text):
    raw = text.encode('utf-8') + b'\0'
    return struct.pack('<H', len(raw)) + raw


def write_ct2(path, variables, aliases):
    out = [struct.pack('<I', 6), ct2_string('TransformerSpec'), struct.pack('<I', 7),
           struct.pack('<I', len(variables))]
    for name in sorted(variables):
        a = np.asarray(variables[name])
        data = a.astype(a.dtype.newbyteorder('<')).tobytes()
        out += [ct2_string(name), struct.pack('<B', a.ndim),
                struct.pack('<%dI' % a.ndim, *a.shape), struct.pack('<B', CT2_DTYPE_IDS[a.dtype]),
                struct.pack('<I', len(data)), data]
    out.append(struct.pack('<I', len(aliases)))
    for alias in sorted(aliases):
        out += [ct2_string(alias), ct2_string(aliases[alias])]
    with open(path, 'wb') as f:
        f.write(b''.join(out))


def int8_rows(w):
    """A float matrix as CTranslate2 stores int8: per-row scales, w = q / scale (1 for a zero row)."""
    peak = np.abs(w).max(axis=1)
    scale = np.where(peak > 0, 127.0 / np.where(peak > 0, peak, 1.0), 1.0).astype(np.float32)
    return np.round(w * scale[:, None]).astype(np.int8), scale


def zero_mean_rows(rows):
    return rows - rows.mean(axis=1, keepdims=True)


def copy_model(vocab_size):
    # The legacy generator: its stream is frozen across numpy versions, so the
    # model comes out byte for byte the same wherever it is built.
    rng = np.random.RandomState(SEED)
    v = {}

    def linear(name, w):
        q, scale = int8_rows(np.asarray(w, np.float32))
        v[name + '/weight'] = q
        v[name + '/weight_scale'] = scale
        v[name + '/bias'] = np.zeros(q.shape[0], np.float32)

    def norm(name):
        v[name + '/gamma'] = np.ones(D_MODEL, np.float32)
        v[name + '/beta'] = np.zeros(D_MODEL, np.float32)

    def zeros(rows, cols):
        return np.zeros((rows, cols), np.float32)

    def ffn(prefix):
        linear(prefix + '/ffn/linear_0', zeros(4 * D_MODEL, D_MODEL))
        linear(prefix + '/ffn/linear_1', zeros(D_MODEL, 4 * D_MODEL))
        norm(prefix + '/ffn/layer_norm')

    # Selects (and scales) one part of a vector: y = x @ W^T, W [out, in].
    positions_only = zeros(D_MODEL, D_MODEL)
    positions_only[TOKEN_DIMS:, TOKEN_DIMS:] = np.eye(POSITION_DIMS) * QUERY_KEY_SCALE
    tokens_only = zeros(D_MODEL, D_MODEL)
    tokens_only[:TOKEN_DIMS, :TOKEN_DIMS] = np.eye(TOKEN_DIMS) * CARRY_SCALE

    linear('encoder/layer_0/self_attention/linear_0', zeros(3 * D_MODEL, D_MODEL))
    linear('encoder/layer_0/self_attention/linear_1', zeros(D_MODEL, D_MODEL))
    norm('encoder/layer_0/self_attention/layer_norm')
    ffn('encoder/layer_0')
    linear('decoder/layer_0/self_attention/linear_0', zeros(3 * D_MODEL, D_MODEL))
    linear('decoder/layer_0/self_attention/linear_1', zeros(D_MODEL, D_MODEL))
    norm('decoder/layer_0/self_attention/layer_norm')
    linear('decoder/layer_0/attention/linear_0', positions_only)
    linear('decoder/layer_0/attention/linear_1', np.concatenate([positions_only, tokens_only]))
    linear('decoder/layer_0/attention/linear_2', np.eye(D_MODEL, dtype=np.float32))
    norm('decoder/layer_0/attention/layer_norm')
    ffn('decoder/layer_0')

    tokens = zero_mean_rows(rng.standard_normal((vocab_size, TOKEN_DIMS)))
    tokens *= TOKEN_NORM / np.linalg.norm(tokens, axis=1, keepdims=True)
    table = np.zeros((vocab_size, D_MODEL), np.float32)
    table[:, :TOKEN_DIMS] = tokens
    q, scale = int8_rows(table)
    v['decoder/embeddings/weight'] = q
    v['decoder/embeddings/weight_scale'] = scale
    v['decoder/projection/bias'] = np.zeros(vocab_size, np.float32)

    # As long as a scaled token vector, so that neither part drowns the other.
    places = zero_mean_rows(rng.standard_normal((POSITIONS, POSITION_DIMS)))
    places *= TOKEN_NORM * np.sqrt(D_MODEL) / np.linalg.norm(places, axis=1, keepdims=True)
    encodings = np.zeros((POSITIONS, D_MODEL), np.float32)
    encodings[:, TOKEN_DIMS:] = places
    v['decoder/position_encodings/encodings'] = encodings

    for side in ('encoder', 'decoder'):
        v[side + '/activation'] = np.array(2, np.int8)
        v[side + '/num_heads'] = np.array(1, np.int16)
        v[side + '/pre_norm'] = np.array(0, np.int8)
        v[side + '/scale_embeddings'] = np.array(1, np.int8)
    v['encoder/embeddings_merge'] = np.array(0, np.int8)
    v['decoder/start_from_zero_embedding'] = np.array(1, np.int8)
    v['decoder/alibi'] = np.array(0, np.int8)
    v['decoder/alibi_use_positive_positions'] = np.array(0, np.int8)
    v['decoder/scale_alibi'] = np.array(0, np.int8)
    v['decoder/alignment_heads'] = np.array(1, np.int16)
    v['decoder/alignment_layer'] = np.array(-1, np.int16)
    aliases = {
        'decoder/projection/weight': 'decoder/embeddings/weight',
        'encoder/embeddings_0/weight': 'decoder/embeddings/weight',
        'encoder/position_encodings/encodings': 'decoder/position_encodings/encodings',
    }
    return v, aliases


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    vocab_path, out = sys.argv[1], sys.argv[2]
    with open(vocab_path, encoding='utf-8') as f:
        vocabulary = json.load(f)
    os.makedirs(out, exist_ok=True)
    variables, aliases = copy_model(len(vocabulary))
    write_ct2(os.path.join(out, 'model.bin'), variables, aliases)
    with open(os.path.join(out, 'config.json'), 'w') as f:
        json.dump({'add_source_bos': False, 'add_source_eos': True, 'bos_token': '<s>',
                   'decoder_start_token': '<s>', 'eos_token': '</s>',
                   'layer_norm_epsilon': None, 'unk_token': '<unk>'}, f, indent=2)
    with open(os.path.join(out, 'shared_vocabulary.json'), 'w', encoding='utf-8') as f:
        json.dump(vocabulary, f, ensure_ascii=False)


if __name__ == '__main__':
    main()
