#!/usr/bin/env python3
"""ct2ToGgml.py - rebuild whisper.cpp's ggml model file (ggml-<size>.bin, the
legacy f16 format of models/convert-pt-to-ggml.py) from a CTranslate2
(faster-whisper) Whisper model plus openai-whisper's assets, without torch.

Why this is exact: a float16 CTranslate2 Whisper model holds every tensor of
OpenAI's float16 checkpoint bit for bit; it only renames them, fuses q/k/v
(self-attention) and k/v (cross-attention) into one linear each and adds an
all-zero key bias (Whisper's key projections have no bias).  This script
splits them back to the checkpoint's names and writes them the way
convert-pt-to-ggml.py does: f16 for >=2-D weights, f32 for 1-D tensors, the
conv biases (reshaped to [n, 1]) and both positional embeddings.

Three details make the output byte-identical to the published ggml files
(checked: tiny.en -> SHA-1 c78c86eb1a8faa21b369bcd33207cc90d64ae9df):
  * tensor order = the order of OpenAI's checkpoint state_dict, which is not
    the module order of openai-whisper's model.py: both positional
    embeddings and the token embedding first, then the decoder blocks
    (mlp_ln, mlp, attn_ln, attn, cross_attn_ln, cross_attn), decoder.ln,
    encoder conv1/conv2, the encoder blocks (mlp_ln, mlp, attn_ln, attn),
    encoder.ln_post  (--order module gives model.py's order instead);
  * vocabulary = the old HF vocab.json the official files were made from:
    gpt2.tiktoken plus a trailing "<|endoftext|>" for English-only models,
    multilingual.tiktoken unchanged (its rank 50256 is the empty token);
  * mel filters = mel_filters.npz with its one negative zero written as +0.0.

Needs python3 + numpy only.  Usage:
  ct2ToGgml.py MODEL_DIR_OR_BIN ASSETS_DIR OUT.bin [--model-bin PART ...]
ASSETS_DIR is openai-whisper's whisper/assets (mel_filters.npz,
gpt2.tiktoken, multilingual.tiktoken).  --model-bin may be repeated to
concatenate a model.bin split into parts (in that order).
"""
import argparse
import base64
import hashlib
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from ct2Model import read_ct2  # noqa: E402

ATTN = ('query.weight', 'query.bias', 'key.weight', 'value.weight', 'value.bias', 'out.weight', 'out.bias')
F32_BY_NAME = ('encoder.conv1.bias', 'encoder.conv2.bias',
               'encoder.positional_embedding', 'decoder.positional_embedding')


def checkpoint_tensors(v, order):
    """Yield (openai_name, float16 array) in checkpoint order."""
    def f16(name):
        a = v[name]
        if a.dtype != np.float16:
            raise ValueError('%s is %s: only float16 CTranslate2 models rebuild the checkpoint exactly' % (name, a.dtype))
        return a

    def n_layers(side):
        n = 0
        while '%s/layer_%d/ffn/linear_0/weight' % (side, n) in v:
            n += 1
        return n

    def layer_norm(dst, src):
        return [(dst + '.weight', f16(src + '/gamma')), (dst + '.bias', f16(src + '/beta'))]

    def linear(dst, src):
        return [(dst + '.weight', f16(src + '/weight')), (dst + '.bias', f16(src + '/bias'))]

    def split(dst, w, b, parts):
        # parts: projections stacked in w/b, among 'query', 'key', 'value'
        n = w.shape[1]
        if w.shape[0] != len(parts) * n or b.shape != (len(parts) * n,):
            raise ValueError('unexpected fused projection shape for ' + dst)
        out = {}
        for i, p in enumerate(parts):
            out[p] = (w[i * n:(i + 1) * n], b[i * n:(i + 1) * n])
        if np.any(out['key'][1] != 0):
            raise ValueError('non-zero key bias in ' + dst + ': not a Whisper checkpoint')
        res = []
        for p in ('query', 'key', 'value'):
            if p in out:
                res.append((dst + '.' + p + '.weight', out[p][0]))
                if p != 'key':
                    res.append((dst + '.' + p + '.bias', out[p][1]))
        return res

    def self_attn(dst, src):
        return (split(dst, f16(src + '/linear_0/weight'), f16(src + '/linear_0/bias'), ('query', 'key', 'value'))
                + linear(dst + '.out', src + '/linear_1'))

    def cross_attn(dst, src):
        q = linear(dst + '.query', src + '/linear_0')
        kv = split(dst, f16(src + '/linear_1/weight'), f16(src + '/linear_1/bias'), ('key', 'value'))
        return q + kv + linear(dst + '.out', src + '/linear_2')

    def block(dst, src, cross, ckpt):
        g = {
            'attn': self_attn(dst + '.attn', src + '/self_attention'),
            'attn_ln': layer_norm(dst + '.attn_ln', src + '/self_attention/layer_norm'),
            'mlp': linear(dst + '.mlp.0', src + '/ffn/linear_0') + linear(dst + '.mlp.2', src + '/ffn/linear_1'),
            'mlp_ln': layer_norm(dst + '.mlp_ln', src + '/ffn/layer_norm'),
        }
        if cross:
            g['cross_attn'] = cross_attn(dst + '.cross_attn', src + '/attention')
            g['cross_attn_ln'] = layer_norm(dst + '.cross_attn_ln', src + '/attention/layer_norm')
        seq = (['mlp_ln', 'mlp', 'attn_ln', 'attn', 'cross_attn_ln', 'cross_attn'] if ckpt
               else ['attn', 'attn_ln', 'cross_attn', 'cross_attn_ln', 'mlp', 'mlp_ln'])
        return sum((g[k] for k in seq if k in g), [])

    n_enc, n_dec = n_layers('encoder'), n_layers('decoder')
    ckpt = order == 'checkpoint'
    epe = [('encoder.positional_embedding', f16('encoder/position_encodings/encodings'))]
    dpe = [('decoder.positional_embedding', f16('decoder/position_encodings/encodings'))]
    tok = [('decoder.token_embedding.weight', f16('decoder/embeddings/weight'))]
    conv = linear('encoder.conv1', 'encoder/conv1') + linear('encoder.conv2', 'encoder/conv2')
    enc_blocks = sum((block('encoder.blocks.%d' % i, 'encoder/layer_%d' % i, False, ckpt) for i in range(n_enc)), [])
    dec_blocks = sum((block('decoder.blocks.%d' % i, 'decoder/layer_%d' % i, True, ckpt) for i in range(n_dec)), [])
    ln_post = layer_norm('encoder.ln_post', 'encoder/layer_norm')
    ln = layer_norm('decoder.ln', 'decoder/layer_norm')
    if ckpt:
        seq = dpe + epe + tok + dec_blocks + ln + conv + enc_blocks + ln_post
    else:   # torch state_dict order of openai-whisper's model.py
        seq = epe + conv + enc_blocks + ln_post + dpe + tok + dec_blocks + ln
    return seq, n_enc, n_dec


def load_vocab(assets, multilingual):
    path = os.path.join(assets, 'multilingual.tiktoken' if multilingual else 'gpt2.tiktoken')
    ranked = {}
    with open(path, 'rb') as f:
        for line in f.read().splitlines():
            if line:
                tok, rank = line.split()
                ranked[int(rank)] = base64.b64decode(tok)
    if sorted(ranked) != list(range(len(ranked))):
        raise ValueError('non-contiguous ranks in ' + path)
    tokens = [ranked[i] for i in range(len(ranked))]
    if not multilingual and len(tokens) == 50256:
        tokens.append(b'<|endoftext|>')   # last entry of the old gpt2 vocab.json
    return tokens


def convert(parts, assets, out_path):
    buf = b''.join(open(p, 'rb').read() for p in parts)
    spec, _rev, v, _aliases = read_ct2(buf)
    if spec != 'WhisperSpec':
        raise ValueError('not a CTranslate2 Whisper model: ' + spec)
    emb = v['decoder/embeddings/weight']
    if 'decoder/projection/weight' in v and not np.array_equal(v['decoder/projection/weight'], emb):
        raise ValueError('output projection is not tied to the token embedding')
    tensors, n_enc, n_dec = checkpoint_tensors(v, ARGS.order)
    n_vocab, n_text_state = emb.shape
    n_audio_ctx, n_audio_state = v['encoder/position_encodings/encodings'].shape
    n_text_ctx = v['decoder/position_encodings/encodings'].shape[0]
    n_mels = v['encoder/conv1/weight'].shape[1]
    hparams = [n_vocab, n_audio_ctx, n_audio_state, int(v['encoder/num_heads']), n_enc,
               n_text_ctx, n_text_state, int(v['decoder/num_heads']), n_dec, n_mels]

    with np.load(os.path.join(assets, 'mel_filters.npz')) as f:
        filters = np.asarray(f['mel_%d' % n_mels], dtype=np.float32) + np.float32(0.0)  # -0.0 -> +0.0
    tokens = load_vocab(assets, n_vocab >= 51865)

    sha1, sha256 = hashlib.sha1(), hashlib.sha256()
    with open(out_path, 'wb') as out:
        def put(b):
            out.write(b)
            sha1.update(b)
            sha256.update(b)
        put(struct.pack('<12i', 0x67676d6c, *hparams, 1))   # magic "ggml", hparams, ftype f16
        put(struct.pack('<ii', *filters.shape) + filters.astype('<f4').tobytes())
        put(struct.pack('<i', len(tokens)))
        for t in tokens:
            put(struct.pack('<i', len(t)) + t)
        for name, data in tensors:
            data = np.squeeze(data)
            if name in ('encoder.conv1.bias', 'encoder.conv2.bias'):
                data = data.reshape(data.shape[0], 1)
            f32 = data.ndim < 2 or name in F32_BY_NAME
            raw = name.encode('utf-8')
            put(struct.pack('<iii', data.ndim, len(raw), 0 if f32 else 1)
                + struct.pack('<%di' % data.ndim, *reversed(data.shape)) + raw
                + np.ascontiguousarray(data, dtype='<f4' if f32 else '<f2').tobytes())
    return hparams, len(tokens), len(tensors), os.path.getsize(out_path), sha1.hexdigest(), sha256.hexdigest()


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('model', help='CTranslate2 model directory or model.bin (ignored with --model-bin)')
    ap.add_argument('assets', help="openai-whisper's whisper/assets directory")
    ap.add_argument('out', help='output ggml .bin')
    ap.add_argument('--model-bin', action='append', default=[], help='model.bin part; repeat in order')
    ap.add_argument('--order', choices=['checkpoint', 'module'], default='checkpoint')
    ARGS = ap.parse_args()
    model_parts = ARGS.model_bin or [ARGS.model if os.path.isfile(ARGS.model) else os.path.join(ARGS.model, 'model.bin')]
    try:
        hp, ntok, nten, size, s1, s256 = convert(model_parts, ARGS.assets, ARGS.out)
    except (OSError, ValueError, KeyError, struct.error) as e:
        sys.exit('ct2ToGgml: %s' % e)
    print('hparams %s, %d tokens, %d tensors' % (hp, ntok, nten))
    print('wrote %s (%d bytes)' % (ARGS.out, size))
    print('sha1   %s' % s1)
    print('sha256 %s' % s256)
