import type * as CosmosSdk from '@azure/cosmos';
import type { Container, CosmosClient, CosmosClientOptions, ItemResponse, OperationInput, OperationResponse } from '@azure/cosmos';
import { StoreError } from '../../core/errors.js';
import type { SystemFields } from './docs.js';

type CosmosModule = typeof CosmosSdk;

/** How to reach the account: a client of your own, a connection string, or an endpoint with a key or AAD credentials. */
export type CosmosConnection =
  | CosmosClient
  | string
  | { endpoint: string; key?: string; aadCredentials?: CosmosClientOptions['aadCredentials']; agent?: CosmosClientOptions['agent'] };

/** The status code of a Cosmos DB error (404, 409, 412, 429, ...), or undefined for anything else. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Opens the client, loading `@azure/cosmos` only now, with a clear error when it is not installed. */
export async function openClient(conn: CosmosConnection): Promise<{ client: CosmosClient; owned: boolean }> {
  if (typeof conn === 'object' && 'database' in conn && typeof conn.database === 'function') return { client: conn, owned: false };
  let sdk: CosmosModule;
  try {
    sdk = await import('@azure/cosmos');
  } catch (cause) {
    throw new StoreError('the Cosmos DB store needs the @azure/cosmos package: npm install @azure/cosmos', { cause });
  }
  if (typeof conn === 'string') return { client: new sdk.CosmosClient(conn), owned: true };
  const c = conn as Exclude<CosmosConnection, CosmosClient | string>;
  if (!c.key && !c.aadCredentials) {
    throw new StoreError(`the Cosmos DB store for ${c.endpoint} needs a key or aadCredentials (e.g. new DefaultAzureCredential() from @azure/identity)`);
  }
  const options: CosmosClientOptions = { endpoint: c.endpoint, connectionPolicy: { enableEndpointDiscovery: false } };
  if (c.key) options.key = c.key;
  if (c.aadCredentials) options.aadCredentials = c.aadCredentials;
  if (c.agent) options.agent = c.agent;
  return { client: new sdk.CosmosClient(options), owned: true };
}

/** Thin helpers over one container: point reads that return undefined on 404, and a batch that reports its first failure. */
export class Docs {
  /** Cosmos operations issued, for the benchmark's operations-per-invocation figure. */
  ops = 0;
  /** Request units charged, where the server reports them. */
  charge = 0;

  constructor(readonly container: Container) {}

  private count(res: { requestCharge?: number }): void {
    this.ops++;
    this.charge += res.requestCharge ?? 0;
  }

  async read<T extends SystemFields>(id: string, pk: string): Promise<T | undefined> {
    try {
      const res: ItemResponse<T & { id: string }> = await this.container.item(id, pk).read<T & { id: string }>();
      this.count(res);
      return res.resource ?? undefined;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw wrap(err, `reading ${id}`);
    }
  }

  /** Creates a document; false when one with its id exists. */
  async create<T extends { id: string; pk: string }>(doc: T): Promise<(T & SystemFields) | undefined> {
    try {
      const res = await this.container.items.create(doc);
      this.count(res);
      return res.resource as T & SystemFields;
    } catch (err) {
      if (statusOf(err) === 409) return undefined;
      throw wrap(err, `creating ${doc.id}`);
    }
  }

  /** Replaces a document if its ETag still matches; undefined on a lost race (412) or when it is gone (404). */
  async replace<T extends { id: string; pk: string }>(doc: T, etag: string): Promise<(T & SystemFields) | undefined> {
    try {
      const res = await this.container.item(doc.id, doc.pk).replace(doc, { accessCondition: { type: 'IfMatch', condition: etag } });
      this.count(res);
      return res.resource as T & SystemFields;
    } catch (err) {
      const s = statusOf(err);
      if (s === 412 || s === 404) return undefined;
      throw wrap(err, `replacing ${doc.id}`);
    }
  }

  async upsert<T extends { id: string; pk: string }>(doc: T): Promise<void> {
    try {
      this.count(await this.container.items.upsert(doc));
    } catch (err) {
      throw wrap(err, `writing ${doc.id}`);
    }
  }

  async delete(id: string, pk: string): Promise<void> {
    try {
      this.count(await this.container.item(id, pk).delete());
    } catch (err) {
      if (statusOf(err) !== 404) throw wrap(err, `deleting ${id}`);
    }
  }

  async query<T>(query: string, parameters: { name: string; value: unknown }[], pk?: string): Promise<T[]> {
    try {
      const iterator = this.container.items.query<T>({ query, parameters: parameters as never }, pk === undefined ? {} : { partitionKey: pk });
      const res = await iterator.fetchAll();
      this.count(res);
      return res.resources;
    } catch (err) {
      throw wrap(err, 'querying');
    }
  }

  /** Runs a transactional batch; returns the index of the first failed operation and its status, or undefined when all succeeded. */
  async batch(ops: OperationInput[], pk: string): Promise<{ index: number; status: number; results: OperationResponse[] }> {
    try {
      const res = await this.container.items.batch(ops, pk);
      this.ops++;
      const results = res.result ?? [];
      for (const r of results) this.charge += r.requestCharge ?? 0;
      const index = results.findIndex((r) => r.statusCode >= 400 && r.statusCode !== 424);
      return { index, status: index < 0 ? 200 : results[index]!.statusCode, results };
    } catch (err) {
      throw wrap(err, `a batch of ${ops.length} operations`);
    }
  }
}

function wrap(err: unknown, what: string): StoreError {
  const s = statusOf(err);
  const hint = s === 429 ? ' (throttled past the SDK\'s retries: raise the container\'s throughput)' : s === 401 || s === 403 ? ' (check the key or the identity\'s role on the account)' : '';
  return new StoreError(`Cosmos DB failed ${what}${s ? ` with status ${s}` : ''}${hint}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}
