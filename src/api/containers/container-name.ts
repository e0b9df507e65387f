/**
 * Names and ids of containers: a docker-like `adjective_noun` name when none
 * is given, and a stable 64-hex id per unit incarnation (name + creation
 * time label), so ids printed at create time still work after restarts.
 */
import { createHash } from 'node:crypto';
import type { UnitSpec } from '../../config/unit-spec.js';

/** Label holding the creation time (epoch ms) of an ad-hoc unit. */
export const CREATED_LABEL = 'berth.created';

const ADJECTIVES = ['brave', 'calm', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'merry', 'nifty', 'proud', 'quiet', 'sharp', 'tender', 'vivid', 'witty', 'zen'];
const NOUNS = ['babbage', 'curie', 'darwin', 'euler', 'fermi', 'galois', 'hopper', 'kepler', 'lovelace', 'noether', 'pascal', 'ritchie', 'shannon', 'turing', 'volta', 'wozniak'];

/** A free `adjective_noun` name (with a number suffix when the pairs run out). */
export function generateName(taken: (name: string) => boolean, random: () => number = Math.random): string {
  for (let i = 0; ; i++) {
    const a = ADJECTIVES[Math.floor(random() * ADJECTIVES.length)]!;
    const n = NOUNS[Math.floor(random() * NOUNS.length)]!;
    const name = i < 20 ? `${a}_${n}` : `${a}_${n}${i}`;
    if (!taken(name)) return name;
  }
}

/** The 64-hex id of a unit incarnation. */
export function containerId(spec: Pick<UnitSpec, 'name' | 'labels'>): string {
  return createHash('sha256').update(`${spec.name}\0${spec.labels[CREATED_LABEL] ?? ''}`).digest('hex');
}
