import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MarianTranslator } from '../../../workers/translate/MarianTranslator.js';
import {
  MAX_RUNS,
  translateTexts,
  translateThrough,
} from '../../../workers/translate/translateTexts.js';
import { COPY_MODEL_ID, TEST_MODELS_DIR, translationModel } from '../../helpers/models.js';

describe('translateTexts', () => {
  let translator: MarianTranslator;
  beforeAll(async () => {
    const model = translationModel();
    translator = await MarianTranslator.load(model.dir, model.id, 2);
  });
  afterAll(() => translator.dispose());

  it('carries emoji, links, numbers and glossary terms through a real translation intact', async () => {
    const [out] = await translateTexts(
      translator,
      ['钱已经转到你账户了 😀 https://example.org/p?id=7 打 07700 900123 找老王'],
      { beamSize: 4, batchSize: 8, glossary: [{ source: '老王', target: 'Old Wang' }] },
    );
    for (const kept of ['😀', 'https://example.org/p?id=7', '07700 900123', 'Old Wang']) {
      expect(out!.text).toContain(kept);
    }
    expect(out!.text).toMatch(/money/i);
    expect(out!.confidence).toBeGreaterThan(0.2);
  });

  it('gives each message its own translation, in the order given, whatever the batches', async () => {
    const texts = ['你在哪里？', '👍', '', '把地址发给我', '手机没电了'];
    const [one, two] = await Promise.all([
      translateTexts(translator, texts, { beamSize: 1, batchSize: 1 }),
      translateTexts(translator, texts, { beamSize: 1, batchSize: 8 }),
    ]);
    expect(one.map((t) => t.text)).toEqual([
      'Where are you?',
      '👍',
      '',
      'Send me the address.',
      "The phone's dead.",
    ]);
    expect(two.map((t) => t.text)).toEqual(one.map((t) => t.text));
    expect(one[1]!.confidence).toBe(1);
    expect(one.every((t) => t.flags.length === 0)).toBe(true);
  });

  it('flags as unreadable a text mostly of characters the model never learnt, and only that', async () => {
    // CJK Extension A characters: not one is in OPUS-MT zh-en's vocabulary.
    const texts = ['㐀㐁㐂㐃㐄㐅', '㐀㐁 今天天气很好，我们去公园吧', '今天天气很好。'];
    const out = await translateTexts(translator, texts, { beamSize: 1, batchSize: 8 });
    expect(out.map((t) => t.flags)).toEqual([['unreadable'], [], []]);
    expect(out[2]!.text).toMatch(/nice day|weather/i);
  });

  it('translates through two models, each output the next input, the glossary kept as the first put it', async () => {
    const copy = await MarianTranslator.load(TEST_MODELS_DIR, COPY_MODEL_ID, 2);
    try {
      const texts = ['明天老王去火车站', '把地址发给我', '㐀㐁㐂㐃㐄㐅', '👍'];
      const glossary = [{ source: '老王', target: 'Old Wang' }];
      const options = { beamSize: 4, batchSize: 8, glossary };
      const direct = await translateTexts(translator, texts, options);
      const through = await translateThrough([translator, copy], texts, options);

      // The hand-set second model copies English, so what comes out is the first model's text.
      expect(through.map((t) => t.text)).toEqual(direct.map((t) => t.text));
      expect(through[0]!.text).toMatch(/Old Wang/);
      expect(through.map((t) => t.flags)).toEqual(direct.map((t) => t.flags));
      expect(through.map((t) => t.via)).toEqual(direct.map((t) => t.text));
      through.forEach((t, i) => {
        expect(t.confidence).toBeLessThanOrEqual(direct[i]!.confidence + 1e-9);
        expect(t.confidence).toBeGreaterThan(direct[i]!.confidence * 0.9);
      });
    } finally {
      await copy.dispose();
    }
  });

  it('translates at most MAX_RUNS runs of a message, keeps the rest as written and flags it', async () => {
    const text = '好的1'.repeat(MAX_RUNS + 10);
    const [out] = await translateTexts(translator, [text], { beamSize: 1, batchSize: 8 });
    expect(out!.flags).toEqual(['truncated']);
    expect(out!.text.endsWith('好的1'.repeat(10))).toBe(true);
    expect(out!.text.startsWith('好的1')).toBe(false);
  });
});
