#!/usr/bin/env python3
"""ct2Reference.py - translates a fixed set of sentences with CTranslate2
itself, from the Argos package the ONNX model was converted from, and writes
what it made: the reference the tests hold TOEX's own runtime to.

For each sentence: the SentencePiece pieces of the source (SentencePiece's own
library), and the pieces CTranslate2 decodes greedily and with a beam of 4.

Needs python3 with ctranslate2 and sentencepiece.  Usage:
  ct2Reference.py ARGOS_PACKAGE_DIR OUT.json
"""
import json
import sys

import ctranslate2
import sentencepiece

# Short messages of the kind a phone holds, written for this reference.
SENTENCES = [
    '嫌疑人昨天晚上离开了大楼。',
    '明天我去火车站',
    '钱已经转到你账户了',
    '你在哪里？',
    '现在不能说话，等下打给你。',
    '这个包多少钱',
    '他们在商店外面等',
    '别再发这个号码了',
    '八点在停车场见',
    '你收到包裹了吗',
    '把地址发给我',
    '手机没电了',
    '这里的工作很顺利',
    '老板说今晚必须送到',
    '警察在门口，快走',
    '我需要三百块钱，明天还你',
]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    package, out = sys.argv[1], sys.argv[2]
    sp = sentencepiece.SentencePieceProcessor(model_file=package + '/sentencepiece.model')
    translator = ctranslate2.Translator(package + '/model', device='cpu', compute_type='int8',
                                        inter_threads=1, intra_threads=1)
    pieces = [sp.encode(s, out_type=str) for s in SENTENCES]
    greedy = translator.translate_batch(pieces, beam_size=1, max_decoding_length=256)
    beam = translator.translate_batch(pieces, beam_size=4, max_decoding_length=256)
    rows = [{'source': s, 'pieces': p, 'greedy': g.hypotheses[0], 'beam': b.hypotheses[0]}
            for s, p, g, b in zip(SENTENCES, pieces, greedy, beam)]
    with open(out, 'w', encoding='utf-8') as f:
        json.dump({'engine': 'ctranslate2 ' + ctranslate2.__version__, 'compute_type': 'int8',
                   'sentences': rows}, f, ensure_ascii=False, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
