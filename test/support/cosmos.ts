import type { AddressInfo } from 'node:net';
import { createHttpServer } from '@vercel/cosmosdb-server';

/**
 * A Cosmos DB protocol server in this process (@vercel/cosmosdb-server), or a
 * real account when LOOM_COSMOS_ENDPOINT and LOOM_COSMOS_KEY are set. The
 * server fakes what it does not implement (TTL, atomic batches, partition-key
 * filtering in queries): tests prove those by design, not against it.
 */
export async function cosmosEndpoint(): Promise<{ endpoint: string; key: string; real: boolean; close(): Promise<void> }> {
  const endpoint = process.env.LOOM_COSMOS_ENDPOINT;
  const key = process.env.LOOM_COSMOS_KEY;
  if (endpoint && key) return { endpoint, key, real: true, close: async () => {} };
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    // Any base64 key: the protocol server does not check signatures.
    key: Buffer.from('loom-test-key').toString('base64'),
    real: false,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
