#!/usr/bin/env python3
"""One measured run of CTranslate2 on the same model, sentences, beam, batch
size and threads as bench/translateRun.ts, for bench/translate.ts: prints the
time taken (load apart) and the words written, as JSON.

  translateCt2.py ARGOS_PACKAGE_DIR SENTENCES.json BATCH BEAM THREADS
"""
import json
import sys
import time

import ctranslate2
import sentencepiece


def main():
    package, path, batch, beam, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    with open(path, encoding='utf-8') as f:
        sentences = json.load(f)
    started = time.perf_counter()
    sp = sentencepiece.SentencePieceProcessor(model_file=package + '/sentencepiece.model')
    translator = ctranslate2.Translator(package + '/model', device='cpu', compute_type='int8',
                                        inter_threads=1, intra_threads=threads)
    load = time.perf_counter() - started
    started = time.perf_counter()
    pieces = [sp.encode(s, out_type=str) for s in sentences]
    out = translator.translate_batch(pieces, max_batch_size=batch, beam_size=beam, batch_type='examples')
    texts = [''.join(r.hypotheses[0]).replace('\u2581', ' ').strip() for r in out]
    seconds = time.perf_counter() - started
    words = sum(len(t.split()) for t in texts)
    print(json.dumps({'loadSeconds': load, 'seconds': seconds, 'sentences': len(texts), 'words': words}))


if __name__ == '__main__':
    main()
