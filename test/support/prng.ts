/** mulberry32: a small seeded PRNG, so that a failing random schedule can be replayed from its seed (the testing kit's own). */
export { seededRandom as prng } from '../../src/testing/simulation/prng.js';
