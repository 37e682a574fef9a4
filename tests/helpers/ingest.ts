import { workstationWithCase } from './workstation.js';

/**
 * A new workstation and case in `home`, holding `file` as evidence, ingested
 * through the real job and worker (through `mapping` when one is given).
 * `close` releases the case and workstation.
 */
export async function ingestedInNewCase(
  home: string,
  file: string,
  region = 'GB',
  options: {
    timeZone?: string;
    ownerName?: string;
    mapping?: { json: string; origin: string };
  } = {},
) {
  const ctx = await workstationWithCase(home);
  const { item } = await ctx.store.importEvidence(file);
  const job = await ctx.store
    .runner()
    .run(ctx.store.queueIngest(item.id, { region, ...options }).id);
  const close = () => {
    ctx.store.close();
    ctx.workstation.close();
  };
  return { ...ctx, item, job, close };
}
