// The Schedules and Discovery contract suites on every built-in store.
import { after } from 'node:test';
import { discoveryContract, schedulesContract } from '../../src/testing/index.js';
import { forEachStore } from '../support/stores.js';

await forEachStore('schedules and discovery ports', (maker) => {
  after(() => maker.cleanup());
  const open = async () => {
    const store = maker.make();
    await store.init();
    return { store, cleanup: () => store.close() };
  };
  schedulesContract(maker.kind, async () => {
    const { store, cleanup } = await open();
    return { schedules: store.schedules!, cleanup };
  });
  discoveryContract(maker.kind, async () => {
    const { store, cleanup } = await open();
    return { discovery: store.discovery!, cleanup };
  });
});
